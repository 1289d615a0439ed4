package dev.ferry.net.message;

import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over a {@code SNAPSHOT_END} frame: the snapshot's last chunk has been sent; batches from
 * {@code snapshotOffset} follow on the same connection. Offsets are from the start of the frame; all fields
 * little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |       frame header, see FrameHeader (type SNAPSHOT_END)       |  0
 *  +---------------------------------------------------------------+
 *  |                     snapshotOffset (u64)                      |  12
 *  +---------------------------------------------------------------+
 *  |                       totalBytes (u64)                        |  20
 *  +---------------------------------------------------------------+
 *  |              snapshotCrc (u32): CRC32C of all bytes           |  28
 *  +---------------------------------------------------------------+  32
 * </pre>
 * The three fields repeat the chunks' (a replica checks they agree, and that it holds {@code totalBytes} bytes whose
 * CRC32C is {@code snapshotCrc}); {@code snapshotOffset} and {@code totalBytes} are in {@code [0, 2^63)}. The frame
 * is exactly {@link #LENGTH} bytes.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class SnapshotEndFlyweight extends MessageFlyweight<SnapshotEndFlyweight>
{
    /** Offset of the offset the snapshot stands at. */
    public static final int SNAPSHOT_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the snapshot's length in bytes. */
    public static final int TOTAL_BYTES_OFFSET = SNAPSHOT_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the CRC32C of the whole snapshot. */
    public static final int SNAPSHOT_CRC_OFFSET = TOTAL_BYTES_OFFSET + Long.BYTES;
    /** Length of a {@code SNAPSHOT_END} frame. */
    public static final int LENGTH = SNAPSHOT_CRC_OFFSET + Integer.BYTES;

    private static final MessageType TYPE = MessageType.SNAPSHOT_END;

    /**
     * Creates an unwrapped flyweight.
     */
    public SnapshotEndFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * @throws FrameException {@code BAD_FIELD} for a negative offset or length.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkNonNegative(TYPE, "snapshotOffset", buffer.get(LONG_LE, frameOffset + SNAPSHOT_OFFSET_OFFSET));
        Messages.checkNonNegative(TYPE, "totalBytes", buffer.get(LONG_LE, frameOffset + TOTAL_BYTES_OFFSET));
    }

    @Override
    int frameLength()
    {
        return LENGTH;
    }

    /**
     * Writes a whole {@code SNAPSHOT_END} frame and seals it.
     *
     * @param buffer         the memory to write to.
     * @param frameOffset    the offset of the frame's first byte.
     * @param snapshotOffset the offset the snapshot stands at.
     * @param totalBytes     the snapshot's length.
     * @param snapshotCrc    the CRC32C of the whole snapshot.
     * @return {@link #LENGTH}.
     */
    public int encode(final MemorySegment buffer, final long frameOffset, final long snapshotOffset,
        final long totalBytes, final int snapshotCrc)
    {
        wrap(buffer, frameOffset);
        buffer.set(LONG_LE, frameOffset + SNAPSHOT_OFFSET_OFFSET, snapshotOffset);
        buffer.set(LONG_LE, frameOffset + TOTAL_BYTES_OFFSET, totalBytes);
        buffer.set(INT_LE, frameOffset + SNAPSHOT_CRC_OFFSET, snapshotCrc);
        return seal();
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

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "SnapshotEndFlyweight[unwrapped]";
        }
        return "SNAPSHOT_END[snapshotOffset=" + snapshotOffset() + ", totalBytes=" + totalBytes() + ", snapshotCrc=" +
            Integer.toHexString(snapshotCrc()) + "]";
    }
}
