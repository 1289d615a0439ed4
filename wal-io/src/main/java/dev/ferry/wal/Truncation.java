package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.InternalAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@link Wal#truncateAfter(long)}: copy a prefix index for index into a sibling directory, then swap it in.
 * <pre>
 *   1. DIR.truncating  &lt;- entries [oldest, offset]; fsync every file, then the directory
 *   2. the marker file COMPLETE; fsync it and the directory
 *   3. DIR -&gt; DIR.old, DIR.truncating -&gt; DIR; fsync the parent directory; only then delete DIR.old
 * </pre>
 * So after a power loss at any point the WAL is the old one or the whole new one: the copy is on stable storage
 * before it is marked complete, and the swap before the old copy goes.
 * {@link #recover(Path)} finishes or undoes a swap a crash interrupted.
 */
final class Truncation
{
    private static final String COMPLETE = "COMPLETE";

    private Truncation()
    {
    }

    static Path staging(final Path directory)
    {
        return directory.resolveSibling(directory.getFileName() + ".truncating");
    }

    static Path old(final Path directory)
    {
        return directory.resolveSibling(directory.getFileName() + ".old");
    }

    /**
     * Copy the entries up to {@code lastOffset}, which is at Chronicle index {@code lastIndex}: the copy stops by
     * index, not by the offsets stored after it (a torn entry's stored offset may be anything).
     */
    static void copyPrefix(final Wal wal, final long lastOffset, final long lastIndex)
    {
        final Path staging = staging(wal.directory());
        deleteTree(staging);
        try (SingleChronicleQueue target = SingleChronicleQueueBuilder.binary(staging)
            .rollCycle(wal.files().queue().rollCycle())
            .epoch(wal.files().queue().epoch())
            .timeProvider(wal.cycleClock())
            .build();
            InternalAppender appender = (InternalAppender)target.createAppender();
            ExcerptTailer tailer = wal.files().queue().createTailer())
        {
            tailer.toStart();
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    if (dc.index() > lastIndex)
                    {
                        dc.rollbackOnClose();
                        break;
                    }
                    appender.writeBytes(dc.index(), dc.wire().bytes());
                }
            }
            copySideFiles(wal.directory(), staging);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw failedCopy(wal, lastOffset, staging, ex);
        }
        try
        {
            syncTree(staging); // the copy on stable storage before it is marked complete
            final Path complete = Files.createFile(staging.resolve(COMPLETE));
            FileSync.file(complete);
            FileSync.directory(staging);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw failedCopy(wal, lastOffset, staging, ex);
        }
    }

    private static WalException failedCopy(final Wal wal, final long lastOffset, final Path staging, final Exception ex)
    {
        deleteTree(staging);
        return new WalException(ErrorCode.STORAGE, "truncateAfter(" + lastOffset + ") of " + wal.directory() +
            " failed while copying; the WAL is unchanged: " + ex, ex);
    }

    /** Files beside the queue that belong to the WAL's owner (e.g. its history): carried over unchanged. */
    private static void copySideFiles(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : files.toList())
            {
                final String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && !name.endsWith(SingleChronicleQueue.SUFFIX) &&
                    !name.endsWith(".cq4t") && !name.equals(WalFiles.LOCK_FILE))
                {
                    Files.copy(file, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void swapIn(final Path directory)
    {
        final Path staging = staging(directory);
        final Path old = old(directory);
        try
        {
            Files.delete(staging.resolve(COMPLETE));
            Files.move(directory, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
            FileSync.directory(directory.toAbsolutePath().getParent()); // the swap durable before the old copy goes
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "truncation of " + directory + " could not swap directories: " + ex, ex);
        }
        deleteTree(old);
    }

    /** Finish or undo an interrupted truncation before the WAL is opened. */
    static void recover(final Path directory)
    {
        final Path staging = staging(directory);
        final Path old = old(directory);
        try
        {
            if (!Files.exists(directory) && Files.isDirectory(old))
            {
                if (Files.isDirectory(staging))
                {
                    Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE); // copy done, swap half-way
                }
                else
                {
                    Files.move(old, directory, StandardCopyOption.ATOMIC_MOVE); // nothing to swap in: keep the old
                }
            }
            Files.deleteIfExists(directory.resolve(COMPLETE));
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot recover an interrupted truncation of " + directory + ": " + ex, ex);
        }
        deleteTree(old);
        if (Files.isDirectory(staging) && !Files.exists(staging.resolve(COMPLETE)))
        {
            deleteTree(staging); // an unfinished copy: the truncation never happened
        }
        else if (Files.isDirectory(staging) && Files.isDirectory(directory))
        {
            deleteTree(staging); // a finished copy never swapped in: the caller truncates again
        }
    }

    /** fsync every regular file under {@code root}, then each directory, deepest first. */
    private static void syncTree(final Path root) throws IOException
    {
        final java.util.List<Path> paths;
        try (Stream<Path> walk = Files.walk(root))
        {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (final Path p : paths)
        {
            if (Files.isRegularFile(p))
            {
                FileSync.file(p);
            }
        }
        for (final Path p : paths)
        {
            if (Files.isDirectory(p))
            {
                FileSync.directory(p);
            }
        }
    }

    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot delete " + root + ": " + ex, ex);
        }
    }
}
