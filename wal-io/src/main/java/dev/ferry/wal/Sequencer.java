package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.queue.TailerDirection;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The head of a {@link Wal} and who may move it: assigns the next offset ({@link Wal#append}) or checks the one given
 * ({@link Wal#appendAt}), serialises the writing operations in one of the two append modes ({@link AppendLock}, or
 * the {@link SingleWriter} that takes no lock of Ferry's own), has the {@link EntryWriter} write the entry, then
 * publishes the head. The volatile head fields are read from any thread.
 */
final class Sequencer
{
    private final Path directory;
    private final int maxPayloadBytes;
    private final long firstOffset;
    private final CycleTable table;
    private final EntryWriter writer; // null if read-only
    private final SingleWriter singleWriter; // null unless single-writer mode: then appends take no AppendLock
    private final AppendLock appendLock = new AppendLock();
    private final Syncer syncer;
    private volatile long nextOffset;
    private volatile long oldestOffset;
    private volatile boolean closed;
    private volatile boolean truncating;
    private volatile boolean empty;
    private volatile int chainBeforeFirst; // what the first entry of an empty WAL chains from

    Sequencer(final WalConfig config, final Path directory, final CycleTable table, final EntryWriter writer)
    {
        this.directory = directory;
        this.maxPayloadBytes = config.maxPayloadBytes();
        this.firstOffset = config.firstOffset();
        this.chainBeforeFirst = config.firstChain();
        this.table = table;
        this.writer = writer;
        this.singleWriter = config.singleWriter() ? new SingleWriter(directory) : null;
        refresh();
        this.syncer = new Syncer(config);
        if (writer != null && config.syncPolicy() != SyncPolicy.NONE)
        {
            // what is there is durable before this WAL says so: a process killed before its last sync left it in the
            // page cache only (one fdatasync per cycle file, ~40 µs each when clean)
            writer.listFilesAtOpen();
            syncer.sync(writer, nextOffset - 1, empty);
        }
    }

    /** {@link Wal#refresh()}: the head and the oldest entry read again from the files. */
    void refresh()
    {
        synchronized (table)
        {
            table.relist();
            final long last = table.edgeOffset(TailerDirection.BACKWARD);
            if (last < 0)
            {
                empty = true;
                nextOffset = firstOffset;
                oldestOffset = firstOffset;
            }
            else
            {
                empty = false;
                oldestOffset = table.edgeOffset(TailerDirection.FORWARD);
                nextOffset = last + 1;
            }
            if (writer != null)
            {
                writer.chainFrom(empty ? chainBeforeFirst : (int)table.storedChain(last));
            }
        }
    }

    /** {@link Wal#seedChain(int)}: under the append lock, only while the WAL is empty. */
    void seedChain(final int chain)
    {
        appendLock.lock();
        try
        {
            checkWritable();
            if (!empty)
            {
                throw new WalException(ErrorCode.CONFIGURATION, "seedChain is for an empty WAL; " + directory +
                    " holds entries up to " + (nextOffset - 1));
            }
            chainBeforeFirst = chain;
            writer.chainFrom(chain);
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /** @return the chain the first entry of this WAL folds in, while it is empty. */
    int chainBeforeFirst()
    {
        return chainBeforeFirst;
    }

    /**
     * The last {@code torn} documents are torn (see {@link CycleTable#tornTail()}): the head is one past them, counted
     * from the last intact entry rather than read from a torn one, so that a truncation after it removes them.
     */
    void tornTail(final long lastIntact, final long torn)
    {
        nextOffset = lastIntact + 1 + torn;
    }

    /** Retention deleted {@code cycles}: forget them and read the oldest entry again. */
    void cyclesDeleted(final Iterable<Integer> cycles)
    {
        synchronized (table)
        {
            final long first = table.cyclesDeleted(cycles);
            if (first >= 0)
            {
                oldestOffset = first;
            }
        }
    }

    long append(final MemorySegment payload)
    {
        final int length = checkPayload(payload.byteSize());
        if (singleWriter != null)
        {
            singleWriter.check();
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
        writer.write(offset, 0, payload, 0, length, 0, true);
        publish(offset);
        return offset;
    }

    int appendAt(
        final long offset, final long timestampNs, final int crc32c, final MemorySegment memory, final long payloadOffset,
        final long payloadLength)
    {
        final int length = checkPayload(payloadLength);
        if (offset < 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "appendAt offset must be >= 0, was " + offset);
        }
        if (singleWriter != null)
        {
            singleWriter.check();
            return appendAtNext(offset, timestampNs, crc32c, memory, payloadOffset, length);
        }
        appendLock.lock();
        try
        {
            return appendAtNext(offset, timestampNs, crc32c, memory, payloadOffset, length);
        }
        finally
        {
            appendLock.unlock();
        }
    }

    private int appendAtNext(
        final long offset, final long timestampNs, final int crc32c, final MemorySegment memory, final long payloadOffset,
        final int length)
    {
        checkWritable();
        final long expected = nextOffset;
        if (offset != expected && !empty)
        {
            return repeat(offset, expected, crc32c, length);
        }
        if (empty)
        {
            oldestOffset = offset;
        }
        writer.write(offset, timestampNs, memory, payloadOffset, length, crc32c, false);
        publish(offset);
        return Wal.APPENDED;
    }

    /**
     * appendAt of an offset other than the next one (kept out of {@link #appendAtNext} so that stays small): a repeat
     * of an entry this WAL holds is a no-op; a gap, a different entry or one retention deleted is refused.
     *
     * @return {@link Wal#DUPLICATE}.
     */
    private int repeat(final long offset, final long expected, final int crc32c, final int length)
    {
        if (offset > expected)
        {
            throw new WalException(ErrorCode.SEQUENCE_GAP,
                "gap: appendAt(" + offset + ") but the next offset of " + directory + " is " + expected);
        }
        final long stored = offset < oldestOffset ? -1 : table.storedEntry(offset);
        if (stored < 0)
        {
            throw new WalException(ErrorCode.RETENTION, "appendAt(" + offset + ") of an entry retention deleted from " +
                directory + " (oldest retained: " + oldestOffset + "); it cannot be compared");
        }
        if (stored != CycleTable.entry(length, crc32c))
        {
            throw new WalException(ErrorCode.DIVERGED, "appendAt(" + offset + ") of an entry (crc32c " +
                Integer.toHexString(crc32c) + ", " + length + " bytes) other than the one " + directory +
                " holds (crc32c " + Integer.toHexString((int)stored) + ", " + (stored >>> 32) + " bytes)");
        }
        return Wal.DUPLICATE;
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

    /** {@link SingleWriter#check()} in single-writer mode, nothing otherwise (flush, sync, truncateAfter). */
    private void checkSingleWriter()
    {
        if (singleWriter != null)
        {
            singleWriter.check();
        }
    }

    /** {@link Wal#flush()}. */
    boolean flush()
    {
        checkSingleWriter();
        if (syncer.due())
        {
            sync();
            return true;
        }
        return false;
    }

    /** {@link Wal#sync()}. */
    void sync()
    {
        checkSingleWriter();
        appendLock.lock();
        try
        {
            checkWritable();
            syncer.sync(writer, nextOffset - 1, empty);
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * The first step of {@link Wal#truncateAfter}, under the append lock: check, then copy the entries up to
     * {@code offset} into the staging directory.
     *
     * @return false if there is nothing to remove.
     */
    boolean copyPrefix(final Wal wal, final long offset, final int openCursors)
    {
        checkSingleWriter();
        appendLock.lock();
        try
        {
            checkWritable();
            if (openCursors != 0)
            {
                throw new WalException(ErrorCode.CONFIGURATION,
                    "truncateAfter needs every cursor closed; " + openCursors + " open on " + directory);
            }
            if (offset < oldestOffset - 1)
            {
                throw new WalException(ErrorCode.CONFIGURATION, "truncateAfter(" + offset +
                    ") is below the oldest retained offset " + oldestOffset + " of " + directory);
            }
            if (offset >= nextOffset - 1)
            {
                return false;
            }
            final long lastIndex = offset < oldestOffset ? Long.MIN_VALUE : table.indexOf(offset); // MIN: keep none
            if (lastIndex == -1)
            {
                throw new WalException(ErrorCode.STORAGE, "truncateAfter(" + offset + "): its cycle is gone from " + directory);
            }
            Truncation.copyPrefix(wal, offset, lastIndex);
            // sealed before the lock is released: an append between here and the swap would return an offset that
            // the swap then discards
            truncating = true;
            return true;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /** @return {@link EntryWriter#sharedReadings()}, read under the append lock (for a test). */
    long sharedReadings()
    {
        appendLock.lock();
        try
        {
            return writer == null ? 0 : writer.sharedReadings();
        }
        finally
        {
            appendLock.unlock();
        }
    }

    long nextOffset()
    {
        return nextOffset;
    }

    long oldestOffset()
    {
        return oldestOffset;
    }

    boolean isEmpty()
    {
        return empty;
    }

    boolean isClosed()
    {
        return closed;
    }

    long syncedOffset()
    {
        return syncer.syncedOffset();
    }

    private int checkPayload(final long length)
    {
        if (length > maxPayloadBytes)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "payload of " + length +
                " bytes exceeds maxPayloadBytes " + maxPayloadBytes);
        }
        return (int)length;
    }

    void checkOpen()
    {
        if (closed)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL at " + directory + " is closed");
        }
    }

    private void checkWritable()
    {
        checkOpen();
        if (truncating)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL at " + directory +
                " is being truncated: write to the WAL truncateAfter returns");
        }
        if (writer == null)
        {
            throw new WalException(ErrorCode.STORAGE, "WAL at " + directory + " was opened read-only");
        }
    }

    /** {@link Wal#close()}: under the append lock, mark closed, then close the probe, the writer and the files. */
    void close(final WalFiles files)
    {
        appendLock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            table.close();
            if (writer != null)
            {
                writer.close();
            }
            files.close();
        }
        finally
        {
            appendLock.unlock();
        }
    }
}
