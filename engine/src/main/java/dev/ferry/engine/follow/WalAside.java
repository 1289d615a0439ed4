package dev.ferry.engine.follow;

import dev.ferry.engine.history.History;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * it) so that a WAL directory that is a mount point still works, and the move is a rename on one file system.
 */
final class WalAside
{
    /** The directory inside a WAL directory that holds what was moved aside. */
    static final String ASIDE = "aside";
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
        try
        {
            Files.createDirectories(target);
            for (final Path file : list(walDirectory))
            {
                final String name = file.getFileName().toString();
                if (name.equals(ASIDE) || name.equals(StateStore.DIRECTORY))
                {
                    continue;
                }
                Files.move(file, target.resolve(name));
            }
            final Path state = walDirectory.resolve(StateStore.DIRECTORY);
            if (Files.isDirectory(state))
            {
                Files.createDirectories(target.resolve(StateStore.DIRECTORY));
                for (final Path file : list(state))
                {
                    if (!file.getFileName().toString().equals(SnapshotReceiver.INCOMING))
                    {
                        Files.move(file, target.resolve(StateStore.DIRECTORY).resolve(file.getFileName()));
                    }
                }
                syncDirectory(state);
            }
            syncDirectory(target);
            syncDirectory(walDirectory);
            return target;
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot move the old WAL of " + walDirectory + " aside into " +
                target + ": " + ex.getMessage(), ex);
        }
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
