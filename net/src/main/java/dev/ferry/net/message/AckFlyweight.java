package dev.ferry.net.message;

import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over an {@code ACK} frame: how far a replica has got. Offsets are from the start of the frame; all fields
 * little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |           frame header, see FrameHeader (type ACK)            |  0
 *  +---------------------------------------------------------------+
 *  |                      receivedOffset (u64)                     |  12
 *  +---------------------------------------------------------------+
 *  |                      durableOffset (u64)                      |  20
 *  +---------------------------------------------------------------+
 *  |                      appliedOffset (u64)                      |  28
 *  +---------------------------------------------------------------+
 *  |                       timestampNs (u64)                       |  36
 *  +---------------------------------------------------------------+  44
 * </pre>
 * Each offset is a <em>next</em> offset: every entry below it is received (written to the replica's WAL), durable
 * (synced) or applied (by the replica's state machine); 0 means none. All three are in {@code [0, 2^63)} and
 * {@code durableOffset <= receivedOffset}, {@code appliedOffset <= receivedOffset}. {@code timestampNs} is the
 * replica's wall clock (ns since the Unix epoch) when it wrote the ack, for lag reports only; it is not checked.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class AckFlyweight extends MessageFlyweight<AckFlyweight>
{
    /** Offset of the next offset not yet received. */
    public static final int RECEIVED_OFFSET_OFFSET = HEADER_LENGTH;
    /** Offset of the next offset not yet durable. */
    public static final int DURABLE_OFFSET_OFFSET = RECEIVED_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the next offset not yet applied. */
    public static final int APPLIED_OFFSET_OFFSET = DURABLE_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the replica's timestamp. */
    public static final int TIMESTAMP_NS_OFFSET = APPLIED_OFFSET_OFFSET + Long.BYTES;
    /** Length of an {@code ACK} frame. */
    public static final int LENGTH = TIMESTAMP_NS_OFFSET + Long.BYTES;

    private static final MessageType TYPE = MessageType.ACK;

    /**
     * Creates an unwrapped flyweight.
     */
    public AckFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Checks the body of an {@code ACK} frame whose type and exact length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for an offset out of range or out of order.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        final long received = Messages.checkNonNegative(
            TYPE, "receivedOffset", buffer.get(LONG_LE, frameOffset + RECEIVED_OFFSET_OFFSET));
        final long durable = Messages.checkNonNegative(
            TYPE, "durableOffset", buffer.get(LONG_LE, frameOffset + DURABLE_OFFSET_OFFSET));
        final long applied = Messages.checkNonNegative(
            TYPE, "appliedOffset", buffer.get(LONG_LE, frameOffset + APPLIED_OFFSET_OFFSET));
        if (durable > received || applied > received)
        {
            throw Messages.badField(TYPE, "durableOffset=" + durable + " and appliedOffset=" + applied +
                " must not exceed receivedOffset=" + received);
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
     * Writes a whole {@code ACK} frame and seals it.
     *
     * @param buffer         the memory to write to, at least {@link #LENGTH} bytes from {@code frameOffset}.
     * @param frameOffset    the offset of the frame's first byte.
     * @param receivedOffset the next offset not yet received.
     * @param durableOffset  the next offset not yet durable.
     * @param appliedOffset  the next offset not yet applied.
     * @param timestampNs    the replica's wall clock in ns since the Unix epoch.
     * @return the frame length, {@link #LENGTH}.
     */
    public int encode(
        final MemorySegment buffer,
        final long frameOffset,
        final long receivedOffset,
        final long durableOffset,
        final long appliedOffset,
        final long timestampNs)
    {
        return wrap(buffer, frameOffset)
            .receivedOffset(receivedOffset)
            .durableOffset(durableOffset)
            .appliedOffset(appliedOffset)
            .timestampNs(timestampNs)
            .seal();
    }

    /**
     * @return the next offset not yet received.
     */
    public long receivedOffset()
    {
        return buffer.get(LONG_LE, offset + RECEIVED_OFFSET_OFFSET);
    }

    /**
     * @param receivedOffset the next offset not yet received.
     * @return this.
     */
    public AckFlyweight receivedOffset(final long receivedOffset)
    {
        buffer.set(LONG_LE, offset + RECEIVED_OFFSET_OFFSET, receivedOffset);
        return this;
    }

    /**
     * @return the next offset not yet durable.
     */
    public long durableOffset()
    {
        return buffer.get(LONG_LE, offset + DURABLE_OFFSET_OFFSET);
    }

    /**
     * @param durableOffset the next offset not yet durable.
     * @return this.
     */
    public AckFlyweight durableOffset(final long durableOffset)
    {
        buffer.set(LONG_LE, offset + DURABLE_OFFSET_OFFSET, durableOffset);
        return this;
    }

    /**
     * @return the next offset not yet applied.
     */
    public long appliedOffset()
    {
        return buffer.get(LONG_LE, offset + APPLIED_OFFSET_OFFSET);
    }

    /**
     * @param appliedOffset the next offset not yet applied.
     * @return this.
     */
    public AckFlyweight appliedOffset(final long appliedOffset)
    {
        buffer.set(LONG_LE, offset + APPLIED_OFFSET_OFFSET, appliedOffset);
        return this;
    }

    /**
     * @return the replica's wall clock in ns since the Unix epoch when it wrote the ack.
     */
    public long timestampNs()
    {
        return buffer.get(LONG_LE, offset + TIMESTAMP_NS_OFFSET);
    }

    /**
     * @param timestampNs the replica's wall clock in ns since the Unix epoch.
     * @return this.
     */
    public AckFlyweight timestampNs(final long timestampNs)
    {
        buffer.set(LONG_LE, offset + TIMESTAMP_NS_OFFSET, timestampNs);
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "AckFlyweight[unwrapped]";
        }
        return "ACK[received=" + receivedOffset() + ", durable=" + durableOffset() + ", applied=" +
            appliedOffset() + ", timestampNs=" + timestampNs() + "]";
    }
}
