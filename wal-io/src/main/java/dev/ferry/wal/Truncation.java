package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.bytes.Bytes;
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
    private static final int FORMAT1_HEADER_LENGTH = 20;

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
            markComplete(staging);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw failedCopy(wal, lastOffset, staging, ex);
        }
    }

    /** The copy on stable storage, then marked complete (a crash before leaves an unfinished copy: discarded). */
    private static void markComplete(final Path staging) throws IOException
    {
        syncTree(staging);
        final Path complete = Files.createFile(staging.resolve(COMPLETE));
        FileSync.file(complete);
        FileSync.directory(staging);
    }

    /**
     * Rewrite a WAL of entry format 1 (no chained checksum) in format 2, index for index, through the same staging
     * directory and swap as a truncation: each entry gets the chain of the entries before it ({@link Chain}). A crash
     * at any point leaves the old WAL or the whole new one ({@link #recover} at the next open).
     *
     * @param config the WAL's settings (its directory, roll cycle and cycle clock).
     */
    static void upgradeFormat1(final WalConfig config)
    {
        final Path directory = config.directory().toAbsolutePath();
        final Path staging = staging(directory);
        deleteTree(staging);
        final byte[] header = new byte[WalEntry.HEADER_LENGTH];
        try (SingleChronicleQueue source = SingleChronicleQueueBuilder.binary(directory).rollCycle(config.rollCycle())
                .timeProvider(config.cycleClock()).build();
            SingleChronicleQueue target = SingleChronicleQueueBuilder.binary(staging).rollCycle(source.rollCycle())
                .epoch(source.epoch()).timeProvider(config.cycleClock()).build();
            InternalAppender appender = (InternalAppender)target.createAppender();
            ExcerptTailer tailer = source.createTailer())
        {
            final Bytes<?> entry = Bytes.allocateElasticOnHeap(256);
            int chain = config.firstChain();
            tailer.toStart();
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long length = bytes.readRemaining() - FORMAT1_HEADER_LENGTH;
                    entry.clear();
                    if (length >= 0)
                    {
                        final long at = bytes.readPosition();
                        final int crc = bytes.readInt(at + WalEntry.CRC_FIELD_OFFSET);
                        chain = Chain.next(chain, crc, (int)length);
                        bytes.read(header, 0, FORMAT1_HEADER_LENGTH);
                        entry.write(header, 0, FORMAT1_HEADER_LENGTH).writeInt(chain).write(bytes);
                    }
                    else
                    {
                        entry.write(bytes); // torn: copied as it is, and repaired as torn when the WAL opens
                    }
                    appender.writeBytes(dc.index(), entry);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            deleteTree(staging);
            throw new WalException(ErrorCode.STORAGE, "the upgrade of " + directory + " from entry format 1 failed; " +
                "the WAL is unchanged: " + ex, ex);
        }
        try
        {
            // index for index, so the queue's metadata (named cursors' positions among it) holds for the copy as it is
            Files.copy(directory.resolve(WalFiles.METADATA_FILE), staging.resolve(WalFiles.METADATA_FILE),
                StandardCopyOption.REPLACE_EXISTING);
            copySideFiles(directory, staging);
            WalFormat.mark(staging);
            markComplete(staging);
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteTree(staging);
            throw new WalException(ErrorCode.STORAGE, "the upgrade of " + directory + " from entry format 1 failed; " +
                "the WAL is unchanged: " + ex, ex);
        }
        swapIn(directory);
    }

    /**
     * The entry format of a WAL's documents, from the first ones whose CRC32C holds under one of the two layouts (a
     * format-1 entry's payload starts 4 bytes earlier; a document shorter than a format-2 header is format 1).
     *
     * @return 1 or 2; 2 if no document decides it (an empty or wholly torn WAL: the open repairs or refuses it).
     */
    static int probeFormat(final WalConfig config)
    {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(config.directory()).readOnly(true)
                .rollCycle(config.rollCycle()).timeProvider(config.cycleClock()).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            tailer.toStart();
            for (int i = 0; i < 16; i++)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long length = bytes.readRemaining();
                    if (length < FORMAT1_HEADER_LENGTH || length > Integer.MAX_VALUE)
                    {
                        continue;
                    }
                    final long address = bytes.addressForRead(bytes.readPosition(), (int)length);
                    final int crc = WalEntry.ALL.get(WalEntry.INT_LE, address + WalEntry.CRC_FIELD_OFFSET);
                    if (length >= WalEntry.HEADER_LENGTH && crc == Crc32c.compute(WalEntry.ALL,
                        address + WalEntry.HEADER_LENGTH, length - WalEntry.HEADER_LENGTH))
                    {
                        return WalEntry.FORMAT_VERSION;
                    }
                    if (crc == Crc32c.compute(WalEntry.ALL, address + FORMAT1_HEADER_LENGTH, length - FORMAT1_HEADER_LENGTH))
                    {
                        return 1;
                    }
                }
            }
        }
        return WalEntry.FORMAT_VERSION;
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
        carrySubdirectories(old, directory);
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
        if (Files.isDirectory(old) && Files.isDirectory(directory))
        {
            carrySubdirectories(old, directory);
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

    /**
     * Move the directories the WAL's owner keeps inside the WAL directory (its state snapshots, what was moved aside)
     * from the old directory into the new one: the copy holds the WAL's files, not them. Renames, then fsyncs.
     */
    private static void carrySubdirectories(final Path from, final Path to)
    {
        try (Stream<Path> files = Files.list(from))
        {
            boolean moved = false;
            for (final Path sub : files.filter(Files::isDirectory).toList())
            {
                final Path target = to.resolve(sub.getFileName());
                if (!Files.exists(target))
                {
                    Files.move(sub, target, StandardCopyOption.ATOMIC_MOVE);
                    moved = true;
                }
            }
            if (moved)
            {
                FileSync.directory(to);
                FileSync.directory(from);
            }
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot carry the directories of " + from + " into " + to +
                " after a truncation (they are still in " + from + "): " + ex, ex);
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
