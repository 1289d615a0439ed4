package dev.ferry.net.message;

import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

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
public final class HeartbeatFlyweight
{
    /** Offset of the sender's next offset to write. */
    public static final int HEAD_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the sender's time. */
    public static final int TIME_NS_OFFSET = HEAD_OFFSET_OFFSET + Long.BYTES;
    /** Length of a {@code HEARTBEAT} frame. */
    public static final int LENGTH = TIME_NS_OFFSET + Long.BYTES;

    private static final MessageType TYPE = MessageType.HEARTBEAT;

    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private MemorySegment buffer;
    private long offset;

    /**
     * Creates an unwrapped flyweight.
     */
    public HeartbeatFlyweight()
    {
    }

    /**
     * Wraps a frame without checking it: to encode, or to read one {@link #decode(MemorySegment, long, long)}
     * already accepted.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @return this.
     */
    public HeartbeatFlyweight wrap(final MemorySegment buffer, final long frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    /**
     * Wraps a verified frame that fills {@code frame} exactly and checks every field.
     *
     * @param frame the frame.
     * @return this.
     * @throws FrameException if a field is invalid.
     */
    public HeartbeatFlyweight decode(final MemorySegment frame)
    {
        return decode(frame, 0, frame.byteSize());
    }

    /**
     * Wraps the frame at {@code [frameOffset, frameOffset + frameLength)}, already accepted by
     * {@code FrameDecoder.verify}, and checks every field.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @param frameLength the frame length.
     * @return this.
     * @throws FrameException {@code TOO_SHORT} / {@code LENGTH_MISMATCH} / {@code UNKNOWN_TYPE} for a frame that is
     *                        not a {@code HEARTBEAT} of the right length, {@code BAD_FIELD} for a negative offset; all
     *                        with code {@code PROTOCOL}.
     */
    public HeartbeatFlyweight decode(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        this.buffer = null;
        Messages.checkFrame(buffer, frameOffset, frameLength, TYPE, LENGTH);
        Messages.checkExactLength(TYPE, frameLength, LENGTH);
        Messages.checkNonNegative(TYPE, "headOffset", buffer.get(LONG_LE, frameOffset + HEAD_OFFSET_OFFSET));

        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
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
     * Writes the frame header and CRC32C over the body already set.
     *
     * @return the frame length, {@link #LENGTH}.
     */
    public int seal()
    {
        FrameHeader.seal(crc, view, buffer, offset, TYPE, LENGTH);
        return LENGTH;
    }

    /**
     * @return the wrapped memory.
     */
    public MemorySegment buffer()
    {
        return buffer;
    }

    /**
     * @return the offset of the frame's first byte.
     */
    public long offset()
    {
        return offset;
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
