package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

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
public final class NackFlyweight extends MessageFlyweight<NackFlyweight>
{
    /** Offset of the first offset to resend. */
    public static final int RESEND_FROM_OFFSET = HEADER_LENGTH;
    /** Offset of the reason, an {@link ErrorCode} value. */
    public static final int REASON_CODE_OFFSET = RESEND_FROM_OFFSET + Long.BYTES;
    /** Length of a {@code NACK} frame. */
    public static final int LENGTH = REASON_CODE_OFFSET + Short.BYTES;

    private static final MessageType TYPE = MessageType.NACK;

    /**
     * Creates an unwrapped flyweight.
     */
    public NackFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Checks the body of a {@code NACK} frame whose type and exact length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for a negative offset or an unknown reason code.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkNonNegative(TYPE, "resendFrom", buffer.get(LONG_LE, frameOffset + RESEND_FROM_OFFSET));
        Messages.checkErrorCode(TYPE, "reasonCode", buffer.get(SHORT_LE, frameOffset + REASON_CODE_OFFSET) & 0xFFFF);
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
