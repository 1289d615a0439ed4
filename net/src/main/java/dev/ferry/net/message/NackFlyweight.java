package dev.ferry.net.message;

import dev.ferry.wal.ErrorCode;
import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Flyweight over a {@code NACK} frame: a replica asks the primary to resend from an offset. Offsets are from the start
 * of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |           frame header, see FrameHeader (type NACK)           |  0
 *  +---------------------------------------------------------------+
 *  |                        resendFrom (u64)                       |  12
 *  +-------------------------------+-------------------------------+
 *  |       reasonCode (u16)        |                                  20
 *  +-------------------------------+                                  22
 * </pre>
 * {@code resendFrom} is in {@code [0, 2^63)}; {@code reasonCode} is a known {@link ErrorCode} value (typically
 * {@code CHECKSUM}, {@code COMPRESSION} or {@code SEQUENCE_GAP}). The frame is exactly {@link #LENGTH} bytes.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class NackFlyweight
{
    /** Offset of the first offset to resend. */
    public static final int RESEND_FROM_OFFSET = HEADER_LENGTH;
    /** Offset of the reason, an {@link ErrorCode} value. */
    public static final int REASON_CODE_OFFSET = RESEND_FROM_OFFSET + Long.BYTES;
    /** Length of a {@code NACK} frame. */
    public static final int LENGTH = REASON_CODE_OFFSET + Short.BYTES;

    private static final MessageType TYPE = MessageType.NACK;

    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private MemorySegment buffer;
    private long offset;

    /**
     * Creates an unwrapped flyweight.
     */
    public NackFlyweight()
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
    public NackFlyweight wrap(final MemorySegment buffer, final long frameOffset)
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
    public NackFlyweight decode(final MemorySegment frame)
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
     *                        not a {@code NACK} of the right length, {@code BAD_FIELD} for a negative offset or an
     *                        unknown reason code; all with code {@code PROTOCOL}.
     */
    public NackFlyweight decode(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        this.buffer = null;
        Messages.checkFrame(buffer, frameOffset, frameLength, TYPE, LENGTH);
        Messages.checkExactLength(TYPE, frameLength, LENGTH);
        Messages.checkNonNegative(TYPE, "resendFrom", buffer.get(LONG_LE, frameOffset + RESEND_FROM_OFFSET));
        Messages.checkErrorCode(TYPE, "reasonCode", buffer.get(SHORT_LE, frameOffset + REASON_CODE_OFFSET) & 0xFFFF);

        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    /**
     * Writes a whole {@code NACK} frame and seals it.
     *
     * @param buffer      the memory to write to, at least {@link #LENGTH} bytes from {@code frameOffset}.
     * @param frameOffset the offset of the frame's first byte.
     * @param resendFrom  the first offset to resend.
     * @param reason      why.
     * @return the frame length, {@link #LENGTH}.
     */
    public int encode(final MemorySegment buffer, final long frameOffset, final long resendFrom, final ErrorCode reason)
    {
        return wrap(buffer, frameOffset).resendFrom(resendFrom).reason(reason).seal();
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
     * @return the first offset to resend.
     */
    public long resendFrom()
    {
        return buffer.get(LONG_LE, offset + RESEND_FROM_OFFSET);
    }

    /**
     * @param resendFrom the first offset to resend.
     * @return this.
     */
    public NackFlyweight resendFrom(final long resendFrom)
    {
        buffer.set(LONG_LE, offset + RESEND_FROM_OFFSET, resendFrom);
        return this;
    }

    /**
     * @return the raw reason code (0..65535).
     */
    public int reasonCode()
    {
        return buffer.get(SHORT_LE, offset + REASON_CODE_OFFSET) & 0xFFFF;
    }

    /**
     * @return the reason, or {@code null} for an unknown value in an unchecked frame.
     */
    public ErrorCode reason()
    {
        return ErrorCode.fromValue(reasonCode());
    }

    /**
     * @param reason why the replica asks for a resend.
     * @return this.
     */
    public NackFlyweight reason(final ErrorCode reason)
    {
        buffer.set(SHORT_LE, offset + REASON_CODE_OFFSET, (short)reason.value());
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "NackFlyweight[unwrapped]";
        }
        return "NACK[resendFrom=" + resendFrom() + ", reason=" + reason() + "]";
    }
}
