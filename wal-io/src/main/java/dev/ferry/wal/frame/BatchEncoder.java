package dev.ferry.wal.frame;

import dev.ferry.wal.WalEntry;
import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.BatchFlyweight.CODEC_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.COUNT_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRIES_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_CRC32C_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_HEADER_LENGTH;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_LENGTH_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_TIMESTAMP_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.FIRST_OFFSET_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.UNCOMPRESSED_LENGTH_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Writes a {@code BATCH} frame (layout in {@link BatchFlyweight}) in place into a caller-owned buffer: claim, then
 * commit.
 * <pre>{@code
 * encoder.wrap(sendBuffer, 0, capacity).firstOffset(nextOffset);
 * while (cursor.hasNext() && encoder.tryAppend(cursor.timestampNs(), cursor.crc32c(), cursor.payload())) { ... }
 * final int length = encoder.commit(compressor, scratch);   // then send [0, length) and reset() for the next batch
 * }</pre>
 * Entries are copied once, uncompressed, straight into the frame. {@link #commit(Compressor, MemorySegment)}
 * compresses the entries region into the scratch memory and copies the result back only if it is smaller; otherwise
 * the frame goes out with codec {@code NONE}, so incompressible data costs one compression attempt and nothing on the
 * wire. A receiver therefore accepts {@code NONE} frames whatever codec was negotiated.
 * <p>
 * Reusable, single-threaded. Allocation-free when the same buffer segment is wrapped every time (its buffer view is
 * cached) and payloads are passed with their CRC32C or computed here.
 */
public final class BatchEncoder
{
    /**
     * Default {@link #minCompressBytes()}: entries regions smaller than this go out uncompressed, as a compressor call
     * has a fixed cost (measured ~5 µs for zstd) that a few small entries never win back.
     */
    public static final int MIN_COMPRESS_BYTES_DEFAULT = 1024;

    private int minCompressBytes = MIN_COMPRESS_BYTES_DEFAULT;

    private final int maxFrameBytes;
    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private MemorySegment buffer;
    private long offset;
    private int limit;
    private int position;
    private int count;
    private long firstOffset;
    private boolean committed;

    /**
     * @param maxFrameBytes the largest frame to produce, as agreed with the receivers.
     * @throws dev.ferry.error.FerryException with {@code CONFIGURATION} if {@code maxFrameBytes} is out of range.
     */
    public BatchEncoder(final int maxFrameBytes)
    {
        this.maxFrameBytes = FrameHeader.checkMaxFrameBytes(maxFrameBytes);
    }

    /**
     * The scratch memory {@link #commit(Compressor, MemorySegment)} needs for a compressor.
     *
     * @param compressor    the compressor.
     * @param maxFrameBytes the maximum frame size.
     * @return the minimum scratch length in bytes.
     */
    public static int scratchLength(final Compressor compressor, final int maxFrameBytes)
    {
        return compressor.maxCompressedLength(BatchFlyweight.maxEntriesLength(maxFrameBytes));
    }

    /**
     * @return the largest frame this encoder produces.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * Starts an empty batch in {@code [offset, offset + capacity)} of {@code buffer}; the frame never exceeds
     * {@code min(capacity, maxFrameBytes)}.
     *
     * @param buffer   the memory to write the frame into; native if it is to be compressed.
     * @param offset   where the frame starts.
     * @param capacity the bytes available from {@code offset}, at least {@link BatchFlyweight#ENTRIES_OFFSET}.
     * @return this.
     */
    public BatchEncoder wrap(final MemorySegment buffer, final long offset, final int capacity)
    {
        Objects.checkFromIndexSize(offset, capacity, buffer.byteSize());
        if (capacity < ENTRIES_OFFSET)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " < batch header length " + ENTRIES_OFFSET);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.limit = Math.min(capacity, maxFrameBytes);

        return reset();
    }

    /**
     * Starts a new empty batch in the wrapped buffer, e.g. after the previous one was sent.
     *
     * @return this.
     */
    public BatchEncoder reset()
    {
        position = ENTRIES_OFFSET;
        count = 0;
        firstOffset = 0;
        committed = false;
        return this;
    }

    /**
     * @param firstOffset the offset of the batch's first entry, non-negative.
     * @return this.
     */
    public BatchEncoder firstOffset(final long firstOffset)
    {
        if (firstOffset < 0)
        {
            throw new IllegalArgumentException("firstOffset=" + firstOffset + " is negative");
        }
        this.firstOffset = firstOffset;
        return this;
    }

    /**
     * @return the offset of the batch's first entry.
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * @return the number of entries appended so far.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the frame length so far, uncompressed: header, batch header and entries.
     */
    public int encodedLength()
    {
        return position;
    }

    /**
     * @return the largest payload a single entry can have in the wrapped buffer.
     */
    public int maxPayloadLength()
    {
        return limit - ENTRIES_OFFSET - ENTRY_HEADER_LENGTH;
    }

    /**
     * Appends an entry, computing its payload CRC32C (after copying, from the frame's own memory).
     *
     * @param timestampNs the entry's timestamp.
     * @param payload     the entry's payload.
     * @return true if appended, false if it does not fit: commit and send this batch, then retry in the next one.
     * @throws IllegalArgumentException if the payload exceeds {@link #maxPayloadLength()}: it never fits.
     */
    public boolean tryAppend(final long timestampNs, final MemorySegment payload)
    {
        final long entry = claim(payload.byteSize());
        if (entry < 0)
        {
            return false;
        }
        final int length = (int)payload.byteSize();
        MemorySegment.copy(payload, 0, buffer, entry + ENTRY_HEADER_LENGTH, length);
        crc.reset();
        crc.update(view.view(buffer, entry + ENTRY_HEADER_LENGTH, length));
        finish(entry, timestampNs, (int)crc.getValue(), length);

        return true;
    }

    /**
     * Appends an entry whose payload CRC32C the caller already knows, e.g. as stored in the WAL.
     *
     * @param timestampNs the entry's timestamp.
     * @param crc32c      the CRC32C of the payload (not checked here; the receiver checks it).
     * @param payload     the entry's payload.
     * @return true if appended, false if it does not fit: commit and send this batch, then retry in the next one.
     * @throws IllegalArgumentException if the payload exceeds {@link #maxPayloadLength()}: it never fits.
     */
    public boolean tryAppend(final long timestampNs, final int crc32c, final MemorySegment payload)
    {
        return tryAppend(timestampNs, crc32c, payload, 0, (int)payload.byteSize());
    }

    /**
     * Appends an entry whose payload is {@code [sourceOffset, sourceOffset + length)} of {@code source}, with a known
     * CRC32C: the zero-allocation form for payloads viewed in place (e.g. a mapped WAL entry).
     *
     * @param timestampNs  the entry's timestamp.
     * @param crc32c       the CRC32C of the payload (not checked here; the receiver checks it).
     * @param source       memory holding the payload.
     * @param sourceOffset where the payload starts in {@code source}.
     * @param length       the payload length.
     * @return true if appended, false if it does not fit: commit and send this batch, then retry in the next one.
     * @throws IllegalArgumentException if the payload exceeds {@link #maxPayloadLength()}: it never fits.
     */
    public boolean tryAppend(
        final long timestampNs, final int crc32c, final MemorySegment source, final long sourceOffset, final int length)
    {
        final long entry = claim(length);
        if (entry < 0)
        {
            return false;
        }
        MemorySegment.copy(source, sourceOffset, buffer, entry + ENTRY_HEADER_LENGTH, length);
        finish(entry, timestampNs, crc32c, length);

        return true;
    }

    /**
     * Appends a WAL entry as stored (timestamp, stored CRC32C, payload), copying the payload once, straight from the
     * mapped WAL into the frame: the sender's allocation-free path.
     *
     * @param entry the entry, valid while its cursor's handler runs.
     * @return true if appended, false if it does not fit: commit and send this batch, then retry in the next one.
     * @throws IllegalArgumentException if the payload exceeds {@link #maxPayloadLength()}: it never fits.
     */
    public boolean tryAppend(final WalEntry entry)
    {
        final int length = entry.length();
        final long at = claim(length);
        if (at < 0)
        {
            return false;
        }
        entry.copyPayloadTo(buffer, at + ENTRY_HEADER_LENGTH);
        finish(at, entry.timestampNs(), entry.crc32c(), length);

        return true;
    }

    /**
     * @return the smallest entries region {@link #commit(Compressor, MemorySegment)} tries to compress.
     */
    public int minCompressBytes()
    {
        return minCompressBytes;
    }

    /**
     * @param minCompressBytes the smallest entries region to try to compress (0: always try).
     * @return this.
     */
    public BatchEncoder minCompressBytes(final int minCompressBytes)
    {
        this.minCompressBytes = Math.max(0, minCompressBytes);
        return this;
    }

    /**
     * Completes the frame uncompressed.
     *
     * @return the frame length; the frame is {@code [offset, offset + length)} of the wrapped buffer.
     */
    public int commit()
    {
        return commit(null, null);
    }

    /**
     * Completes the frame: compresses the entries if that makes them smaller, then writes the batch header and the
     * frame header with its CRC32C.
     *
     * @param compressor the compressor to try, or {@code null} (or a {@code NONE} compressor) for none.
     * @param scratch    native memory of at least {@link #scratchLength(Compressor, int)} bytes, unused without a
     *                   compressor; reused, so pass the same segment every time.
     * @return the frame length; the frame is {@code [offset, offset + length)} of the wrapped buffer.
     * @throws IllegalStateException if nothing is wrapped or the batch was already committed.
     */
    public int commit(final Compressor compressor, final MemorySegment scratch)
    {
        checkWritable();
        if (firstOffset > Long.MAX_VALUE - count)
        {
            throw new IllegalStateException("firstOffset=" + firstOffset + " + count=" + count + " overflows");
        }

        final int entriesLength = position - ENTRIES_OFFSET;
        final long entries = offset + ENTRIES_OFFSET;
        Codec codec = Codec.NONE;
        int frameLength = position;
        if (null != compressor && Codec.NONE != compressor.codec() && entriesLength >= minCompressBytes && entriesLength > 0)
        {
            final int compressedLength = compressor.compress(
                buffer, entries, entriesLength, scratch, 0, (int)Math.min(scratch.byteSize(), Integer.MAX_VALUE));
            if (compressedLength < entriesLength)
            {
                MemorySegment.copy(scratch, 0, buffer, entries, compressedLength);
                codec = compressor.codec();
                frameLength = ENTRIES_OFFSET + compressedLength;
            }
        }

        buffer.set(LONG_LE, offset + FIRST_OFFSET_OFFSET, firstOffset);
        buffer.set(INT_LE, offset + COUNT_OFFSET, count);
        buffer.set(BYTE, offset + CODEC_OFFSET, (byte)codec.id());
        buffer.set(INT_LE, offset + UNCOMPRESSED_LENGTH_OFFSET, entriesLength);
        FrameHeader.seal(crc, view, buffer, offset, MessageType.BATCH, frameLength);
        committed = true;

        return frameLength;
    }

    private long claim(final long payloadLength)
    {
        checkWritable();
        if (payloadLength > maxPayloadLength())
        {
            throw new IllegalArgumentException(
                "payload of " + payloadLength + " bytes exceeds maxPayloadLength=" + maxPayloadLength() +
                " (maxFrameBytes=" + maxFrameBytes + ", capacity " + limit + ")");
        }
        if (payloadLength > limit - position - ENTRY_HEADER_LENGTH)
        {
            return -1;
        }
        return offset + position;
    }

    private void finish(final long entry, final long timestampNs, final int crc32c, final int length)
    {
        buffer.set(LONG_LE, entry + ENTRY_TIMESTAMP_OFFSET, timestampNs);
        buffer.set(INT_LE, entry + ENTRY_CRC32C_OFFSET, crc32c);
        buffer.set(INT_LE, entry + ENTRY_LENGTH_OFFSET, length);
        position += ENTRY_HEADER_LENGTH + length;
        count++;
    }

    private void checkWritable()
    {
        if (null == buffer)
        {
            throw new IllegalStateException("no buffer wrapped");
        }
        if (committed)
        {
            throw new IllegalStateException("batch already committed: reset() or wrap() to start a new one");
        }
    }
}
