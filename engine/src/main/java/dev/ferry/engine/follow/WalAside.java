package dev.ferry.engine.follow;

import dev.ferry.engine.history.History;
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
final class WalAside
{
    /** The directory inside a WAL directory that holds what was moved aside. */
    static final String ASIDE = "aside";
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
    static Path moveAside(final Path walDirectory, final History history)
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

    /** Every file of the WAL directory but {@value #ASIDE}, and its state snapshots but the incoming parts. */
    private static void moveFiles(final Path walDirectory, final Path into) throws IOException
    {
        for (final Path file : list(walDirectory))
        {
            final String name = file.getFileName().toString();
            if (name.equals(ASIDE) || name.equals(StateStore.DIRECTORY))
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
