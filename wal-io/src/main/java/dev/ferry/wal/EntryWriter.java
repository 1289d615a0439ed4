package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static dev.ferry.wal.WalEntry.ALL;
import static dev.ferry.wal.WalEntry.CHAIN_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.CRC_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.HEADER_LENGTH;
import static dev.ferry.wal.WalEntry.INT_LE;
import static dev.ferry.wal.WalEntry.LONG_LE;
import static dev.ferry.wal.WalEntry.OFFSET_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.TIMESTAMP_FIELD_OFFSET;

/**
 * Writes one entry ({@link WalEntry}'s layout) into a Chronicle document in place: the stamp (sharing the clock
 * reading Chronicle took to pick the cycle, see {@link MonotonicCycleClock}), the free-space check every 65,536
 * appends, the first offset of each new cycle for the {@link CycleTable}, and the write position a
 * {@link WalPretoucher} follows. One thread at a time: the caller holds the {@link AppendLock} or is the single writer.
 */
final class EntryWriter
{
    /** The most bytes written between two free-space checks, whatever the reserve (a statfs costs ~2 µs here). */
    private static final long SPACE_CHECK_MAX_BYTES = 16L << 20;
    private static final long SPACE_CHECK_MIN_BYTES = 64L << 10;
    /**
     * {@code -Dferry.wal.chain=false}: a measurement switch only ({@code ChainedChecksumBenchmark}'s baseline): the
     * chain field is written as 0 without the fold. A WAL written so fails its own chain check and every resume by
     * content: never set it for a node.
     */
    private static final boolean CHAIN = !"false".equals(System.getProperty("ferry.wal.chain"));
    /** Chronicle's document header, before each document's content. */
    private static final int HEADER_BYTES = 4;

    private final Path directory;
    private final ExcerptAppender appender;
    private final MonotonicCycleClock cycleClock;
    private final LongSupplier clockNs;
    private final ChunkAdvisor chunkAdvisor;
    private final WalFiles files;
    private final CycleTable table;
    private final AtomicLong writePosition = new AtomicLong();
    private final AtomicReference<File> writeFile = new AtomicReference<>();
    private final AtomicReference<BytesStore<?, ?>> writeStore = new AtomicReference<>();
    private final AtomicReference<WriteLayout> layout = new AtomicReference<>();
    private long lastEnd; // where the last entry written ends, in its file; 0 before the first since open
    private volatile int syncedCycle = Integer.MIN_VALUE;
    private volatile long syncedPosition = -1;
    private BytesStore<?, ?> lastStore;
    private long sharedReadings;
    private final long spaceCheckBytes;
    private long bytesSinceSpaceCheck;
    private int writeCycle = Integer.MIN_VALUE;
    private int lastCycleAtOpen = Integer.MIN_VALUE;
    private final ArrayList<File> unsynced = new ArrayList<>(2); // oldest first; the current file stays listed
    private boolean createdSinceSync;
    private int chain = Chain.SEED; // the chain at the last entry written (or the one before the first)

    EntryWriter(
        final WalConfig config, final Path directory, final SingleChronicleQueue queue, final WalFiles files,
        final CycleTable table, final MonotonicCycleClock cycleClock)
    {
        this.directory = directory;
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true); // one thread at a time: appendLock, or the single writer
        this.cycleClock = cycleClock;
        this.clockNs = config.clockNs();
        this.chunkAdvisor = config.readAround() ? null : new ChunkAdvisor();
        // by bytes, not by appends: a quarter of the reserve at most, so a full disk is seen with most of it left
        this.spaceCheckBytes = Math.max(SPACE_CHECK_MIN_BYTES, Math.min(SPACE_CHECK_MAX_BYTES, config.minFreeBytes() / 4));
        this.files = files;
        this.table = table;
    }

    /**
     * At open, under a sync policy: every roll-cycle file already there is listed for the first sync (what an earlier
     * process wrote may still be only in the page cache; a first sync makes it durable before it is reported so).
     *
     * @throws WalException STORAGE if the directory cannot be listed.
     */
    void listFilesAtOpen()
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SingleChronicleQueue.SUFFIX))
        {
            for (final Path file : files)
            {
                unsynced.add(file.toFile());
            }
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot list " + directory + ": " + ex, ex);
        }
        unsynced.sort(null);
        createdSinceSync = true;
    }

    /**
     * @param chainBefore the chain at the last entry the WAL holds, or the one its first entry folds in if it is
     *                    empty: the next entry written chains from it.
     */
    void chainFrom(final int chainBefore)
    {
        chain = chainBefore;
    }

    /** The WAL opened with entries up to {@code cycle}: cycles after it are started by this writer. */
    void lastCycleAtOpen(final int cycle)
    {
        lastCycleAtOpen = cycle;
    }

    /**
     * Write one entry.
     *
     * @param own true for {@link Wal#append} (stamp and CRC32C computed here), false for {@link Wal#appendAt}
     *            ({@code timestampNs} and {@code crc32c} stored as given).
     */
    void write(
        final long offset, final long timestampNs, final MemorySegment payload, final long payloadOffset, final int length,
        final int crc32c, final boolean own)
    {
        final int total = HEADER_LENGTH + length;
        bytesSinceSpaceCheck += total;
        if (bytesSinceSpaceCheck >= spaceCheckBytes)
        {
            files.checkFreeSpace(); // before the document: a refused append has written nothing
            bytesSinceSpaceCheck = 0;
        }
        final boolean shareClock = own && cycleClock.shares();
        final DocumentContext dc = openDocument(offset, shareClock);
        final long stamp = own ? ownStamp(shareClock) : timestampNs;
        final long position;
        final int nextChain;
        try
        {
            final Bytes<?> bytes = dc.wire().bytes();
            position = bytes.writePosition();
            bytes.writeSkip(total);
            // the two-argument form keeps [position, position + total) inside one mapping
            final long address = bytes.addressForRead(position, total);
            final BytesStore<?, ?> store = bytes.bytesStore();
            if (store != lastStore)
            {
                lastStore = store;
                writeStore.lazySet(store); // once per chunk: the pretoucher touches pages through this mapping
                if (chunkAdvisor != null)
                {
                    chunkAdvisor.wrote(bytes, address);
                }
            }
            ALL.set(LONG_LE, address + OFFSET_FIELD_OFFSET, offset);
            ALL.set(LONG_LE, address + TIMESTAMP_FIELD_OFFSET, stamp);
            MemorySegment.copy(payload, payloadOffset, ALL, address + HEADER_LENGTH, length);
            final int crc = own ? Crc32c.compute(ALL, address + HEADER_LENGTH, length) : crc32c;
            ALL.set(INT_LE, address + CRC_FIELD_OFFSET, crc);
            nextChain = CHAIN ? Chain.next(chain, crc, length) : 0;
            ALL.set(INT_LE, address + CHAIN_FIELD_OFFSET, nextChain);
        }
        catch (final RuntimeException | Error ex)
        {
            dc.rollbackOnClose();
            dc.close();
            throw new WalException(ErrorCode.STORAGE, "append of offset " + offset + " to " + directory + " failed: " + ex, ex);
        }
        dc.close();
        chain = nextChain; // only once the entry is committed: a refused one leaves the chain as it was
        // appender.cycle() is a field read; lastIndexAppended() would scan the index (measured: 20% of CPU)
        final int cycle = appender.cycle();
        if (cycle != writeCycle)
        {
            // the first append since open went to a cycle the queue did not have yet, or the cycle rolled: either
            // way this entry is the cycle's first (one writer), so its offset is the cycle's first offset
            if (cycle > lastCycleAtOpen)
            {
                table.cycleStarted(cycle, offset);
                createdSinceSync = true;
            }
            writeCycle = cycle;
            final File file = appender.currentFile();
            writeFile.lazySet(file);
            unsynced.add(file);
            // a file this writer started holds Chronicle's header and first index arrays before its first entry; in
            // one an earlier process wrote, the live index array may be anywhere behind: unknown until the next one
            layout.lazySet(new WriteLayout(file, cycle, cycle > lastCycleAtOpen ? position - HEADER_BYTES : -1, -1, -1));
        }
        else if (lastEnd > 0 && position - HEADER_BYTES - lastEnd > WriteLayout.METADATA_GAP)
        {
            // Chronicle put a metadata document (an index array) between the last entry and this one
            layout.lazySet(layout.get().withMetadata(lastEnd, position - HEADER_BYTES));
        }
        lastEnd = position + total;
        writePosition.lazySet(position + total); // release store: free on x86, read by a pretoucher thread
    }

    /**
     * Open the next document; with {@code captureClock} the reading Chronicle takes to pick its cycle is kept for
     * {@link #ownStamp} (released here if the document cannot be opened).
     */
    private DocumentContext openDocument(final long offset, final boolean captureClock)
    {
        if (captureClock)
        {
            cycleClock.capture(Thread.currentThread());
        }
        boolean opened = false;
        try
        {
            final DocumentContext dc = appender.writingDocument();
            opened = true;
            return dc;
        }
        catch (final RuntimeException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "append of offset " + offset + " to " + directory + " failed: " + ex, ex);
        }
        finally
        {
            if (captureClock && !opened)
            {
                cycleClock.release(); // never leave a capture open for another thread's reading
            }
        }
    }

    /**
     * @return the timestamp of an entry this WAL appends: the captured reading, or the entry clock read now when the
     *         clocks are not shared or Chronicle did not read the clock this time.
     */
    private long ownStamp(final boolean captured)
    {
        final long reading = captured ? cycleClock.release() : Long.MIN_VALUE;
        if (reading == Long.MIN_VALUE)
        {
            return clockNs.getAsLong();
        }
        sharedReadings++;
        return reading;
    }

    /**
     * Force every entry written so far to the storage device: each roll-cycle file written since the last sync, whole
     * (every chunk: Chronicle's own {@code appender.sync()} would msync only the current chunk up to its write
     * position), then, if a cycle file was created, the queue's metadata and the directory that names them. The
     * current file stays listed for the next sync.
     *
     * @throws WalException STORAGE if a sync fails (the entries are written but not known durable).
     */
    void sync()
    {
        final int cycle = writeCycle; // what this sync covers at least: the current file up to here
        final long position = writePosition.get();
        try
        {
            for (final File file : unsynced)
            {
                FileSync.data(file.toPath());
            }
            if (createdSinceSync)
            {
                final Path metadata = directory.resolve(WalFiles.METADATA_FILE);
                if (Files.exists(metadata))
                {
                    FileSync.data(metadata);
                }
                FileSync.directory(directory);
                createdSinceSync = false;
            }
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "sync of " + directory + " failed: " + ex, ex);
        }
        syncedCycle = cycle;
        syncedPosition = position; // after the cycle: a page-cache release reads the position first
        final File current = unsynced.isEmpty() ? null : unsynced.getLast();
        unsynced.clear();
        if (current != null)
        {
            unsynced.add(current);
        }
    }

    void close()
    {
        appender.close();
    }

    /**
     * @return appends stamped with the reading Chronicle took to pick their cycle; read under the append lock.
     */
    long sharedReadings()
    {
        return sharedReadings;
    }

    /**
     * @return the roll-cycle file the last append went to, or null before the first append (for a pretoucher).
     */
    File writeFile()
    {
        return writeFile.get();
    }

    /**
     * @return Chronicle's mapped chunk the last append went to, or null before the first (for a pretoucher: pages it
     *         touches through this mapping are the appender's own, so each is faulted once). Reserve it before use.
     */
    BytesStore<?, ?> writeStore()
    {
        return writeStore.get();
    }

    /**
     * @return where Chronicle will write again in the file being written, or null before the first append (for a
     *         {@link PageCacheRelease}).
     */
    WriteLayout layout()
    {
        return layout.get();
    }

    /**
     * @param cycle the cycle being written.
     * @return how far the last sync covered {@code cycle}'s file: a position, -1 if no sync covered any of it yet
     *         (for a {@link PageCacheRelease}: what is synced is clean, and dropping it starts no write-back).
     */
    long syncedPosition(final int cycle)
    {
        final long position = syncedPosition;
        final int synced = syncedCycle;
        return synced == cycle ? position : synced > cycle ? Long.MAX_VALUE : -1;
    }

    /**
     * @return the file position just after the last append (for a pretoucher).
     */
    long writePosition()
    {
        return writePosition.get();
    }
}
