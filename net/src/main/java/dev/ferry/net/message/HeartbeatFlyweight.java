package dev.ferry.net.message;

import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over a {@code HEARTBEAT} frame, sent either way on an idle link. Offsets are from the start of the frame;
 * all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        frame header, see FrameHeader (type HEARTBEAT)         |  0
 *  +---------------------------------------------------------------+
 *  |                        headOffset (u64)                       |  12
 *  +---------------------------------------------------------------+
 *  |                          timeNs (u64)                         |  20
 *  +---------------------------------------------------------------+  28
 * </pre>
 * {@code headOffset}, in {@code [0, 2^63)}, is the sender's next offset to write (the primary's head; a replica's
 * received offset). {@code timeNs} is the sender's wall clock in ns since the Unix epoch, not checked. The frame is
 * exactly {@link #LENGTH} bytes.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class HeartbeatFlyweight extends MessageFlyweight<HeartbeatFlyweight>
{
    /** Offset of the sender's next offset to write. */
    public static final int HEAD_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the sender's time. */
    public static final int TIME_NS_OFFSET = HEAD_OFFSET_OFFSET + Long.BYTES;
    /** Length of a {@code HEARTBEAT} frame. */
    public static final int LENGTH = TIME_NS_OFFSET + Long.BYTES;

    private static final MessageType TYPE = MessageType.HEARTBEAT;

    /**
     * Creates an unwrapped flyweight.
     */
    public HeartbeatFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Checks the body of a {@code HEARTBEAT} frame whose type and exact length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for a negative offset.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkNonNegative(TYPE, "headOffset", buffer.get(LONG_LE, frameOffset + HEAD_OFFSET_OFFSET));
    }

    /**
     * @return {@link #LENGTH}.
     */
    @Override
    int frameLength()
    {
        return LENGTH;
    }

    /**
     * Writes a whole {@code HEARTBEAT} frame and seals it.
     *
     * @param buffer      the memory to write to, at least {@link #LENGTH} bytes from {@code frameOffset}.
     * @param frameOffset the offset of the frame's first byte.
     * @param headOffset  the sender's next offset to write.
     * @param timeNs      the sender's wall clock in ns since the Unix epoch.
     * @return the frame length, {@link #LENGTH}.
     */
    public int encode(final MemorySegment buffer, final long frameOffset, final long headOffset, final long timeNs)
    {
        return wrap(buffer, frameOffset).headOffset(headOffset).timeNs(timeNs).seal();
    }

    /**
     * @return the sender's next offset to write.
     */
    public long headOffset()
    {
        return buffer.get(LONG_LE, offset + HEAD_OFFSET_OFFSET);
    }

    /**
     * @param headOffset the sender's next offset to write.
     * @return this.
     */
    public HeartbeatFlyweight headOffset(final long headOffset)
    {
        buffer.set(LONG_LE, offset + HEAD_OFFSET_OFFSET, headOffset);
        return this;
    }

    /**
     * @return the sender's wall clock in ns since the Unix epoch.
     */
    public long timeNs()
    {
        return buffer.get(LONG_LE, offset + TIME_NS_OFFSET);
    }

    /**
     * @param timeNs the sender's wall clock in ns since the Unix epoch.
     * @return this.
     */
    public HeartbeatFlyweight timeNs(final long timeNs)
    {
        buffer.set(LONG_LE, offset + TIME_NS_OFFSET, timeNs);
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "HeartbeatFlyweight[unwrapped]";
        }
        return "HEARTBEAT[headOffset=" + headOffset() + ", timeNs=" + timeNs() + "]";
    }
}
