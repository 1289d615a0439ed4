package dev.ferry.engine.follow;

import dev.ferry.engine.NodeAddress;
import dev.ferry.engine.history.History;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a replica held before a snapshot replaced it, moved aside inside its WAL directory, never deleted: a directory
 * {@code <wal>/aside/<UTC time>-<history id>} with the old WAL's files, history and state snapshots, which
 * {@code ferry dump}, {@code checksum} and {@code kv} read as any WAL directory. Inside the WAL directory (not beside
 * it) so that a WAL directory that is a mount point still works, and the move is a rename on one file system. The
 * files go into a directory named {@code …moving}, renamed when all are in; a crash in between is finished at the next
 * start ({@link #finishInterrupted}), so the WAL is never half the old one.
 */
public final class WalAside
{
    /** The directory inside a WAL directory that holds what was moved aside. */
    public static final String ASIDE = "aside";
    /** The suffix of a directory being filled: a crash leaves it, and the next start finishes the move. */
    static final String MOVING = ".moving";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");

    private WalAside()
    {
    }

    /**
     * Move every file of a closed WAL directory (and its state snapshots, but not a transfer's incoming parts) into a
     * new directory under {@value #ASIDE}.
     *
     * @param walDirectory the WAL directory, closed.
     * @param history      the history it held, or null: part of the new directory's name.
     * @return the new directory.
     * @throws FerryException STORAGE if the files cannot be moved (what was moved stays there: nothing is lost).
     */
    public static Path moveAside(final Path walDirectory, final History history)
    {
        final String id = history == null ? "no-history" : history.id().toString();
        final Path target = walDirectory.resolve(ASIDE).resolve(TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + id);
        final Path moving = target.resolveSibling(target.getFileName() + MOVING);
        try
        {
            Files.createDirectories(moving);
            syncDirectory(moving.getParent());
            syncDirectory(walDirectory);
            moveFiles(walDirectory, moving);
            Files.move(moving, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.getParent());
            return target;
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot move the old WAL of " + walDirectory + " aside into " +
                target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A divergent suffix kept aside before a truncation.
     *
     * @param directory where it is: a WAL directory of its own, readable by {@code ferry dump} and {@code checksum}.
     * @param first     its first offset.
     * @param count     how many entries it holds.
     */
    public record Suffix(Path directory, long first, long count)
    {
    }

    /**
     * Copy a WAL's entries from {@code from} to its head into a new WAL under {@value #ASIDE}, at the same offsets,
     * timestamps and chain, synced, before a truncation removes them: a divergent suffix is reported and kept, never
     * silently dropped.
     *
     * @param wal     the WAL (no cursor of it may stay open: this one is closed here).
     * @param from    the first offset to keep aside.
     * @param history its history, or null: part of the directory's name, and saved there.
     * @return where the suffix is.
     * @throws FerryException STORAGE if it cannot be written (nothing is truncated then).
     */
    static Suffix keepSuffix(final Wal wal, final long from, final History history)
    {
        final String id = history == null ? "no-history" : history.id().toString();
        final Path target = wal.directory().resolve(ASIDE).resolve(TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) +
            "-truncated-from-" + from + "-" + id);
        final long[] count = {0};
        try (Wal copy = Wal.open(wal.config().copy().directory(target).firstOffset(from)
            .firstChain((int)Math.max(0, wal.chainBefore(from))));
            WalCursor cursor = wal.cursor())
        {
            if (cursor.seek(from) == SeekResult.FOUND)
            {
                try
                {
                    while (cursor.poll(e ->
                    {
                        copy.appendAt(e.offset(), e.timestampNs(), e.crc32c(), e.payload());
                        count[0]++;
                        return true;
                    }, 4096) > 0)
                    {
                        // the handler copies
                    }
                }
                catch (final dev.ferry.wal.WalException unreadable)
                {
                    // a damaged entry (another offset stored in it, an impossible length): what was read is kept
                }
            }
            copy.sync();
            if (history != null)
            {
                history.save(target);
            }
            syncDirectory(target.getParent());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot keep the entries of " + wal.directory() + " from offset " +
                from + " aside in " + target + " before truncating them (nothing was truncated): " + ex.getMessage(), ex);
        }
        return new Suffix(target, from, count[0]);
    }

    /**
     * Finish a move aside that a crash interrupted (a directory still named {@code …moving}): the files still in the
     * WAL directory go after the others, so the WAL opened next is empty, never half of the old one. Before the WAL
     * opens.
     *
     * @param walDirectory the WAL directory.
     * @return the directory the move finished into, or null if there was none to finish.
     * @throws FerryException STORAGE if it cannot be finished.
     */
    static Path finishInterrupted(final Path walDirectory)
    {
        final Path aside = walDirectory.resolve(ASIDE);
        if (!Files.isDirectory(aside))
        {
            return null;
        }
        try
        {
            Path finished = null;
            for (final Path moving : list(aside))
            {
                final String name = moving.getFileName().toString();
                if (name.endsWith(MOVING) && Files.isDirectory(moving))
                {
                    moveFiles(walDirectory, moving);
                    finished = moving.resolveSibling(name.substring(0, name.length() - MOVING.length()));
                    Files.move(moving, finished, StandardCopyOption.ATOMIC_MOVE);
                    syncDirectory(aside);
                }
            }
            return finished;
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot finish moving the old WAL of " + walDirectory +
                " aside (interrupted by a crash): " + ex.getMessage(), ex);
        }
    }

    /**
     * Every file of the WAL directory but {@value #ASIDE} and the node's address ({@link NodeAddress#FILE}: it says
     * where the running node listens, not what its old WAL held), and its state snapshots but the incoming parts.
     */
    private static void moveFiles(final Path walDirectory, final Path into) throws IOException
    {
        for (final Path file : list(walDirectory))
        {
            final String name = file.getFileName().toString();
            if (name.equals(ASIDE) || name.equals(StateStore.DIRECTORY) || name.equals(NodeAddress.FILE))
            {
                continue;
            }
            Files.move(file, into.resolve(name));
        }
        final Path state = walDirectory.resolve(StateStore.DIRECTORY);
        if (Files.isDirectory(state))
        {
            Files.createDirectories(into.resolve(StateStore.DIRECTORY));
            for (final Path file : list(state))
            {
                if (!file.getFileName().toString().equals(SnapshotReceiver.INCOMING))
                {
                    Files.move(file, into.resolve(StateStore.DIRECTORY).resolve(file.getFileName()));
                }
            }
            syncDirectory(state);
            syncDirectory(into.resolve(StateStore.DIRECTORY));
        }
        syncDirectory(into);
        syncDirectory(walDirectory);
    }

    private static List<Path> list(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.toList();
        }
    }

    /**
     * Make the renames in a directory durable.
     *
     * @param directory a directory.
     * @throws IOException if it cannot be synced.
     */
    static void syncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
