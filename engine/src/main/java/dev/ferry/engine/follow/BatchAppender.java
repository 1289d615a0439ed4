package dev.ferry.engine.follow;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalException;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.BatchEntryHandler;

import java.lang.foreign.MemorySegment;

/**
 * The receiver's half of replication: decodes a verified {@code BATCH} frame and writes its entries into a WAL at
 * the sender's offsets with {@link Wal#appendAt}, copying each payload straight from the frame (or the decompression
 * scratch). An entry the WAL already has (a resend overlapping what arrived) is checked against it and not written
 * again: a different one there is {@code DIVERGED}; a batch starting beyond the WAL's next offset is a gap and writes
 * nothing. Every entry CRC32C is verified by the decoder before it is written.
 * One per link; single-threaded; allocation-free. Close it with the link: it holds the decoder's native
 * decompression contexts.
 */
public final class BatchAppender implements AutoCloseable
{
    /** {@link #append} result: the batch starts beyond the next offset; nothing was written. */
    public static final int GAP = -1;

    private final Wal wal;
    private final BatchDecoder batch;
    private final BatchEntryHandler append = this::append;
    private long from;
    private int written;

    /**
     * @param wal           the WAL to write.
     * @param maxFrameBytes the largest frame accepted.
     */
    public BatchAppender(final Wal wal, final int maxFrameBytes)
    {
        this.wal = wal;
        this.batch = new BatchDecoder(maxFrameBytes);
    }

    /**
     * Write the new entries of a verified batch frame.
     *
     * @param buffer   memory holding the frame.
     * @param offset   where it starts.
     * @param length   its length.
     * @param scratch  decompression scratch ({@link BatchDecoder#scratchLength(int)}), or null if no codec was agreed.
     * @param expected the next offset this WAL needs (for an empty WAL: where the sender said it starts).
     * @return entries written (0 if all were duplicates), or {@link #GAP}.
     * @throws dev.ferry.wal.frame.FrameException if the batch is malformed, damaged (CHECKSUM: entries before the
     *                                            damaged one are written) or cannot be decompressed (COMPRESSION).
     * @throws WalException                       DIVERGED if an entry differs from the one the WAL holds at its
     *                                            offset (entries before it are written).
     */
    public int append(final MemorySegment buffer, final long offset, final int length, final MemorySegment scratch,
        final long expected)
    {
        batch.wrap(buffer, offset, length);
        if (batch.firstOffset() > expected)
        {
            return GAP;
        }
        if (batch.codec() != Codec.NONE && scratch == null)
        {
            throw new WalException(ErrorCode.COMPRESSION, "a " + batch.codec() + " batch arrived but no codec was agreed");
        }
        // below this, entries are not in the WAL's history: before where the sender said an empty WAL starts, or
        // deleted by retention; they are neither written nor checked
        from = wal.isEmpty() ? expected : wal.oldestOffset();
        written = 0;
        batch.forEach(scratch, append);
        return written;
    }

    /**
     * @return the first offset of the last batch passed to {@link #append}.
     */
    public long firstOffset()
    {
        return batch.firstOffset();
    }

    /**
     * Frees the decoder's native decompression contexts; idempotent. The WAL is not closed.
     */
    @Override
    public void close()
    {
        batch.close();
    }

    private void append(final long offset, final long timestampNs, final MemorySegment payload)
    {
        if (offset >= from)
        {
            // copy from the frame by offset: the payload slice is then unused and never allocated; an entry the WAL
            // holds is checked, not written (APPENDED is 1 and DUPLICATE 0, so the sum counts the writes)
            written += wal.appendAt(offset, timestampNs, batch.entryCrc32c(), batch.entryMemory(),
                batch.entryPayloadOffset(), batch.entryPayloadLength());
        }
    }
}
