package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;

/**
 * Flyweight over a {@code STATUS_RESPONSE} frame: the primary's status as one JSON document. Offsets are from the start
 * of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     frame header, see FrameHeader (type STATUS_RESPONSE)      |  0
 *  +---------------------------------------------------------------+
 *  |                        jsonLength (u32)                       |  12
 *  +---------------------------------------------------------------+
 *  |                 json, jsonLength bytes of UTF-8              ...  16
 *  +---------------------------------------------------------------+
 * </pre>
 * The frame is exactly {@code 16 + jsonLength} bytes, so the JSON is bounded by the receiver's maximum frame size
 * ({@code FrameDecoder.verify} checks the frame length first); the JSON is well-formed UTF-8 (its syntax is the
 * reader's business).
 * <p>
 * Reusable, single-threaded; allocation-free apart from {@link #json()}.
 */
public final class StatusResponseFlyweight extends MessageFlyweight<StatusResponseFlyweight>
{
    /** Offset of the JSON length. */
    public static final int JSON_LENGTH_OFFSET = HEADER_LENGTH;
    /** Offset of the JSON document. */
    public static final int JSON_OFFSET = JSON_LENGTH_OFFSET + Integer.BYTES;
    /** The shortest {@code STATUS_RESPONSE} frame: an empty document. */
    public static final int MIN_LENGTH = JSON_OFFSET;

    private static final MessageType TYPE = MessageType.STATUS_RESPONSE;

    /**
     * Creates an unwrapped flyweight.
     */
    public StatusResponseFlyweight()
    {
        super(TYPE, MIN_LENGTH, false);
    }

    /**
     * @param jsonLength the JSON length in bytes.
     * @return the frame length of a {@code STATUS_RESPONSE} carrying it.
     */
    public static long length(final long jsonLength)
    {
        return JSON_OFFSET + jsonLength;
    }

    /**
     * Checks the body of a {@code STATUS_RESPONSE} frame whose type and minimum length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code LENGTH_MISMATCH} if {@code jsonLength} runs past the frame or stops short
     *                        of it, {@code BAD_FIELD} for malformed UTF-8.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        final long jsonLength = Integer.toUnsignedLong(buffer.get(INT_LE, frameOffset + JSON_LENGTH_OFFSET));
        Messages.checkExactLength(TYPE, frameLength, length(jsonLength));
        Messages.checkUtf8(TYPE, "json", buffer, frameOffset + JSON_OFFSET, jsonLength);
    }

    /**
     * @return the frame length the JSON length gives.
     */
    @Override
    int frameLength()
    {
        return (int)length(jsonLength());
    }

    /**
     * Writes a whole {@code STATUS_RESPONSE} frame and seals it.
     *
     * @param buffer        the memory to write to, at least {@code length(utf8 length of json)} bytes from
     *                      {@code frameOffset}.
     * @param frameOffset   the offset of the frame's first byte.
     * @param json          the status document.
     * @param maxFrameBytes the largest frame the receiver accepts.
     * @return the frame length.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if the frame would exceed {@code maxFrameBytes}
     *                        (nothing is written).
     */
    public int encode(
        final MemorySegment buffer, final long frameOffset, final CharSequence json, final int maxFrameBytes)
    {
        return wrap(buffer, frameOffset).json(json, maxFrameBytes).seal();
    }

    /**
     * @return the JSON length in bytes, as an unsigned value.
     */
    public long jsonLength()
    {
        return Integer.toUnsignedLong(buffer.get(INT_LE, offset + JSON_LENGTH_OFFSET));
    }

    /**
     * @return the offset of the JSON's first byte in {@link #buffer()}, for reading it in place.
     */
    public long jsonOffset()
    {
        return offset + JSON_OFFSET;
    }

    /**
     * @return the JSON document, as a new string.
     */
    public String json()
    {
        return Messages.getUtf8(buffer, offset + JSON_OFFSET, (int)jsonLength());
    }

    /**
     * Writes the JSON document and its length.
     *
     * @param json          the status document.
     * @param maxFrameBytes the largest frame the receiver accepts.
     * @return this.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if the frame would exceed {@code maxFrameBytes}
     *                        (nothing is written).
     */
    public StatusResponseFlyweight json(final CharSequence json, final int maxFrameBytes)
    {
        final long jsonLength = Messages.utf8Length(json);
        if (length(jsonLength) > maxFrameBytes)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION,
                "status JSON of " + jsonLength + " bytes does not fit a frame of maxFrameBytes=" + maxFrameBytes);
        }
        final int written = Messages.putUtf8(json, buffer, offset + JSON_OFFSET, (int)jsonLength);
        buffer.set(INT_LE, offset + JSON_LENGTH_OFFSET, written);
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "StatusResponseFlyweight[unwrapped]";
        }
        return "STATUS_RESPONSE[jsonLength=" + jsonLength() + "]";
    }
}
