package dev.ferry.net.message;

import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over an {@code AUDIT_RESPONSE} frame (version 5): a replica's answer to an {@code AUDIT_REQUEST}, naming
 * the range it checked and what it found. Offsets are from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |      frame header, see FrameHeader (type AUDIT_RESPONSE)      |  0
 *  +---------------------------------------------------------------+
 *  |                        fromOffset (u64)                       |  12
 *  +---------------------------------------------------------------+
 *  |                         atOffset (i64)                        |  20
 *  +---------------------------------------------------------------+
 *  |                           count (u32)                         |  28
 *  +---------------+-----------------------------------------------+
 *  | result (u8)   |                                                  32
 *  +---------------+                                                  33
 * </pre>
 * {@code fromOffset} and {@code count} repeat the request's (same bounds). {@code result} is a {@link Result} value;
 * {@code atOffset} is -1 for {@code MATCH} and {@code DIFFERS}, the damaged entry's offset (inside the range) for
 * {@code DAMAGED}, and for {@code NOT_HELD} the replica's oldest offset when it is above {@code fromOffset}, else -1.
 * The frame is exactly {@link #LENGTH} bytes.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class AuditResponseFlyweight extends MessageFlyweight<AuditResponseFlyweight>
{
    /** Offset of the first offset checked. */
    public static final int FROM_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the offset the result names. */
    public static final int AT_OFFSET_OFFSET = FROM_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the number of entries checked. */
    public static final int COUNT_OFFSET = AT_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the result. */
    public static final int RESULT_OFFSET = COUNT_OFFSET + Integer.BYTES;
    /** Length of an {@code AUDIT_RESPONSE} frame. */
    public static final int LENGTH = RESULT_OFFSET + Byte.BYTES;

    private static final MessageType TYPE = MessageType.AUDIT_RESPONSE;

    /** What the replica found in the range; the values go on the wire. */
    public enum Result
    {
        /** Every entry matches its own CRC32C and chain, and the chain at the last entry is the primary's. */
        MATCH(0),
        /**
         * The entry at {@code atOffset} differs: its payload does not match its CRC32C, or its stored chain is not the
         * primary's chain folded with it (a byte changed on the replica's disk). Entries before it match.
         */
        DAMAGED(1),
        /**
         * Every entry matches its own CRC32C and chain, but the chain at the last entry is not the primary's: the
         * replica holds other entries somewhere in the range (the primary narrows the range to find the first).
         */
        DIFFERS(2),
        /** The replica does not hold the whole range (retention, or a WAL that starts later). */
        NOT_HELD(3);

        private static final Result[] BY_VALUE = values();

        private final int value;

        Result(final int value)
        {
            this.value = value;
        }

        /**
         * @return the value on the wire.
         */
        public int value()
        {
            return value;
        }

        /**
         * @param value a value read from the wire.
         * @return its result, or null for an unknown value.
         */
        public static Result fromValue(final int value)
        {
            return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
        }
    }

    /**
     * Creates an unwrapped flyweight.
     */
    public AuditResponseFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Checks the body of an {@code AUDIT_RESPONSE} frame whose type and exact length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for an offset, a count or a result out of range, or an
     *                        {@code atOffset} the result does not allow.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        final long from = buffer.get(LONG_LE, frameOffset + FROM_OFFSET_OFFSET);
        final int count = buffer.get(INT_LE, frameOffset + COUNT_OFFSET);
        Messages.checkAuditRange(TYPE, from, count, AuditRequestFlyweight.MAX_COUNT);
        final int value = buffer.get(BYTE, frameOffset + RESULT_OFFSET) & 0xFF;
        final Result result = Result.fromValue(value);
        if (null == result)
        {
            throw Messages.badField(TYPE, "result=" + value + " is not a known result");
        }
        final long at = buffer.get(LONG_LE, frameOffset + AT_OFFSET_OFFSET);
        final boolean valid = switch (result)
        {
            case MATCH, DIFFERS -> at == -1;
            case DAMAGED -> at >= from && at - from < count;
            case NOT_HELD -> at == -1 || at > from;
        };
        if (!valid)
        {
            throw Messages.badField(TYPE, "atOffset=" + at + " does not fit result " + result + " of fromOffset=" +
                from + ", count=" + count);
        }
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
     * @return the first offset checked.
     */
    public long fromOffset()
    {
        return buffer.get(LONG_LE, offset + FROM_OFFSET_OFFSET);
    }

    /**
     * @param fromOffset the first offset checked, as the request said.
     * @return this.
     */
    public AuditResponseFlyweight fromOffset(final long fromOffset)
    {
        buffer.set(LONG_LE, offset + FROM_OFFSET_OFFSET, fromOffset);
        return this;
    }

    /**
     * @return the number of entries checked, as the request said.
     */
    public int count()
    {
        return buffer.get(INT_LE, offset + COUNT_OFFSET);
    }

    /**
     * @param count the number of entries checked, as the request said.
     * @return this.
     */
    public AuditResponseFlyweight count(final int count)
    {
        buffer.set(INT_LE, offset + COUNT_OFFSET, count);
        return this;
    }

    /**
     * @return the offset the result names, or -1 (see the class comment).
     */
    public long atOffset()
    {
        return buffer.get(LONG_LE, offset + AT_OFFSET_OFFSET);
    }

    /**
     * @param atOffset the offset the result names, or -1.
     * @return this.
     */
    public AuditResponseFlyweight atOffset(final long atOffset)
    {
        buffer.set(LONG_LE, offset + AT_OFFSET_OFFSET, atOffset);
        return this;
    }

    /**
     * @return the result, or null for an unknown value in an unchecked frame.
     */
    public Result result()
    {
        return Result.fromValue(buffer.get(BYTE, offset + RESULT_OFFSET) & 0xFF);
    }

    /**
     * @param result what the replica found.
     * @return this.
     */
    public AuditResponseFlyweight result(final Result result)
    {
        buffer.set(BYTE, offset + RESULT_OFFSET, (byte)result.value());
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "AuditResponseFlyweight[unwrapped]";
        }
        return "AUDIT_RESPONSE[from=" + fromOffset() + ", count=" + count() + ", result=" + result() + ", at=" +
            atOffset() + "]";
    }
}
