package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import static dev.ferry.wal.WalEntry.HEADER_LENGTH;

/**
 * A reading position in a {@link Wal}: seek to an offset, then poll entries in order as zero-copy views of the
 * mapped files. A named cursor (a Chronicle named tailer) keeps its position across restarts. Single-threaded.
 */
public final class WalCursor implements AutoCloseable
{
    private final Wal wal;
    private final ExcerptTailer tailer;
    private final String name;
    private final WalEntry entry = new WalEntry();
    private long nextOffset;
    private boolean closed;
    private long readPosition = -1; // the file position of the last entry read
    private volatile boolean holdsCache = true;
    private volatile int heldCycle;
    private volatile long heldPosition = -1;

    WalCursor(final Wal wal, final ExcerptTailer tailer, final String name)
    {
        this.wal = wal;
        this.tailer = tailer;
        this.name = name;
        wal.cursorOpened(this);
        final long peeked = peekOffset();
        nextOffset = peeked >= 0 ? peeked : wal.nextOffset();
    }

    /**
     * @return the cursor's name, or null for an anonymous cursor.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the offset the next {@link #poll} returns first.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * Position the cursor so that the next entry read is {@code offset}.
     *
     * @param offset the offset to read next.
     * @return {@link SeekResult#FOUND} or {@link SeekResult#CAUGHT_UP} (the cursor moved), or
     * {@link SeekResult#TOO_OLD} or {@link SeekResult#FUTURE} (the cursor did not move).
     * @throws WalException CONFIGURATION for a negative offset.
     */
    public SeekResult seek(final long offset)
    {
        checkOpen();
        if (offset < 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "seek offset must be >= 0, was " + offset);
        }
        final long head = wal.nextOffset();
        if (offset > head)
        {
            return SeekResult.FUTURE;
        }
        final long oldest = wal.oldestOffset();
        if (offset == head)
        {
            if (offset == oldest)
            {
                tailer.toStart();
            }
            else if (!moveTo(offset - 1) || !skipOne())
            {
                return offset - 1 < wal.oldestOffset() ? SeekResult.TOO_OLD : fail(offset);
            }
            nextOffset = offset;
            return SeekResult.CAUGHT_UP;
        }
        if (offset < oldest)
        {
            return SeekResult.TOO_OLD;
        }
        if (!moveTo(offset))
        {
            return offset < wal.oldestOffset() ? SeekResult.TOO_OLD : fail(offset);
        }
        nextOffset = offset;
        return SeekResult.FOUND;
    }

    private SeekResult fail(final long offset)
    {
        throw new WalException(ErrorCode.INTERNAL, "cannot position a cursor at offset " + offset + " in " + wal);
    }

    private boolean moveTo(final long offset)
    {
        final long index = wal.table().indexOf(offset);
        if (index < 0 || !tailer.moveToIndex(index))
        {
            return false;
        }
        final long found = peekOffset();
        if (found != offset)
        {
            throw new WalException(ErrorCode.INTERNAL, "WAL " + wal.directory() + " is not dense: offset " + offset +
                " maps to index " + Long.toHexString(index) + " holding offset " + found);
        }
        return true;
    }

    private boolean skipOne()
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            return dc.isPresent();
        }
    }

    private long peekOffset()
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return -1;
            }
            final long offset = view(dc).offset();
            dc.rollbackOnClose();
            return offset;
        }
    }

    /**
     * Read up to {@code limit} entries, handing each to {@code handler}. An entry whose handler returns false or
     * throws is not consumed: the poll stops and the next one returns it again.
     *
     * @param handler receives each entry (a view valid only during the call).
     * @param limit   the most entries to read.
     * @return the number of entries read (0 when caught up).
     * @throws WalException RETENTION if retention deleted entries this cursor had not read yet; INTERNAL if the
     *                      files are not dense (corrupt).
     */
    public int poll(final EntryHandler handler, final int limit)
    {
        checkOpen();
        int read = 0;
        while (read < limit)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final WalEntry e = view(dc);
                final long offset = e.offset();
                if (offset != nextOffset)
                {
                    dc.rollbackOnClose();
                    throw notDense(offset);
                }
                boolean consumed = false;
                try
                {
                    consumed = handler.onEntry(e);
                }
                finally
                {
                    if (!consumed)
                    {
                        dc.rollbackOnClose();
                    }
                }
                if (!consumed)
                {
                    break;
                }
                nextOffset = offset + 1;
                read++;
            }
        }
        if (read > 0)
        {
            heldCycle = tailer.cycle();
            heldPosition = readPosition; // after the cycle: a page-cache release reads the position first
        }
        return read;
    }

    /**
     * @param holdsCache false for a cursor that reads old ranges slowly (an audit): a {@link WalPretoucher} then
     *                   releases from the page cache what the other cursors have read, whatever this one has not,
     *                   and this one reads it back from disk. True by default.
     * @return this.
     */
    public WalCursor holdsCache(final boolean holdsCache)
    {
        this.holdsCache = holdsCache;
        return this;
    }

    /**
     * @param cycle the roll cycle being written.
     * @return the file position in {@code cycle}'s file from which this cursor still needs the page cache: its last
     *         read entry's position; 0 if it reads an earlier cycle (it needs the whole file); {@link Long#MAX_VALUE}
     *         if it needs nothing (it has read nothing yet, or does not hold the cache). Read from the releasing
     *         thread: a racy answer costs a page read back from disk, never a byte.
     */
    long heldFrom(final int cycle)
    {
        final long position = heldPosition;
        if (position < 0 || !holdsCache)
        {
            return Long.MAX_VALUE;
        }
        final int held = heldCycle;
        return held == cycle ? position : held < cycle ? 0 : Long.MAX_VALUE;
    }

    private WalException notDense(final long found)
    {
        if (nextOffset < wal.oldestOffset())
        {
            return new WalException(ErrorCode.RETENTION, "cursor " + name + " wanted offset " + nextOffset +
                " but retention deleted it; the oldest retained offset of " + wal.directory() + " is " + wal.oldestOffset());
        }
        return new WalException(ErrorCode.INTERNAL, "WAL " + wal.directory() + " is not dense: cursor expected offset " +
            nextOffset + " and found " + found);
    }

    private WalEntry view(final DocumentContext dc)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long length = bytes.readRemaining();
        if (length < HEADER_LENGTH || length - HEADER_LENGTH > WalConfig.MAX_PAYLOAD_BYTES_LIMIT)
        {
            throw new WalException(ErrorCode.INTERNAL, "entry at index " + Long.toHexString(dc.index()) + " of " +
                wal.directory() + " has an impossible length " + length);
        }
        readPosition = bytes.readPosition();
        // two-argument form: the whole entry stays inside one mapping while the document is open
        return entry.wrap(bytes.addressForRead(readPosition, (int)length), (int)(length - HEADER_LENGTH));
    }

    private void checkOpen()
    {
        if (closed || wal.isClosed())
        {
            throw new WalException(ErrorCode.STORAGE, "cursor " + name + " on " + wal.directory() + " is closed");
        }
    }

    /**
     * Close the cursor; a named cursor's position stays stored. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (!wal.isClosed())
            {
                tailer.close();
            }
            wal.cursorClosed(this);
        }
    }
}
