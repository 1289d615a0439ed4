package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;

/**
 * Flyweight over a {@code STATUS_REQUEST} frame: any client may send one instead of {@code HELLO} and gets one
 * {@code STATUS_RESPONSE}. The body is empty.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     frame header, see FrameHeader (type STATUS_REQUEST)       |  0
 *  +---------------------------------------------------------------+  12
 * </pre>
 * Reusable, single-threaded, allocation-free.
 */
public final class StatusRequestFlyweight extends MessageFlyweight<StatusRequestFlyweight>
{
    /** Length of a {@code STATUS_REQUEST} frame: the header alone. */
    public static final int LENGTH = HEADER_LENGTH;

    private static final MessageType TYPE = MessageType.STATUS_REQUEST;

    /**
     * Creates an unwrapped flyweight.
     */
    public StatusRequestFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Nothing to check: the body is empty and {@link #decode(MemorySegment, long, long)} has checked the
     * frame is a {@code STATUS_REQUEST} of the right length.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
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
     * Writes a whole {@code STATUS_REQUEST} frame and seals it.
     *
     * @param buffer      the memory to write to, at least {@link #LENGTH} bytes from {@code frameOffset}.
     * @param frameOffset the offset of the frame's first byte.
     * @return the frame length, {@link #LENGTH}.
     */
    public int encode(final MemorySegment buffer, final long frameOffset)
    {
        return wrap(buffer, frameOffset).seal();
    }

    @Override
    public String toString()
    {
        return null == buffer ? "StatusRequestFlyweight[unwrapped]" : "STATUS_REQUEST[]";
    }
}
