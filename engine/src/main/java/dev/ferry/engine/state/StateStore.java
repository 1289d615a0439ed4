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
        return save(state, -1);
    }

    /**
     * Write a snapshot of the state at its applied offset, with the WAL's chained checksum before that offset (what a
     * WAL that starts at the snapshot chains from), then remove all but the newest {@value #KEEP}.
     *
     * @param state the state machine.
     * @param chain the chained checksum before its applied offset ({@code Wal#chainBefore}), or -1 if not known.
     * @return the offset the snapshot stands at.
     * @throws dev.ferry.wal.WalException STORAGE if it cannot be written (the older snapshots stay).
     */
    public long save(final StateMachine state, final long chain)
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
        chain(offset, chain); // first: a snapshot file always has its chain beside it, when known
        AtomicFile.write(directory.resolve(name(offset)), state::writeSnapshot);
        final List<Path> snapshots = snapshots();
        for (int i = KEEP; i < snapshots.size(); i++)
        {
            try
            {
                Files.deleteIfExists(chainFile(offsetOf(snapshots.get(i))));
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
        final StateStore store = new StateStore(wal.directory());
        final long snapshot = store.newestOffset();
        final long chain = snapshot > 0 ? store.chainBefore(snapshot) : -1;
        return snapshot > 0 ? wal.copy().firstOffset(snapshot).firstChain(chain < 0 ? dev.ferry.wal.Chain.SEED : (int)chain) :
            wal;
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
     * @param offset     an offset.
     * @param walOldest  the oldest offset the WAL holds: a snapshot below it could not be replayed from.
     * @return the newest snapshot file at or below {@code offset} and not below {@code walOldest}, or null.
     */
    public Path newestAtOrBelow(final long offset, final long walOldest)
    {
        for (final Path snapshot : snapshots())
        {
            final long at = offsetOf(snapshot);
            if (at <= offset && at >= walOldest)
            {
                return snapshot;
            }
        }
        return null;
    }

    /**
     * Move the snapshots above an offset (and their chain files) into {@code into}/{@value #DIRECTORY}: before a
     * truncation at {@code offset}, the states that applied the entries it removes must not be loaded again.
     *
     * @param offset the first offset removed: a snapshot at it (every entry below applied) stays.
     * @param into   a directory kept aside (what was truncated).
     * @return how many snapshots were moved.
     * @throws FerryException STORAGE if they cannot be moved.
     */
    public int moveAbove(final long offset, final Path into)
    {
        int moved = 0;
        try
        {
            for (final Path snapshot : snapshots())
            {
                final long at = offsetOf(snapshot);
                if (at > offset)
                {
                    final Path target = Files.createDirectories(into.resolve(DIRECTORY));
                    Files.move(snapshot, target.resolve(snapshot.getFileName()));
                    if (Files.exists(chainFile(at)))
                    {
                        Files.move(chainFile(at), target.resolve(chainFile(at).getFileName()));
                    }
                    moved++;
                }
            }
            if (moved > 0)
            {
                syncDirectory(directory);
                syncDirectory(into.resolve(DIRECTORY));
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot move the snapshots above offset " + offset + " of " +
                directory + " into " + into + ": " + ex.getMessage(), ex);
        }
        return moved;
    }

    private static void syncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
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
     * Record the WAL's chained checksum before a snapshot's offset, beside it ({@code snapshot-<offset>.chain},
     * written atomically): a WAL that starts at the snapshot chains from it, and a replica sent the snapshot is told it.
     *
     * @param offset the snapshot's offset.
     * @param chain  the chain ({@code Wal#chainBefore(offset)}), or -1: nothing is written.
     */
    public void chain(final long offset, final long chain)
    {
        if (chain >= 0)
        {
            AtomicFile.write(chainFile(offset), (Long.toHexString(chain) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    /**
     * @param offset a snapshot's offset.
     * @return the WAL's chained checksum before it, as recorded beside the snapshot, or -1 if not recorded.
     */
    public long chainBefore(final long offset)
    {
        try
        {
            final long chain = Long.parseLong(Files.readString(chainFile(offset)).trim(), 16);
            return chain >= 0 && chain <= 0xFFFF_FFFFL ? chain : -1;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
    }

    private Path chainFile(final long offset)
    {
        return directory.resolve(PREFIX + String.format("%020d", offset) + ".chain");
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
