package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files of a {@link Wal}: its directory (an interrupted truncation finished or undone first), the lock file that
 * lets one process at a time write it, the repair of roll-cycle files a crash tore, the free-space reserve, and the
 * Chronicle queue over them, opened and closed here.
 */
final class WalFiles
{
    static final String LOCK_FILE = "ferry.lock";
    /** Chronicle's table store beside the cycle files (the highest cycle, named cursors' positions). */
    static final String METADATA_FILE = "metadata" + SingleChronicleQueue.SUFFIX + "t";

    private final Path directory;
    private final long minFreeBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SingleChronicleQueue queue;
    private FileStore fileStore;
    private volatile RollingResourcesCache cycleNames;

    /**
     * Open the WAL's files: unless read-only, take the lock, delete torn cycle files and check the reserve first.
     *
     * @throws WalException STORAGE for a missing, unwritable or locked directory.
     */
    WalFiles(final WalConfig config, final Path directory, final MonotonicCycleClock cycleClock)
    {
        this.directory = directory;
        this.minFreeBytes = config.minFreeBytes();
        prepareDirectory(directory, config.readOnly());

        FileChannel channel = null;
        FileLock fileLock = null;
        SingleChronicleQueue q = null;
        try
        {
            if (!config.readOnly())
            {
                channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                fileLock = tryLock(channel, directory);
                removeTornCycleFiles(directory);
                checkFreeSpace();
            }
            q = SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(config.rollCycle())
                .timeProvider(cycleClock)
                .readOnly(config.readOnly())
                .syncMode(SyncMode.NONE) // the sync policy's syncs are Ferry's own (EntryWriter.sync)
                .build();
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(q, fileLock, channel);
            if (ex instanceof FerryException fe)
            {
                throw fe;
            }
            throw new WalException(ErrorCode.STORAGE, "cannot open WAL at " + directory + ": " + ex.getMessage(), ex);
        }
        this.lockChannel = channel;
        this.lock = fileLock;
        this.queue = q;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    /**
     * @return the disk space left above the free-space reserve (negative below it), for a pretoucher that must never
     *         touch pages the disk might not back; {@code Long.MIN_VALUE} if it cannot be read.
     */
    long spaceAboveReserve()
    {
        try
        {
            return fileStore().getUsableSpace() - minFreeBytes;
        }
        catch (final IOException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    /**
     * @throws WalException STORAGE if the free space under the directory is below {@link WalConfig#minFreeBytes()}.
     */
    void checkFreeSpace()
    {
        if (minFreeBytes == 0)
        {
            return;
        }
        final long usable;
        try
        {
            usable = fileStore().getUsableSpace();
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot read free space of " + directory + ": " + ex.getMessage(), ex);
        }
        if (usable < minFreeBytes)
        {
            throw new WalException(ErrorCode.STORAGE, "disk nearly full: " + usable + " bytes free under " + directory +
                ", below the reserve of " + minFreeBytes + " (" + WalConfig.MIN_FREE_BYTES_PROP_NAME + ")");
        }
    }

    private FileStore fileStore() throws IOException
    {
        FileStore store = this.fileStore;
        if (store == null)
        {
            store = Files.getFileStore(directory);
            this.fileStore = store;
        }
        return store;
    }

    /** The file of one roll cycle (names cached by Chronicle's own resource cache, one per WAL). */
    File cycleFile(final int cycle)
    {
        RollingResourcesCache names = cycleNames;
        if (names == null)
        {
            final String suffix = SingleChronicleQueue.SUFFIX;
            names = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> directory.resolve(name + suffix).toFile(),
                file -> file.getName().substring(0, file.getName().length() - suffix.length()));
            cycleNames = names;
        }
        return names.resourceFor(cycle).path;
    }

    /** Close the queue, then release the lock file. */
    void close()
    {
        closeQuietly(queue, lock, lockChannel);
    }

    /**
     * A roll-cycle file whose first header was never completed holds no entry: it is what a SIGKILL during a roll
     * leaves. Chronicle waits its timeout (~10 s) on every access to such a file and then fails appends; with the
     * write lock held (no other writer) it is safe to delete.
     */
    private static void removeTornCycleFiles(final Path directory) throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SingleChronicleQueue.SUFFIX))
        {
            for (final Path file : files)
            {
                final ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
                {
                    channel.read(header, 0);
                }
                final int first = header.position() < 4 ? 0 : header.getInt(0);
                if (first == 0 || (first & 0x8000_0000) != 0) // never claimed, or claimed and never completed
                {
                    Files.delete(file);
                }
            }
        }
    }

    private static void prepareDirectory(final Path directory, final boolean readOnly)
    {
        if (Files.exists(directory) && !Files.isDirectory(directory))
        {
            throw new WalException(ErrorCode.STORAGE, "WAL path " + directory + " exists and is not a directory");
        }
        if (readOnly)
        {
            if (!Files.isDirectory(directory))
            {
                throw new WalException(ErrorCode.STORAGE, "WAL directory " + directory + " does not exist");
            }
            return;
        }
        Truncation.recover(directory);
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot create WAL directory " + directory + ": " + ex, ex);
        }
        if (!Files.isWritable(directory))
        {
            throw new WalException(ErrorCode.STORAGE, "WAL directory " + directory + " is not writable");
        }
    }

    private static FileLock tryLock(final FileChannel channel, final Path directory) throws IOException
    {
        final FileLock fileLock;
        try
        {
            fileLock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL " + directory + " is already open for writing in this process");
        }
        if (fileLock == null)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL " + directory + " is locked by another process");
        }
        return fileLock;
    }

    private static void closeQuietly(final SingleChronicleQueue q, final FileLock fileLock, final FileChannel channel)
    {
        if (q != null)
        {
            q.close();
        }
        try
        {
            if (fileLock != null)
            {
                fileLock.release();
            }
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignore)
        {
            // already failing; the original error is the one to report
        }
    }
}
