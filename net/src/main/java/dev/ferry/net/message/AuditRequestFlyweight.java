package dev.ferry.net.message;

import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over an {@code AUDIT_REQUEST} frame (version 5): the primary asks a streaming replica to check the entries
 * {@code [fromOffset, fromOffset + count)} against the primary's chained checksums (the background audit). Offsets
 * are from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |       frame header, see FrameHeader (type AUDIT_REQUEST)      |  0
 *  +---------------------------------------------------------------+
 *  |                        fromOffset (u64)                       |  12
 *  +---------------------------------------------------------------+
 *  |                           count (u32)                         |  20
 *  +---------------------------------------------------------------+
 *  |                        chainBefore (u32)                      |  24
 *  +---------------------------------------------------------------+
 *  |                        chainAtLast (u32)                      |  28
 *  +---------------------------------------------------------------+  32
 * </pre>
 * {@code fromOffset} is in {@code [0, 2^63)}, {@code count} in {@code [1, MAX_COUNT]} and the last offset
 * ({@code fromOffset + count - 1}) below {@code 2^63}. {@code chainBefore} is the primary's chained checksum at
 * {@code fromOffset - 1}, {@code chainAtLast} its chain at the last offset of the range: every 32-bit value is valid.
 * The frame is exactly {@link #LENGTH} bytes.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class AuditRequestFlyweight extends MessageFlyweight<AuditRequestFlyweight>
{
    /** The most entries one request may cover: bounds what one hostile request costs a replica. */
    public static final int MAX_COUNT = 65_536;
    /** Offset of the first offset checked. */
    public static final int FROM_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the number of entries checked. */
    public static final int COUNT_OFFSET = FROM_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the primary's chain before the range. */
    public static final int CHAIN_BEFORE_OFFSET = COUNT_OFFSET + Integer.BYTES;
    /** Offset of the primary's chain at the range's last entry. */
    public static final int CHAIN_AT_LAST_OFFSET = CHAIN_BEFORE_OFFSET + Integer.BYTES;
    /** Length of an {@code AUDIT_REQUEST} frame. */
    public static final int LENGTH = CHAIN_AT_LAST_OFFSET + Integer.BYTES;

    private static final MessageType TYPE = MessageType.AUDIT_REQUEST;

    /**
     * Creates an unwrapped flyweight.
     */
    public AuditRequestFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Checks the body of an {@code AUDIT_REQUEST} frame whose type and exact length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for an offset or a count out of range.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkAuditRange(TYPE, buffer.get(LONG_LE, frameOffset + FROM_OFFSET_OFFSET),
            buffer.get(INT_LE, frameOffset + COUNT_OFFSET), MAX_COUNT);
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
     * @return the first offset to check.
     */
    public long fromOffset()
    {
        return buffer.get(LONG_LE, offset + FROM_OFFSET_OFFSET);
    }

    /**
     * @param fromOffset the first offset to check.
     * @return this.
     */
    public AuditRequestFlyweight fromOffset(final long fromOffset)
    {
        buffer.set(LONG_LE, offset + FROM_OFFSET_OFFSET, fromOffset);
        return this;
    }

    /**
     * @return how many entries to check, from {@link #fromOffset()}.
     */
    public int count()
    {
        return buffer.get(INT_LE, offset + COUNT_OFFSET);
    }

    /**
     * @param count how many entries to check, in {@code [1, MAX_COUNT]}.
     * @return this.
     */
    public AuditRequestFlyweight count(final int count)
    {
        buffer.set(INT_LE, offset + COUNT_OFFSET, count);
        return this;
    }

    /**
     * @return the primary's chained checksum at {@code fromOffset - 1}.
     */
    public int chainBefore()
    {
        return buffer.get(INT_LE, offset + CHAIN_BEFORE_OFFSET);
    }

    /**
     * @param chainBefore the primary's chained checksum at {@code fromOffset - 1}.
     * @return this.
     */
    public AuditRequestFlyweight chainBefore(final int chainBefore)
    {
        buffer.set(INT_LE, offset + CHAIN_BEFORE_OFFSET, chainBefore);
        return this;
    }

    /**
     * @return the primary's chained checksum at the range's last offset.
     */
    public int chainAtLast()
    {
        return buffer.get(INT_LE, offset + CHAIN_AT_LAST_OFFSET);
    }

    /**
     * @param chainAtLast the primary's chained checksum at {@code fromOffset + count - 1}.
     * @return this.
     */
    public AuditRequestFlyweight chainAtLast(final int chainAtLast)
    {
        buffer.set(INT_LE, offset + CHAIN_AT_LAST_OFFSET, chainAtLast);
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "AuditRequestFlyweight[unwrapped]";
        }
        return "AUDIT_REQUEST[from=" + fromOffset() + ", count=" + count() + ", chainBefore=" +
            Integer.toUnsignedString(chainBefore()) + ", chainAtLast=" + Integer.toUnsignedString(chainAtLast()) + "]";
    }
}
