package dev.ferry.net.message;

import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Flyweight over a {@code SNAPSHOT_CHUNK} frame: one piece of the snapshot a primary ships after
 * {@code WELCOME mode=SNAPSHOT}. Every chunk names the snapshot it belongs to (its offset, total length and whole
 * CRC32C), so a replica that kept the chunks of an interrupted transfer can name them in its next {@code HELLO} and a
 * chunk of another snapshot is never mixed in. Offsets are from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |      frame header, see FrameHeader (type SNAPSHOT_CHUNK)      |  0
 *  +---------------------------------------------------------------+
 *  |                     snapshotOffset (u64)                      |  12
 *  +---------------------------------------------------------------+
 *  |                       totalBytes (u64)                        |  20
 *  +---------------------------------------------------------------+
 *  |              snapshotCrc (u32): CRC32C of all bytes           |  28
 *  +---------------+---------------+-------------------------------+
 *  |  codec (u8)   | reserved (u8) |       reserved (u16) = 0      |  32
 *  +---------------+---------------+-------------------------------+
 *  |                        byteOffset (u64)                       |  36
 *  +---------------------------------------------------------------+
 *  |                        rawLength (u32)                        |  44
 *  +---------------------------------------------------------------+
 *  |     rawCrc (u32): CRC32C of the raw bytes (0 when NONE)       |  48
 *  +---------------------------------------------------------------+
 *  |    data: the raw bytes, or compressed with codec             ...  52
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code snapshotOffset} (the offset the snapshot stands at: the first entry streamed after it), {@code totalBytes}
 * and {@code byteOffset} are in {@code [0, 2^63)}; {@code rawLength} in {@code [1, MAX_RAW_LENGTH]} with
 * {@code byteOffset + rawLength <= totalBytes}; {@code codec} a known {@link Codec} id, the reserved bytes zero; the
 * data at least one byte, exactly {@code rawLength} bytes when {@code codec} is {@code NONE}. Chunks come in order,
 * each starting where the one before ended. The frame's own CRC32C covers the bytes as sent; {@code rawCrc} checks
 * what decompression gave.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class SnapshotChunkFlyweight extends MessageFlyweight<SnapshotChunkFlyweight>
{
    /** Offset of the offset the snapshot stands at. */
    public static final int SNAPSHOT_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the snapshot's length in bytes. */
    public static final int TOTAL_BYTES_OFFSET = SNAPSHOT_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the CRC32C of the whole snapshot. */
    public static final int SNAPSHOT_CRC_OFFSET = TOTAL_BYTES_OFFSET + Long.BYTES;
    /** Offset of the codec id of this chunk's data. */
    public static final int CODEC_OFFSET = SNAPSHOT_CRC_OFFSET + Integer.BYTES;
    /** Offset of the reserved byte, zero in this version. */
    public static final int RESERVED_BYTE_OFFSET = CODEC_OFFSET + 1;
    /** Offset of the reserved u16, zero in this version. */
    public static final int RESERVED_OFFSET = RESERVED_BYTE_OFFSET + 1;
    /** Offset of the position of this chunk's first byte in the snapshot. */
    public static final int BYTE_OFFSET_OFFSET = RESERVED_OFFSET + Short.BYTES;
    /** Offset of the chunk's length before compression. */
    public static final int RAW_LENGTH_OFFSET = BYTE_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the CRC32C of the chunk's bytes before compression. */
    public static final int RAW_CRC_OFFSET = RAW_LENGTH_OFFSET + Integer.BYTES;
    /** Offset of the data. */
    public static final int DATA_OFFSET = RAW_CRC_OFFSET + Integer.BYTES;
    /** The shortest frame: one byte of data. */
    public static final int MIN_LENGTH = DATA_OFFSET + 1;
    /** The largest chunk before compression: what a receiver's decompression buffer must hold. */
    public static final int MAX_RAW_LENGTH = 1024 * 1024;

    private static final MessageType TYPE = MessageType.SNAPSHOT_CHUNK;

    private int frameBytes;

    /**
     * Creates an unwrapped flyweight.
     */
    public SnapshotChunkFlyweight()
    {
        super(TYPE, MIN_LENGTH, false);
    }

    /**
     * @param dataLength the bytes of data carried.
     * @return the frame length.
     */
    public static int length(final int dataLength)
    {
        return DATA_OFFSET + dataLength;
    }

    /**
     * Checks the body of a {@code SNAPSHOT_CHUNK} frame whose type and minimum length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for a field out of range, {@code LENGTH_MISMATCH} for uncompressed
     *                        data that is not {@code rawLength} bytes.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkNonNegative(TYPE, "snapshotOffset", buffer.get(LONG_LE, frameOffset + SNAPSHOT_OFFSET_OFFSET));
        final long total = Messages.checkNonNegative(TYPE, "totalBytes", buffer.get(LONG_LE, frameOffset + TOTAL_BYTES_OFFSET));
        final int codecId = buffer.get(BYTE, frameOffset + CODEC_OFFSET) & 0xFF;
        final Codec codec = Codec.fromId(codecId);
        if (null == codec)
        {
            throw Messages.badField(TYPE, "codec=" + codecId + " is not a known codec id");
        }
        if (0 != buffer.get(BYTE, frameOffset + RESERVED_BYTE_OFFSET) || 0 != buffer.get(SHORT_LE, frameOffset + RESERVED_OFFSET))
        {
            throw Messages.badField(TYPE, "the reserved bytes must be 0");
        }
        final long byteOffset = Messages.checkNonNegative(TYPE, "byteOffset", buffer.get(LONG_LE, frameOffset + BYTE_OFFSET_OFFSET));
        final long rawLength = Integer.toUnsignedLong(buffer.get(INT_LE, frameOffset + RAW_LENGTH_OFFSET));
        if (rawLength < 1 || rawLength > MAX_RAW_LENGTH)
        {
            throw Messages.badField(TYPE, "rawLength=" + rawLength + " is outside [1, " + MAX_RAW_LENGTH + "]");
        }
        if (byteOffset > total - rawLength)
        {
            throw Messages.badField(TYPE, "byteOffset=" + byteOffset + " + rawLength=" + rawLength +
                " runs past totalBytes=" + total);
        }
        if (codec == Codec.NONE)
        {
            Messages.checkExactLength(TYPE, frameLength, DATA_OFFSET + rawLength);
        }
    }

    /**
     * @return the frame length: the data runs to the end of the frame, so it is the length decoded, or the one
     *         {@link #header} set.
     */
    @Override
    int frameLength()
    {
        return frameBytes;
    }

    /**
     * Wraps a frame without checking it (see {@link MessageFlyweight#wrap}); its length is read from its header.
     */
    @Override
    public SnapshotChunkFlyweight wrap(final MemorySegment buffer, final long frameOffset)
    {
        super.wrap(buffer, frameOffset);
        frameBytes = buffer.get(INT_LE, frameOffset + FrameHeader.LENGTH_OFFSET);
        return this;
    }

    /**
     * Wraps and checks a frame; its length is remembered for {@link #dataLength()}.
     *
     * @see MessageFlyweight#decode(MemorySegment, long, long)
     */
    @Override
    public SnapshotChunkFlyweight decode(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        super.decode(buffer, frameOffset, frameLength);
        frameBytes = (int)frameLength;
        return this;
    }

    /**
     * Writes every field but the data (copied by the caller at {@link #DATA_OFFSET}), for {@link #seal()}.
     *
     * @param buffer         the memory to write to.
     * @param frameOffset    the offset of the frame's first byte.
     * @param snapshotOffset the offset the snapshot stands at.
     * @param totalBytes     the snapshot's length.
     * @param snapshotCrc    the CRC32C of the whole snapshot.
     * @param codec          how the data is compressed.
     * @param byteOffset     the position of the chunk's first byte in the snapshot.
     * @param rawLength      the chunk's length before compression.
     * @param rawCrc         the CRC32C of the chunk before compression.
     * @param dataLength     the bytes of data the frame carries.
     * @return this.
     */
    public SnapshotChunkFlyweight header(final MemorySegment buffer, final long frameOffset, final long snapshotOffset,
        final long totalBytes, final int snapshotCrc, final Codec codec, final long byteOffset, final int rawLength,
        final int rawCrc, final int dataLength)
    {
        wrap(buffer, frameOffset);
        buffer.set(LONG_LE, frameOffset + SNAPSHOT_OFFSET_OFFSET, snapshotOffset);
        buffer.set(LONG_LE, frameOffset + TOTAL_BYTES_OFFSET, totalBytes);
        buffer.set(INT_LE, frameOffset + SNAPSHOT_CRC_OFFSET, snapshotCrc);
        buffer.set(BYTE, frameOffset + CODEC_OFFSET, (byte)codec.id());
        buffer.set(BYTE, frameOffset + RESERVED_BYTE_OFFSET, (byte)0);
        buffer.set(SHORT_LE, frameOffset + RESERVED_OFFSET, (short)0);
        buffer.set(LONG_LE, frameOffset + BYTE_OFFSET_OFFSET, byteOffset);
        buffer.set(INT_LE, frameOffset + RAW_LENGTH_OFFSET, rawLength);
        buffer.set(INT_LE, frameOffset + RAW_CRC_OFFSET, rawCrc);
        this.frameBytes = length(dataLength);
        return this;
    }

    /**
     * @return the offset the snapshot stands at.
     */
    public long snapshotOffset()
    {
        return buffer.get(LONG_LE, offset + SNAPSHOT_OFFSET_OFFSET);
    }

    /**
     * @return the snapshot's length in bytes.
     */
    public long totalBytes()
    {
        return buffer.get(LONG_LE, offset + TOTAL_BYTES_OFFSET);
    }

    /**
     * @return the CRC32C of the whole snapshot.
     */
    public int snapshotCrc()
    {
        return buffer.get(INT_LE, offset + SNAPSHOT_CRC_OFFSET);
    }

    /**
     * @return the codec of the data, or {@code null} for an unknown id in an unchecked frame.
     */
    public Codec codec()
    {
        return Codec.fromId(buffer.get(BYTE, offset + CODEC_OFFSET) & 0xFF);
    }

    /**
     * @return the position of this chunk's first byte in the snapshot.
     */
    public long byteOffset()
    {
        return buffer.get(LONG_LE, offset + BYTE_OFFSET_OFFSET);
    }

    /**
     * @return the chunk's length before compression.
     */
    public int rawLength()
    {
        return buffer.get(INT_LE, offset + RAW_LENGTH_OFFSET);
    }

    /**
     * @return the CRC32C of the chunk before compression.
     */
    public int rawCrc()
    {
        return buffer.get(INT_LE, offset + RAW_CRC_OFFSET);
    }

    /**
     * @return the offset of the data's first byte in {@link #buffer()}.
     */
    public long dataOffset()
    {
        return offset + DATA_OFFSET;
    }

    /**
     * @return the bytes of data the frame carries.
     */
    public int dataLength()
    {
        return frameBytes - DATA_OFFSET;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "SnapshotChunkFlyweight[unwrapped]";
        }
        return "SNAPSHOT_CHUNK[snapshotOffset=" + snapshotOffset() + ", totalBytes=" + totalBytes() + ", codec=" +
            codec() + ", byteOffset=" + byteOffset() + ", rawLength=" + rawLength() + ", dataLength=" + dataLength() + "]";
    }
}
