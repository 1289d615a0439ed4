package dev.ferry.engine.state;

import dev.ferry.engine.EventLog;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.AtomicFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A node's state machine snapshots on disk, in {@code <wal>/state/}: {@code snapshot-<offset>.state}, each written
 * atomically (temporary file, fsync, rename, directory fsync) and holding the state consistent at that offset, so that
 * a restart loads the newest one and replays the WAL only from there. The newest two are kept: if the newest turns out
 * damaged, the one before it (and a longer replay) still rebuilds the state.
 */
public final class StateStore
{
    /** The directory beside the WAL's files. */
    public static final String DIRECTORY = "state";
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".state";
    private static final int KEEP = 2;

    private final Path directory;

    /**
     * @param walDirectory the node's WAL directory.
     */
    public StateStore(final Path walDirectory)
    {
        this.directory = walDirectory.resolve(DIRECTORY);
    }

    /**
     * Write a snapshot of the state at its applied offset, then remove all but the newest {@value #KEEP}.
     *
     * @param state the state machine.
     * @return the offset the snapshot stands at.
     * @throws dev.ferry.wal.WalException STORAGE if it cannot be written (the older snapshots stay).
     */
    public long save(final StateMachine state)
    {
        final long offset = state.appliedOffset();
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot create " + directory + ": " + ex.getMessage(), ex);
        }
        AtomicFile.write(directory.resolve(name(offset)), state::writeSnapshot);
        final List<Path> snapshots = snapshots();
        for (int i = KEEP; i < snapshots.size(); i++)
        {
            try
            {
                Files.deleteIfExists(snapshots.get(i));
            }
            catch (final IOException ignore)
            {
                // an extra old snapshot costs disk only; the next save tries again
            }
        }
        return offset;
    }

    /**
     * Load the newest snapshot that is whole into {@code state}; a damaged one is reported and the one before it tried.
     *
     * @param state an empty state machine.
     * @param log   told of a damaged snapshot.
     * @return the offset of the snapshot loaded, or -1 if there is none usable (the state is unchanged then).
     */
    public long loadNewest(final StateMachine state, final EventLog log)
    {
        for (final Path snapshot : snapshots())
        {
            try (FileChannel channel = FileChannel.open(snapshot, StandardOpenOption.READ))
            {
                state.loadSnapshot(channel);
                return state.appliedOffset();
            }
            catch (final NoSuchFileException gone)
            {
                // removed by a concurrent save: try the next
            }
            catch (final IOException | FerryException ex)
            {
                log.log("state snapshot " + snapshot + " cannot be loaded (" + ex.getMessage() + "); trying an older one");
            }
        }
        return -1;
    }

    /**
     * @return the offset of the newest snapshot on disk, or -1: a WAL must keep its entries from there to rebuild.
     */
    public long newestOffset()
    {
        final List<Path> snapshots = snapshots();
        return snapshots.isEmpty() ? -1 : offsetOf(snapshots.getFirst());
    }

    /**
     * The WAL settings of a node with a state machine: an empty WAL beside a snapshot (a replica that loaded one and
     * received nothing after it) starts at the snapshot's offset, not 0: its state holds every entry before it.
     *
     * @param wal          the node's WAL settings.
     * @param stateMachine whether the node runs a state machine.
     * @return {@code wal}, or a copy whose first offset is the newest snapshot's.
     */
    public static dev.ferry.wal.WalConfig startingAtSnapshot(final dev.ferry.wal.WalConfig wal, final boolean stateMachine)
    {
        if (!stateMachine)
        {
            return wal;
        }
        final long snapshot = new StateStore(wal.directory()).newestOffset();
        return snapshot > 0 ? wal.copy().firstOffset(snapshot) : wal;
    }

    /**
     * @param state a state machine.
     * @return the snapshot it writes now, in memory: to compare two nodes' states (equal states give equal bytes).
     */
    public static byte[] snapshotBytes(final StateMachine state)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try
        {
            state.writeSnapshot(java.nio.channels.Channels.newChannel(out));
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.INTERNAL, "a snapshot in memory failed: " + ex, ex);
        }
        return out.toByteArray();
    }

    /**
     * @param file a snapshot file, open.
     * @return the CRC32C of all its bytes (what a transfer names it by, and checks it with).
     * @throws IOException if it cannot be read.
     */
    public static int crc32c(final FileChannel file) throws IOException
    {
        final CRC32C whole = new CRC32C();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long position = 0;
        int n;
        while ((n = file.read(buffer.clear(), position)) > 0)
        {
            whole.update(buffer.flip());
            position += n;
        }
        return (int)whole.getValue();
    }

    /**
     * @return the newest snapshot file, or null.
     */
    public Path newestFile()
    {
        final List<Path> snapshots = snapshots();
        return snapshots.isEmpty() ? null : snapshots.getFirst();
    }

    /**
     * @param offset an offset.
     * @return the file a snapshot at that offset is (or would be) saved in.
     */
    public Path file(final long offset)
    {
        return directory.resolve(name(offset));
    }

    /**
     * @return the directory the snapshots are in.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param snapshot a snapshot file's path.
     * @return the offset it stands at, from its name, or -1 if it is not a snapshot's name.
     */
    public static long offsetOf(final Path snapshot)
    {
        final String name = snapshot.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX))
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException | IndexOutOfBoundsException ex)
        {
            return -1;
        }
    }

    /**
     * @return the snapshot files, newest first.
     */
    List<Path> snapshots()
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory))
        {
            final List<Path> snapshots = new ArrayList<>(files
                .filter(f -> f.getFileName().toString().startsWith(PREFIX) && f.getFileName().toString().endsWith(SUFFIX))
                .filter(f -> offsetOf(f) >= 0)
                .toList());
            snapshots.sort(Comparator.comparingLong(StateStore::offsetOf).reversed());
            return snapshots;
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot list " + directory + ": " + ex.getMessage(), ex);
        }
    }

    private static String name(final long offset)
    {
        return PREFIX + String.format("%020d", offset) + SUFFIX;
    }

}
