package dev.ferry.wal.frame;

import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;

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
import static dev.ferry.wal.frame.FrameHeader.LENGTH_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.TYPE_OFFSET;

/**
 * Reads a {@code BATCH} frame (layout in {@link BatchFlyweight}) that {@link FrameDecoder#verify} has accepted,
 * treating every field as hostile.
 * <p>
 * {@link #wrap(MemorySegment, long, long)} checks the batch header: {@code firstOffset} non-negative and
 * {@code firstOffset + count} within {@code long} (so also no unsigned overflow), a known codec,
 * {@code uncompressedLength} at most {@link BatchFlyweight#maxEntriesLength(int)} (and equal to the region for
 * {@code NONE}), {@code count} at most {@code uncompressedLength / 16}. The caller can then look at
 * {@link #firstOffset()} and {@link #count()} (e.g. for a gap) before {@link #forEach(MemorySegment, BatchEntryHandler)}
 * decompresses into the caller's scratch memory (checking the result is exactly {@code uncompressedLength} bytes),
 * walks the entry headers to check that exactly {@code count} entries fill exactly the region, and then checks each
 * payload's CRC32C and hands it to the consumer as a zero-copy slice.
 * <p>
 * A payload CRC32C mismatch (reason {@code BAD_ENTRY_CHECKSUM}, code {@code CHECKSUM}) is found entry by entry, so
 * the entries before the damaged one have already been delivered; its message names the damaged offset, the one to
 * resend from. Every other failure is found before any entry is delivered.
 * <p>
 * Reusable, single-threaded; decompressors are created on first use and freed by {@link #close()}. Allocation-free
 * when the same frame buffer and scratch segments are passed on every call, apart from the payload slice handed to
 * the consumer: escape analysis removes it when the consumer call inlines (measured 0 B per batch with one consumer
 * class), not when the call site is megamorphic (40 B per entry).
 */
public final class BatchDecoder implements AutoCloseable
{
    private final int maxFrameBytes;
    private final int maxEntriesLength;
    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private final Compressor[] decompressors = new Compressor[Codec.values().length];
    private MemorySegment buffer;
    private long offset;
    private int length;
    private long firstOffset;
    private int count;
    private Codec codec;
    private int uncompressedLength;

    private int currentCrc32c;
    private MemorySegment currentEntries;
    private long currentPayloadOffset;
    private int currentPayloadLength;

    /**
     * @param maxFrameBytes the largest frame accepted, as given to the {@link FrameDecoder}.
     * @throws dev.ferry.error.FerryException with {@code CONFIGURATION} if {@code maxFrameBytes} is out of range.
     */
    public BatchDecoder(final int maxFrameBytes)
    {
        this.maxFrameBytes = FrameHeader.checkMaxFrameBytes(maxFrameBytes);
        this.maxEntriesLength = BatchFlyweight.maxEntriesLength(maxFrameBytes);
    }

    /**
     * @param maxFrameBytes the maximum frame size.
     * @return the scratch length {@link #forEach(MemorySegment, BatchEntryHandler)} needs for compressed batches.
     */
    public static int scratchLength(final int maxFrameBytes)
    {
        return BatchFlyweight.maxEntriesLength(maxFrameBytes);
    }

    /**
     * @return the largest frame accepted.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * Wraps a verified batch frame that fills {@code frame} exactly and checks its batch header.
     *
     * @param frame the frame.
     * @return this.
     * @throws FrameException if the batch header is malformed.
     */
    public BatchDecoder wrap(final MemorySegment frame)
    {
        return wrap(frame, 0, frame.byteSize());
    }

    /**
     * Wraps the verified batch frame at {@code [offset, offset + length)} and checks its batch header.
     *
     * @param buffer the memory holding the frame.
     * @param offset the offset of the frame's first byte.
     * @param length the frame length.
     * @return this.
     * @throws FrameException if the batch header is malformed.
     */
    public BatchDecoder wrap(final MemorySegment buffer, final long offset, final long length)
    {
        Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        this.buffer = null;
        if (length < ENTRIES_OFFSET)
        {
            throw new FrameException(
                FrameException.Reason.TOO_SHORT,
                "batch frame of " + length + " bytes is shorter than the batch header (" + ENTRIES_OFFSET + ")");
        }
        if (length > maxFrameBytes)
        {
            throw new FrameException(
                FrameException.Reason.TOO_LONG,
                "batch frame of " + length + " bytes exceeds maxFrameBytes=" + maxFrameBytes);
        }
        final long lengthField = Integer.toUnsignedLong(buffer.get(INT_LE, offset + LENGTH_OFFSET));
        if (lengthField != length)
        {
            throw new FrameException(
                FrameException.Reason.LENGTH_MISMATCH,
                "frame length field is " + lengthField + " but the frame has " + length + " bytes");
        }
        final int typeValue = buffer.get(BYTE, offset + TYPE_OFFSET) & 0xFF;
        if (MessageType.BATCH.value() != typeValue)
        {
            throw new FrameException(
                FrameException.Reason.UNKNOWN_TYPE, "frame type " + typeValue + " is not BATCH");
        }

        final long firstOffset = buffer.get(LONG_LE, offset + FIRST_OFFSET_OFFSET);
        final long count = Integer.toUnsignedLong(buffer.get(INT_LE, offset + COUNT_OFFSET));
        if (firstOffset < 0 || count > Long.MAX_VALUE - firstOffset)
        {
            throw new FrameException(
                FrameException.Reason.BAD_FIELD,
                "batch firstOffset=" + Long.toUnsignedString(firstOffset) + " + count=" + count +
                " is outside the offset range [0, " + Long.MAX_VALUE + "]");
        }

        final int codecId = buffer.get(BYTE, offset + CODEC_OFFSET) & 0xFF;
        final Codec codec = Codec.fromId(codecId);
        if (null == codec)
        {
            throw new FrameException(FrameException.Reason.UNKNOWN_CODEC, "unknown batch codec id " + codecId);
        }

        final long uncompressedLength =
            Integer.toUnsignedLong(buffer.get(INT_LE, offset + UNCOMPRESSED_LENGTH_OFFSET));
        if (uncompressedLength > maxEntriesLength)
        {
            throw new FrameException(
                FrameException.Reason.BAD_FIELD,
                "batch uncompressedLength=" + uncompressedLength + " exceeds " + maxEntriesLength +
                " (maxFrameBytes=" + maxFrameBytes + ")");
        }
        final long regionLength = length - ENTRIES_OFFSET;
        if (Codec.NONE == codec && uncompressedLength != regionLength)
        {
            throw new FrameException(
                FrameException.Reason.LENGTH_MISMATCH,
                "uncompressed batch declares uncompressedLength=" + uncompressedLength + " but carries " +
                regionLength + " bytes of entries");
        }
        if (count > uncompressedLength / ENTRY_HEADER_LENGTH)
        {
            throw new FrameException(
                FrameException.Reason.BAD_FIELD,
                "batch count=" + count + " cannot fit in uncompressedLength=" + uncompressedLength + " bytes");
        }

        this.buffer = buffer;
        this.offset = offset;
        this.length = (int)length;
        this.firstOffset = firstOffset;
        this.count = (int)count;
        this.codec = codec;
        this.uncompressedLength = (int)uncompressedLength;

        return this;
    }

    /**
     * @return the wrapped frame's length.
     */
    public int frameLength()
    {
        return length;
    }

    /**
     * @return the offset of the wrapped batch's first entry.
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * @return the number of entries in the wrapped batch.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the codec of the wrapped batch.
     */
    public Codec codec()
    {
        return codec;
    }

    /**
     * @return the uncompressed length of the wrapped batch's entries region.
     */
    public int uncompressedLength()
    {
        return uncompressedLength;
    }

    /**
     * Decompresses the wrapped batch if needed and hands each entry to {@code consumer}, in offset order.
     *
     * @param scratch  native memory of at least {@link #scratchLength(int)} bytes for compressed batches (reused:
     *                 pass the same segment every time), or {@code null} to accept uncompressed batches only.
     * @param consumer receives the entries.
     * @return the number of entries delivered.
     * @throws FrameException         if the entries are malformed, damaged or cannot be decompressed.
     * @throws IllegalStateException  if no valid frame is wrapped.
     * @throws IllegalArgumentException if {@code scratch} is too small.
     */
    public int forEach(final MemorySegment scratch, final BatchEntryHandler consumer)
    {
        if (null == buffer)
        {
            throw new IllegalStateException("no valid batch frame wrapped");
        }

        final MemorySegment entries;
        final long base;
        if (Codec.NONE == codec)
        {
            entries = buffer;
            base = offset + ENTRIES_OFFSET;
        }
        else
        {
            decompress(scratch);
            entries = scratch;
            base = 0;
        }

        final long end = base + uncompressedLength;
        checkEntries(entries, base, end);

        final long firstOffset = this.firstOffset;
        final int count = this.count;
        long position = base;
        for (int i = 0; i < count; i++)
        {
            final long timestampNs = entries.get(LONG_LE, position + ENTRY_TIMESTAMP_OFFSET);
            final int storedCrc = entries.get(INT_LE, position + ENTRY_CRC32C_OFFSET);
            final int payloadLength = entries.get(INT_LE, position + ENTRY_LENGTH_OFFSET);
            final long payload = position + ENTRY_HEADER_LENGTH;

            crc.reset();
            crc.update(view.view(entries, payload, payloadLength));
            final int actualCrc = (int)crc.getValue();
            if (actualCrc != storedCrc)
            {
                throw new FrameException(
                    FrameException.Reason.BAD_ENTRY_CHECKSUM,
                    "entry at offset " + (firstOffset + i) + " has crc32c " + Integer.toHexString(storedCrc) +
                    " but its " + payloadLength + " bytes give " + Integer.toHexString(actualCrc) +
                    "; resend from offset " + (firstOffset + i));
            }

            currentCrc32c = actualCrc;
            currentEntries = entries;
            currentPayloadOffset = payload;
            currentPayloadLength = payloadLength;
            consumer.onEntry(firstOffset + i, timestampNs, entries.asSlice(payload, payloadLength));
            position = payload + payloadLength;
        }

        return count;
    }

    /**
     * @return the memory holding the entry being delivered (the frame, or the decompression scratch), valid only
     * inside {@link BatchEntryHandler#onEntry}: with {@link #entryPayloadOffset()} and {@link #entryPayloadLength()} a
     * receiver can copy the payload without the slice object.
     */
    public MemorySegment entryMemory()
    {
        return currentEntries;
    }

    /**
     * @return where the payload of the entry being delivered starts in {@link #entryMemory()}.
     */
    public long entryPayloadOffset()
    {
        return currentPayloadOffset;
    }

    /**
     * @return the payload length of the entry being delivered.
     */
    public int entryPayloadLength()
    {
        return currentPayloadLength;
    }

    /**
     * @return the verified CRC32C of the entry being delivered, valid only inside {@link BatchEntryHandler#onEntry}
     * (lets a receiver store the entry without computing it again).
     */
    public int entryCrc32c()
    {
        return currentCrc32c;
    }

    /**
     * Wraps a verified batch frame that fills {@code frame} exactly and delivers its entries.
     *
     * @param frame    the frame.
     * @param scratch  see {@link #forEach(MemorySegment, BatchEntryHandler)}.
     * @param consumer receives the entries.
     * @return the number of entries delivered.
     * @throws FrameException if the batch is malformed, damaged or cannot be decompressed.
     */
    public int decode(final MemorySegment frame, final MemorySegment scratch, final BatchEntryHandler consumer)
    {
        return wrap(frame, 0, frame.byteSize()).forEach(scratch, consumer);
    }

    /**
     * Frees the decompressors; the decoder can still be used and recreates them on demand.
     */
    @Override
    public void close()
    {
        for (int i = 0; i < decompressors.length; i++)
        {
            if (null != decompressors[i])
            {
                decompressors[i].close();
                decompressors[i] = null;
            }
        }
        view.clear();
        buffer = null;
    }

    private void decompress(final MemorySegment scratch)
    {
        if (null == scratch)
        {
            throw new FrameException(
                FrameException.Reason.UNKNOWN_CODEC,
                "batch is compressed with " + codec + " but this receiver accepts uncompressed batches only");
        }
        if (scratch.byteSize() < maxEntriesLength)
        {
            throw new IllegalArgumentException(
                "scratch of " + scratch.byteSize() + " bytes is smaller than scratchLength=" + maxEntriesLength);
        }

        Compressor decompressor = decompressors[codec.ordinal()];
        if (null == decompressor)
        {
            decompressor = Compressors.of(codec);
            decompressors[codec.ordinal()] = decompressor;
        }
        decompressor.decompress(
            buffer, offset + ENTRIES_OFFSET, length - ENTRIES_OFFSET, scratch, 0, uncompressedLength);
    }

    private void checkEntries(final MemorySegment entries, final long base, final long end)
    {
        long position = base;
        for (int i = 0; i < count; i++)
        {
            if (end - position < ENTRY_HEADER_LENGTH)
            {
                throw new FrameException(
                    FrameException.Reason.LENGTH_MISMATCH,
                    "batch declares " + count + " entries but the entries region ends after " + i);
            }
            final long payloadLength = Integer.toUnsignedLong(entries.get(INT_LE, position + ENTRY_LENGTH_OFFSET));
            final long remaining = end - position - ENTRY_HEADER_LENGTH;
            if (payloadLength > remaining)
            {
                throw new FrameException(
                    FrameException.Reason.BAD_FIELD,
                    "entry at offset " + (firstOffset + i) + " declares " + payloadLength + " bytes but only " +
                    remaining + " remain in the batch");
            }
            position += ENTRY_HEADER_LENGTH + payloadLength;
        }
        if (position != end)
        {
            throw new FrameException(
                FrameException.Reason.LENGTH_MISMATCH,
                "batch has " + (end - position) + " bytes after its " + count + " entries");
        }
    }
}
