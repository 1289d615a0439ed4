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
public final class AckFlyweight
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

    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private MemorySegment buffer;
    private long offset;

    /**
     * Creates an unwrapped flyweight.
     */
    public AckFlyweight()
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
    public AckFlyweight wrap(final MemorySegment buffer, final long frameOffset)
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
    public AckFlyweight decode(final MemorySegment frame)
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
     *                        not an {@code ACK} of the right length, {@code BAD_FIELD} for an offset out of range or
     *                        out of order; all with code {@code PROTOCOL}.
     */
    public AckFlyweight decode(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        this.buffer = null;
        Messages.checkFrame(buffer, frameOffset, frameLength, TYPE, LENGTH);
        Messages.checkExactLength(TYPE, frameLength, LENGTH);

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

        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
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
