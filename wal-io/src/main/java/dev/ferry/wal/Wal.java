package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.wal.WalEntry.ALL;
import static dev.ferry.wal.WalEntry.CRC_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.HEADER_LENGTH;
import static dev.ferry.wal.WalEntry.INT_LE;
import static dev.ferry.wal.WalEntry.LONG_LE;
import static dev.ferry.wal.WalEntry.OFFSET_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.TIMESTAMP_FIELD_OFFSET;

/**
 * The write-ahead log: entries at dense, monotonic 64-bit offsets in a Chronicle Queue, which is also the
 * retention store (the WAL is the replication backlog; there is no second copy in memory).
 * <p>
 * <b>Offsets.</b> The first entry of an empty WAL gets {@link WalConfig#firstOffset()} (or, through
 * {@link #appendAt}, the primary's offset); each append is +1, across roll cycles and restarts. Each entry stores
 * its offset ({@link WalEntry}); seeking derives the Chronicle index from the offset with a small cycle table:
 * within a roll cycle Chronicle's sequence numbers are dense, so {@code index = toIndex(cycle, offset - first(cycle))}
 * and only the first offset of each cycle is looked up (once, then cached).
 * <p>
 * <b>Threads.</b> {@link #append} and {@link #appendAt} are safe from any number of threads of one process, serialised
 * by a lock of Ferry's own on top of Chronicle's write lock; with {@link WalConfig#singleWriter(boolean)} one thread
 * owns them and Chronicle's is the only lock an append takes. One process at a time may open a WAL for writing (a
 * file lock says so clearly to the second). {@link #nextOffset()}, {@link #oldestOffset()} and {@link #isEmpty()}
 * are volatile reads. Cursors are single-threaded. {@link #open} with
 * {@link WalConfig#readOnly(boolean)} reads a WAL another process is writing.
 * <p>
 * <b>Durability.</b> See {@link SyncPolicy}: a returned append survives {@code kill -9}; what was synced survives
 * power loss.
 */
public final class Wal implements AutoCloseable
{
    static final String LOCK_FILE = "ferry.lock";

    /**
     * The longest name {@link #cursor(String)} takes. Room for a 64-character replica id behind a role prefix such as
     * {@code "replica-"}: every valid id makes a valid cursor name.
     */
    public static final int MAX_CURSOR_NAME_LENGTH = 128;
    private static final int SPACE_CHECK_INTERVAL_MASK = (1 << 16) - 1;
    private static final VarHandle WRITER;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            WRITER = lookup.findVarHandle(Wal.class, "writer", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final WalConfig config;
    private final Path directory;
    private final RollCycle rollCycle;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final boolean singleWriter;
    private final AppendLock appendLock = new AppendLock();
    private volatile Thread writer; // single-writer mode: the thread that owns the writing operations
    private final Object probeLock = new Object();
    private final ExcerptTailer probe;
    private final ConcurrentHashMap<Integer, Long> firstOffsetByCycle = new ConcurrentHashMap<>();
    private final AtomicInteger openCursors = new AtomicInteger();
    private final FileChannel lockChannel;
    private final FileLock lock;

    private final ChunkAdvisor chunkAdvisor;
    private final MonotonicCycleClock cycleClock;
    private long sharedReadings;
    private final AtomicLong writePosition = new AtomicLong();
    private final AtomicReference<File> writeFile = new AtomicReference<>();
    private int writeCycle = Integer.MIN_VALUE;
    private int lastCycleAtOpen = Integer.MIN_VALUE;
    private volatile long nextOffset;
    private volatile long oldestOffset;
    private volatile long syncedOffset = -1;
    private volatile boolean closed;
    private volatile boolean empty;
    private long lastSyncNs;
    private long appendsSinceSpaceCheck;
    private FileStore fileStore;
    private volatile RollingResourcesCache cycleNames;
    private Long[] listedCycles;
    private long[] listedFirstOffsets;
    private int listedFirstCycle;
    private int listedLastCycle;

    private Wal(final WalConfig config)
    {
        this.config = config;
        this.singleWriter = config.singleWriter();
        this.directory = config.directory().toAbsolutePath();
        prepareDirectory(directory, config.readOnly());

        FileChannel channel = null;
        FileLock fileLock = null;
        SingleChronicleQueue q = null;
        // the default clocks share one reading per append (see MonotonicCycleClock); a test's own clocks stay apart
        final MonotonicCycleClock cycleClock = config.clockNs() instanceof WalConfig.EpochNanoClock &&
            config.cycleClock() == SystemTimeProvider.INSTANCE ?
            MonotonicCycleClock.sharing(config.clockNs()) : new MonotonicCycleClock(config.cycleClock());
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
                .syncMode(config.syncPolicy() == SyncPolicy.NONE ? SyncMode.NONE : SyncMode.SYNC)
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
        this.cycleClock = cycleClock;
        this.queue = q;
        this.rollCycle = queue.rollCycle(); // an existing queue keeps the cycle it was created with
        this.probe = queue.createTailer();
        this.probe.singleThreadedCheckDisabled(true); // used by any thread, serialised by probeLock
        this.appender = config.readOnly() ? null : queue.createAppender();
        this.chunkAdvisor = config.readOnly() || config.readAround() ? null : new ChunkAdvisor();
        if (appender != null)
        {
            appender.singleThreadedCheckDisabled(true); // one thread at a time: appendLock, or the single writer
        }
        refresh();
        if (!empty)
        {
            lastCycleAtOpen = queue.lastCycle();
            cycleClock.floorMillis(queue.epoch() + (long)lastCycleAtOpen * rollCycle.lengthInMillis());
        }
        lastSyncNs = System.nanoTime();
    }

    /**
     * Open (creating if needed, unless read-only) the WAL in {@code config.directory()}.
     *
     * @param config the settings, validated here.
     * @return the open WAL.
     * @throws WalException STORAGE for a missing, unwritable or locked directory; CONFIGURATION for bad settings.
     */
    public static Wal open(final WalConfig config)
    {
        return new Wal(config.conclude());
    }

    /**
     * Re-read the head and the oldest entry from the files: needed only by a read-only WAL whose writer is another
     * process (a writer's own view is always current).
     */
    public void refresh()
    {
        synchronized (probeLock)
        {
            queue.refreshDirectoryListing();
            final long last = readEdgeOffset(TailerDirection.BACKWARD);
            if (last < 0)
            {
                empty = true;
                nextOffset = config.firstOffset();
                oldestOffset = config.firstOffset();
            }
            else
            {
                empty = false;
                oldestOffset = readEdgeOffset(TailerDirection.FORWARD);
                nextOffset = last + 1;
            }
        }
    }

    /**
     * Append an entry stamped with the configured clock.
     *
     * @param payload the payload, copied into the mapped WAL.
     * @return the entry's offset.
     * @throws WalException CONFIGURATION if the payload exceeds {@link WalConfig#maxPayloadBytes()}; STORAGE if the
     *                      disk is nearly full or the WAL is read-only or closed.
     */
    public long append(final MemorySegment payload)
    {
        final int length = checkPayload(payload.byteSize());
        if (singleWriter)
        {
            checkWriter();
            return appendNext(payload, length);
        }
        appendLock.lock();
        try
        {
            return appendNext(payload, length);
        }
        finally
        {
            appendLock.unlock();
        }
    }

    private long appendNext(final MemorySegment payload, final int length)
    {
        checkWritable();
        final long offset = nextOffset;
        write(offset, 0, payload, 0, length, 0, true);
        publish(offset);
        return offset;
    }

    /**
     * Append an entry from a byte array.
     *
     * @param payload the payload.
     * @return the entry's offset.
     */
    public long append(final byte[] payload)
    {
        return append(MemorySegment.ofArray(payload));
    }

    /**
     * Append an entry at an offset a primary chose, for a replica: the offset must be exactly {@link #nextOffset()},
     * or anything if the WAL is empty (a history may start at any offset).
     *
     * @param offset      the primary's offset for this entry.
     * @param timestampNs the primary's append time.
     * @param crc32c      the payload's CRC32C, already verified by the caller (stored as given).
     * @param payload     the payload.
     * @throws WalException SEQUENCE_GAP on a gap or an overlap (nothing is written), CONFIGURATION on a bad argument.
     */
    public void appendAt(final long offset, final long timestampNs, final int crc32c, final MemorySegment payload)
    {
        appendAt(offset, timestampNs, crc32c, payload, 0, payload.byteSize());
    }

    /**
     * {@link #appendAt(long, long, int, MemorySegment)} for a payload at {@code [payloadOffset, payloadOffset + length)}
     * of {@code memory}: the form a receiver uses to copy straight from a frame without a slice object.
     *
     * @param offset        the primary's offset for this entry.
     * @param timestampNs   the primary's append time.
     * @param crc32c        the payload's CRC32C, already verified by the caller (stored as given).
     * @param memory        memory holding the payload.
     * @param payloadOffset where the payload starts.
     * @param payloadLength the payload length.
     * @throws WalException SEQUENCE_GAP on a gap or an overlap (nothing is written), CONFIGURATION on a bad argument.
     */
    public void appendAt(
        final long offset, final long timestampNs, final int crc32c, final MemorySegment memory, final long payloadOffset,
        final long payloadLength)
    {
        final int length = checkPayload(payloadLength);
        if (offset < 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "appendAt offset must be >= 0, was " + offset);
        }
        if (singleWriter)
        {
            checkWriter();
            appendAtNext(offset, timestampNs, crc32c, memory, payloadOffset, length);
            return;
        }
        appendLock.lock();
        try
        {
            appendAtNext(offset, timestampNs, crc32c, memory, payloadOffset, length);
        }
        finally
        {
            appendLock.unlock();
        }
    }

    private void appendAtNext(
        final long offset, final long timestampNs, final int crc32c, final MemorySegment memory, final long payloadOffset,
        final int length)
    {
        checkWritable();
        final long expected = nextOffset;
        if (offset != expected && !empty)
        {
            throw new WalException(ErrorCode.SEQUENCE_GAP, (offset > expected ? "gap" : "overlap") +
                ": appendAt(" + offset + ") but the next offset of " + directory + " is " + expected);
        }
        if (empty)
        {
            oldestOffset = offset;
        }
        write(offset, timestampNs, memory, payloadOffset, length, crc32c, false);
        publish(offset);
    }

    /**
     * Publish the head once the entry is committed, then clear the empty flag (a reader that sees a non-empty WAL
     * sees its head). A volatile store, not a release store: the primary's sender parks after reading the head and
     * the appender wakes it after writing it (SelectorParker), a handshake that needs the store fenced before the
     * appender's next read.
     */
    private void publish(final long offset)
    {
        nextOffset = offset + 1;
        if (empty)
        {
            empty = false;
        }
    }

    /** {@link #checkWriter()} in single-writer mode, nothing otherwise (flush, sync, truncateAfter). */
    private void checkSingleWriter()
    {
        if (singleWriter)
        {
            checkWriter();
        }
    }

    /**
     * Single-writer mode: the first thread to write owns the writing operations; any other gets a clear error
     * before anything is written (a second thread inside Chronicle's appender would corrupt its state).
     */
    private void checkWriter()
    {
        final Thread current = Thread.currentThread();
        if (writer != current && !WRITER.compareAndSet(this, (Thread)null, current))
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WAL " + directory + " is single-writer and written by thread '" +
                writer.getName() + "'; thread '" + current.getName() + "' may not write it (WalConfig.singleWriter(false) " +
                "allows any number of writing threads)");
        }
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
            return config.clockNs().getAsLong();
        }
        sharedReadings++;
        return reading;
    }

    private void write(
        final long offset, final long timestampNs, final MemorySegment payload, final long payloadOffset, final int length,
        final int crc32c, final boolean own)
    {
        if ((++appendsSinceSpaceCheck & SPACE_CHECK_INTERVAL_MASK) == 0)
        {
            checkFreeSpace(); // before the document: a refused append has written nothing
        }
        final int total = HEADER_LENGTH + length;
        final boolean shareClock = own && cycleClock.shares();
        final DocumentContext dc = openDocument(offset, shareClock);
        final long stamp = own ? ownStamp(shareClock) : timestampNs;
        final long position;
        try
        {
            final Bytes<?> bytes = dc.wire().bytes();
            position = bytes.writePosition();
            bytes.writeSkip(total);
            // the two-argument form keeps [position, position + total) inside one mapping
            final long address = bytes.addressForRead(position, total);
            if (chunkAdvisor != null)
            {
                chunkAdvisor.wrote(bytes, address);
            }
            ALL.set(LONG_LE, address + OFFSET_FIELD_OFFSET, offset);
            ALL.set(LONG_LE, address + TIMESTAMP_FIELD_OFFSET, stamp);
            MemorySegment.copy(payload, payloadOffset, ALL, address + HEADER_LENGTH, length);
            final int crc = own ? Crc32c.compute(ALL, address + HEADER_LENGTH, length) : crc32c;
            ALL.set(INT_LE, address + CRC_FIELD_OFFSET, crc);
        }
        catch (final RuntimeException | Error ex)
        {
            dc.rollbackOnClose();
            dc.close();
            throw new WalException(ErrorCode.STORAGE, "append of offset " + offset + " to " + directory + " failed: " + ex, ex);
        }
        dc.close();
        // appender.cycle() is a field read; lastIndexAppended() would scan the index (measured: 20% of CPU)
        final int cycle = appender.cycle();
        if (cycle != writeCycle)
        {
            // the first append since open went to a cycle the queue did not have yet, or the cycle rolled: either
            // way this entry is the cycle's first (one writer), so its offset is the cycle's first offset
            if (cycle > lastCycleAtOpen)
            {
                firstOffsetByCycle.put(cycle, offset);
            }
            writeCycle = cycle;
            writeFile.lazySet(appender.currentFile());
        }
        writePosition.lazySet(position + total); // release store: free on x86, read by a pretoucher thread
    }

    /**
     * Apply the sync policy at the end of a batch: {@link SyncPolicy#PER_BATCH} syncs, {@link SyncPolicy#INTERVAL}
     * syncs if the interval has passed, {@link SyncPolicy#NONE} does nothing.
     *
     * @return true if a sync happened.
     */
    public boolean flush()
    {
        checkSingleWriter();
        switch (config.syncPolicy())
        {
            case PER_BATCH:
                sync();
                return true;
            case INTERVAL:
                if (System.nanoTime() - lastSyncNs >= config.syncIntervalNs())
                {
                    sync();
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    /**
     * @return the clock Chronicle picks this WAL's roll cycles with (for a staging queue that must agree with it).
     */
    MonotonicCycleClock cycleClock()
    {
        return cycleClock;
    }

    /**
     * @return appends stamped with the reading Chronicle took to pick their cycle (for a test).
     */
    long sharedReadings()
    {
        appendLock.lock();
        try
        {
            return sharedReadings;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * Force every appended entry to the storage device ({@code msync}), whatever the policy.
     */
    public void sync()
    {
        checkSingleWriter();
        appendLock.lock();
        try
        {
            checkWritable();
            final long last = nextOffset - 1;
            if (!empty && last > syncedOffset)
            {
                appender.sync();
                syncedOffset = last;
            }
            lastSyncNs = System.nanoTime();
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * @return the next offset to be appended (the head): one past the last entry.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * @return the roll-cycle file the last append went to, or null before the first append (for a pretoucher).
     */
    File writeFile()
    {
        return writeFile.get();
    }

    /**
     * @return the file position just after the last append (for a pretoucher).
     */
    long writePosition()
    {
        return writePosition.get();
    }

    /**
     * @return the oldest retained offset; equal to {@link #nextOffset()} when the WAL is empty.
     */
    public long oldestOffset()
    {
        return oldestOffset;
    }

    /**
     * @return the last offset forced to storage by {@link #sync()}, or -1.
     */
    public long syncedOffset()
    {
        return syncedOffset;
    }

    /**
     * @return true if the WAL has no entries.
     */
    public boolean isEmpty()
    {
        return empty;
    }

    /**
     * @return the WAL's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the settings the WAL was opened with.
     */
    public WalConfig config()
    {
        return config;
    }

    /**
     * Open an anonymous cursor positioned at the oldest entry.
     *
     * @return a cursor; close it when done.
     */
    public WalCursor cursor()
    {
        checkOpen();
        return new WalCursor(this, queue.createTailer(), null);
    }

    /**
     * Open a named cursor: its position is stored in the WAL and survives restarts (a Chronicle named tailer).
     *
     * @param name the cursor's name: letters, digits, '-', '_', '.', at most {@link #MAX_CURSOR_NAME_LENGTH} chars.
     * @return a cursor at its stored position (the oldest entry the first time); close it when done.
     */
    public WalCursor cursor(final String name)
    {
        checkOpen();
        if (name == null || name.isEmpty() || name.length() > MAX_CURSOR_NAME_LENGTH || !name.matches("[A-Za-z0-9._-]+"))
        {
            throw new WalException(ErrorCode.CONFIGURATION,
                "cursor name must be 1-" + MAX_CURSOR_NAME_LENGTH + " of [A-Za-z0-9._-], was '" + name + "'");
        }
        if (config.readOnly())
        {
            throw new WalException(ErrorCode.CONFIGURATION, "named cursors need a writable WAL (" + directory + " is read-only)");
        }
        return new WalCursor(this, queue.createTailer(name), name);
    }

    void cursorOpened()
    {
        openCursors.incrementAndGet();
    }

    void cursorClosed()
    {
        openCursors.decrementAndGet();
    }

    RollCycle rollCycle()
    {
        return rollCycle;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    /**
     * The Chronicle index of an offset in [oldest, next), or -1 if its cycle cannot be found (deleted meanwhile).
     */
    long indexOf(final long offset)
    {
        synchronized (probeLock)
        {
            final Long[] cycles = cycles();
            int lo = 0;
            int hi = cycles.length - 1;
            int found = -1;
            long foundFirst = -1;
            while (lo <= hi)
            {
                final int mid = (lo + hi) >>> 1;
                final long first = firstOffsetOf(cycles, mid);
                if (first < 0 || first > offset)
                {
                    hi = mid - 1;
                }
                else
                {
                    found = mid;
                    foundFirst = first;
                    lo = mid + 1;
                }
            }
            if (found < 0)
            {
                return -1;
            }
            return rollCycle.toIndex(cycles[found].intValue(), offset - foundFirst);
        }
    }

    /**
     * The queue's cycles, listed again only when the first or last cycle changed (a roll, retention): seeking
     * allocates nothing in between. Guarded by probeLock.
     */
    private Long[] cycles()
    {
        final int first = queue.firstCycle();
        final int last = queue.lastCycle();
        if (first != listedFirstCycle || last != listedLastCycle || listedCycles == null)
        {
            listedCycles = queue.listCyclesBetween(first, last).toArray(new Long[0]);
            listedFirstOffsets = new long[listedCycles.length];
            java.util.Arrays.fill(listedFirstOffsets, -1);
            listedFirstCycle = first;
            listedLastCycle = last;
        }
        return listedCycles;
    }

    /** First offset of the cycle at {@code cycles[i]}, or of the next non-empty cycle after it; -1 if none. */
    private long firstOffsetOf(final Long[] cycles, final int i)
    {
        for (int j = i; j < cycles.length; j++)
        {
            if (cycles == listedCycles && listedFirstOffsets[j] >= 0)
            {
                return listedFirstOffsets[j];
            }
            final int cycle = cycles[j].intValue();
            final Long cached = firstOffsetByCycle.get(cycle);
            if (cached != null)
            {
                remember(cycles, j, cached);
                return cached;
            }
            if (probe.moveToIndex(rollCycle.toIndex(cycle, 0)))
            {
                final long firstOffset = readOffset(probe);
                if (firstOffset >= 0)
                {
                    firstOffsetByCycle.put(cycle, firstOffset);
                    remember(cycles, j, firstOffset);
                    return firstOffset;
                }
            }
        }
        return -1;
    }

    private void remember(final Long[] cycles, final int j, final long firstOffset)
    {
        if (cycles == listedCycles)
        {
            listedFirstOffsets[j] = firstOffset;
        }
    }

    private long readEdgeOffset(final TailerDirection direction)
    {
        probe.direction(direction);
        try
        {
            if (direction == TailerDirection.BACKWARD)
            {
                probe.toEnd();
            }
            else
            {
                probe.toStart();
            }
            return readOffset(probe);
        }
        finally
        {
            probe.direction(TailerDirection.FORWARD);
        }
    }

    private long readOffset(final ExcerptTailer tailer)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return -1;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            if (bytes.readRemaining() < HEADER_LENGTH)
            {
                throw new WalException(ErrorCode.INTERNAL, "entry at index " + Long.toHexString(dc.index()) + " in " +
                    directory + " is " + bytes.readRemaining() + " bytes, shorter than the entry header");
            }
            return ALL.get(LONG_LE, bytes.addressForRead(bytes.readPosition(), HEADER_LENGTH));
        }
    }

    /**
     * Delete whole roll-cycle files as the policy allows, never the current cycle and never one holding an offset
     * at or above {@code floorOffset}. Files are deleted oldest first, so the retained entries stay contiguous.
     *
     * @param policy      what may be deleted.
     * @param floorOffset the lowest offset still needed (the slowest replica's next offset); {@link Long#MAX_VALUE}
     *                    for no floor.
     * @param nowMillis   the current time, epoch milliseconds.
     * @return what was deleted and the oldest offset now retained.
     */
    public RetentionResult retain(final RetentionPolicy policy, final long floorOffset, final long nowMillis)
    {
        return retain(policy, floorOffset, nowMillis, () -> { });
    }

    /**
     * {@link #retain(RetentionPolicy, long, long)} that runs {@code beforeDelete} once, just before the first file
     * is deleted, and not at all when nothing is: where the caller must persist what the floor was computed from
     * (a primary's replica slots) without an {@code fsync} on every pass.
     *
     * @param policy       what may be deleted.
     * @param floorOffset  the lowest offset still needed (e.g. the slowest replica's); cycles holding it are kept.
     * @param nowMillis    the wall clock, for the age limit.
     * @param beforeDelete run once before the first deletion; if it throws, nothing is deleted.
     * @return what was deleted and the oldest offset left.
     */
    public RetentionResult retain(
        final RetentionPolicy policy, final long floorOffset, final long nowMillis, final Runnable beforeDelete)
    {
        return Retention.apply(this, policy, floorOffset, nowMillis, beforeDelete);
    }

    /** The file of one roll cycle (names cached by Chronicle's own resource cache, one per WAL). */
    File cycleFile(final int cycle)
    {
        RollingResourcesCache names = cycleNames;
        if (names == null)
        {
            final String suffix = SingleChronicleQueue.SUFFIX;
            names = new RollingResourcesCache(rollCycle, queue.epoch(),
                name -> directory.resolve(name + suffix).toFile(),
                file -> file.getName().substring(0, file.getName().length() - suffix.length()));
            cycleNames = names;
        }
        return names.resourceFor(cycle).path;
    }

    void afterCyclesDeleted(final Iterable<Integer> cycles)
    {
        synchronized (probeLock)
        {
            for (final Integer cycle : cycles)
            {
                firstOffsetByCycle.remove(cycle);
            }
            listedCycles = null;
            queue.refreshDirectoryListing();
            final long first = readEdgeOffset(TailerDirection.FORWARD);
            if (first >= 0)
            {
                oldestOffset = first;
            }
        }
    }

    /** The cached or probed first offset of one cycle; -1 if empty. */
    long firstOffsetOfCycle(final int cycle)
    {
        synchronized (probeLock)
        {
            return firstOffsetOf(new Long[] {(long)cycle}, 0);
        }
    }

    /**
     * Remove every entry after {@code offset}, for divergence repair: afterwards {@link #nextOffset()} is
     * {@code offset + 1}.
     * <p>
     * Cost: Chronicle files are append-only, so the entries from the oldest up to {@code offset} are copied,
     * index for index, into a fresh queue beside this one, which then replaces it (O(bytes retained), one extra
     * copy of them on disk while it runs). Named cursor positions are not carried over (they restart at the
     * oldest entry). No cursor may be open. A crash mid-way leaves either the old WAL or the new one in place.
     *
     * @param offset the last offset to keep; {@code oldestOffset() - 1} empties the WAL.
     * @return a new, open WAL with the same settings; this instance is closed.
     * @throws WalException CONFIGURATION if cursors are open or the offset is out of range.
     */
    public Wal truncateAfter(final long offset)
    {
        checkSingleWriter();
        appendLock.lock();
        try
        {
            checkWritable();
            if (openCursors.get() != 0)
            {
                throw new WalException(ErrorCode.CONFIGURATION,
                    "truncateAfter needs every cursor closed; " + openCursors.get() + " open on " + directory);
            }
            if (offset < oldestOffset - 1)
            {
                throw new WalException(ErrorCode.CONFIGURATION, "truncateAfter(" + offset +
                    ") is below the oldest retained offset " + oldestOffset + " of " + directory);
            }
            if (offset >= nextOffset - 1)
            {
                return this;
            }
            Truncation.copyPrefix(this, offset);
        }
        finally
        {
            appendLock.unlock();
        }
        close();
        Truncation.swapIn(directory);
        return open(config.copy().firstOffset(offset + 1));
    }

    private int checkPayload(final long length)
    {
        if (length > config.maxPayloadBytes())
        {
            throw new WalException(ErrorCode.CONFIGURATION, "payload of " + length +
                " bytes exceeds maxPayloadBytes " + config.maxPayloadBytes());
        }
        return (int)length;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL at " + directory + " is closed");
        }
    }

    private void checkWritable()
    {
        checkOpen();
        if (appender == null)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL at " + directory + " was opened read-only");
        }
    }

    private void checkFreeSpace()
    {
        if (config.minFreeBytes() == 0)
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
        if (usable < config.minFreeBytes())
        {
            throw new WalException(ErrorCode.STORAGE, "disk nearly full: " + usable + " bytes free under " + directory +
                ", below the reserve of " + config.minFreeBytes() + " (" + WalConfig.MIN_FREE_BYTES_PROP_NAME + ")");
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

    /**
     * Close the WAL; open cursors become unusable. Idempotent. In single-writer mode call it from the writer, or once
     * the writer has stopped appending: there is no lock to make an append in flight wait for it.
     */
    @Override
    public void close()
    {
        appendLock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            synchronized (probeLock)
            {
                probe.close();
            }
            if (appender != null)
            {
                appender.close();
            }
            closeQuietly(queue, lock, lockChannel);
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public String toString()
    {
        return "Wal{" + directory + ", oldest=" + oldestOffset + ", next=" + nextOffset + '}';
    }
}
