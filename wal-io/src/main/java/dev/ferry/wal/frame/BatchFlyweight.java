package dev.ferry.wal.frame;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over a {@code BATCH} frame's fixed fields, and the layout of the batch body and its entries. Offsets are
 * from the start of the frame. Written by {@link BatchEncoder}, read by {@link BatchDecoder}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 frame header, see FrameHeader                 |  0
 *  |                    (type BATCH, 12 bytes)                     |
 *  +---------------------------------------------------------------+
 *  |                       firstOffset (u64)                       |  12
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          count (u32)                          |  20
 *  +---------------+-----------------------------------------------+
 *  |  codec (u8)   |             uncompressedLength (u32)         ...  24
 *  +---------------+---------------+-------------------------------+
 * ...              |  entries, compressed with codec, to length   ...  29
 *  +---------------+-----------------------------------------------+
 *
 *  entry (uncompressed), offsets from the start of the entry:
 *  +---------------------------------------------------------------+
 *  |                       timestampNs (u64)                       |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                crc32c (u32) of the payload only               |  8
 *  +---------------------------------------------------------------+
 *  |                      payload length (u32)                     |  12
 *  +---------------------------------------------------------------+
 *  |                        payload ...                           ...  16
 *  +---------------------------------------------------------------+
 * </pre>
 * Entry {@code i} has offset {@code firstOffset + i}. {@code uncompressedLength} is the length of the entries region
 * before compression (equal to the region's length for codec {@code NONE}); the {@code count} entries fill it
 * exactly. Offsets are non-negative: {@code firstOffset + count} must not exceed {@link Long#MAX_VALUE}.
 */
public final class BatchFlyweight
{
    /** Offset of the first entry's offset. */
    public static final int FIRST_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the entry count. */
    public static final int COUNT_OFFSET = FIRST_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the codec id. */
    public static final int CODEC_OFFSET = COUNT_OFFSET + Integer.BYTES;
    /** Offset of the uncompressed length of the entries region. */
    public static final int UNCOMPRESSED_LENGTH_OFFSET = CODEC_OFFSET + 1;
    /** Offset of the entries region. */
    public static final int ENTRIES_OFFSET = UNCOMPRESSED_LENGTH_OFFSET + Integer.BYTES;
    /** Length of the batch header that follows the frame header. */
    public static final int BATCH_HEADER_LENGTH = ENTRIES_OFFSET - HEADER_LENGTH;

    /** Offset of an entry's timestamp, from the start of the entry. */
    public static final int ENTRY_TIMESTAMP_OFFSET = 0;
    /** Offset of an entry's payload CRC32C, from the start of the entry. */
    public static final int ENTRY_CRC32C_OFFSET = 8;
    /** Offset of an entry's payload length, from the start of the entry. */
    public static final int ENTRY_LENGTH_OFFSET = 12;
    /** Length of an entry's header; the payload follows. */
    public static final int ENTRY_HEADER_LENGTH = 16;

    private MemorySegment buffer;
    private long offset;

    /**
     * Creates an unwrapped flyweight.
     */
    public BatchFlyweight()
    {
    }

    /**
     * @param maxFrameBytes the maximum frame size.
     * @return the largest entries region (uncompressed) a batch frame of that size can carry.
     */
    public static int maxEntriesLength(final int maxFrameBytes)
    {
        return maxFrameBytes - ENTRIES_OFFSET;
    }

    /**
     * @param maxFrameBytes the maximum frame size.
     * @return the largest payload a single entry in a batch frame of that size can carry.
     */
    public static int maxPayloadLength(final int maxFrameBytes)
    {
        return maxFrameBytes - ENTRIES_OFFSET - ENTRY_HEADER_LENGTH;
    }

    /**
     * @param buffer the memory holding the frame.
     * @param offset the offset of the frame's first byte.
     * @return this.
     */
    public BatchFlyweight wrap(final MemorySegment buffer, final long offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return the offset of the first entry, as stored (unchecked).
     */
    public long firstOffset()
    {
        return buffer.get(LONG_LE, offset + FIRST_OFFSET_OFFSET);
    }

    /**
     * @param firstOffset the offset of the first entry.
     * @return this.
     */
    public BatchFlyweight firstOffset(final long firstOffset)
    {
        buffer.set(LONG_LE, offset + FIRST_OFFSET_OFFSET, firstOffset);
        return this;
    }

    /**
     * @return the entry count, as an unsigned value (unchecked).
     */
    public long count()
    {
        return Integer.toUnsignedLong(buffer.get(INT_LE, offset + COUNT_OFFSET));
    }

    /**
     * @param count the entry count.
     * @return this.
     */
    public BatchFlyweight count(final int count)
    {
        buffer.set(INT_LE, offset + COUNT_OFFSET, count);
        return this;
    }

    /**
     * @return the codec id byte (0..255, unchecked).
     */
    public int codecId()
    {
        return buffer.get(BYTE, offset + CODEC_OFFSET) & 0xFF;
    }

    /**
     * @param codecId the codec id.
     * @return this.
     */
    public BatchFlyweight codecId(final int codecId)
    {
        buffer.set(BYTE, offset + CODEC_OFFSET, (byte)codecId);
        return this;
    }

    /**
     * @return the uncompressed length of the entries region, as an unsigned value (unchecked).
     */
    public long uncompressedLength()
    {
        return Integer.toUnsignedLong(buffer.get(INT_LE, offset + UNCOMPRESSED_LENGTH_OFFSET));
    }

    /**
     * @param uncompressedLength the uncompressed length of the entries region.
     * @return this.
     */
    public BatchFlyweight uncompressedLength(final int uncompressedLength)
    {
        buffer.set(INT_LE, offset + UNCOMPRESSED_LENGTH_OFFSET, uncompressedLength);
        return this;
    }
}
