package dev.ferry.net.message;

import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

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
public final class StatusRequestFlyweight
{
    /** Length of a {@code STATUS_REQUEST} frame: the header alone. */
    public static final int LENGTH = HEADER_LENGTH;

    private static final MessageType TYPE = MessageType.STATUS_REQUEST;

    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private MemorySegment buffer;
    private long offset;

    /**
     * Creates an unwrapped flyweight.
     */
    public StatusRequestFlyweight()
    {
    }

    /**
     * Wraps a frame without checking it.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @return this.
     */
    public StatusRequestFlyweight wrap(final MemorySegment buffer, final long frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    /**
     * Wraps a verified frame that fills {@code frame} exactly and checks it.
     *
     * @param frame the frame.
     * @return this.
     * @throws FrameException if the frame is not an empty {@code STATUS_REQUEST}.
     */
    public StatusRequestFlyweight decode(final MemorySegment frame)
    {
        return decode(frame, 0, frame.byteSize());
    }

    /**
     * Wraps the frame at {@code [frameOffset, frameOffset + frameLength)}, already accepted by
     * {@code FrameDecoder.verify}, and checks it is a {@code STATUS_REQUEST} with an empty body.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @param frameLength the frame length.
     * @return this.
     * @throws FrameException {@code TOO_SHORT} / {@code LENGTH_MISMATCH} / {@code UNKNOWN_TYPE}, code
     *                        {@code PROTOCOL}.
     */
    public StatusRequestFlyweight decode(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        this.buffer = null;
        Messages.checkFrame(buffer, frameOffset, frameLength, TYPE, LENGTH);
        Messages.checkExactLength(TYPE, frameLength, LENGTH);

        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
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

    /**
     * Writes the frame header and CRC32C.
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

    @Override
    public String toString()
    {
        return null == buffer ? "StatusRequestFlyweight[unwrapped]" : "STATUS_REQUEST[]";
    }
}
