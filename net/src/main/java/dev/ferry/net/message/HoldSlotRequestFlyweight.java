package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * Flyweight over a {@code HOLD_SLOT_REQUEST} frame (protocol version 5): a process beside a node that needs the node's
 * WAL kept (the archive shipper, {@code ferry archive}) sends one instead of {@code HELLO}, authenticates like a
 * replica ({@code CHALLENGE}, {@code AUTH}: the proof covers this frame, so the slot id and the offset too) and gets
 * one {@code STATUS_RESPONSE} document or an {@code ERROR}. The primary then holds a slot of that id at
 * {@code nextOffset}, as it would for a disconnected replica. The body is a {@code DROP_SLOT_REQUEST}'s, then the
 * offset.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |    frame header, see FrameHeader (type HOLD_SLOT_REQUEST)     |  0
 *  +---------------------------------------------------------------+
 *  |                         nonce (16 bytes)                      |  12
 *  +---------------+-----------------------------------------------+
 *  | idLength (u8) |  slot id: 64 bytes, idLength of them ASCII     |  28
 *  +---------------+  [A-Za-z0-9._-], then zeros                    |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+  93
 *  |                 nextOffset (i64, little-endian)               |  93
 *  +---------------------------------------------------------------+  101
 * </pre>
 * {@code idLength} in {@code [1, 64]}; the padding after the id must be zero; {@code nextOffset} in
 * {@code [0, 2^63 - 1]}: the first offset the holder still needs (everything below it may go). Reusable,
 * single-threaded, allocation-free apart from {@link #slotId()}.
 */
public final class HoldSlotRequestFlyweight extends MessageFlyweight<HoldSlotRequestFlyweight>
{
    /** Offset of the client's nonce. */
    public static final int NONCE_OFFSET = DropSlotRequestFlyweight.NONCE_OFFSET;
    /** Length of the nonce. */
    public static final int NONCE_LENGTH = DropSlotRequestFlyweight.NONCE_LENGTH;
    /** Offset of the slot id's length. */
    public static final int ID_LENGTH_OFFSET = DropSlotRequestFlyweight.ID_LENGTH_OFFSET;
    /** Offset of the slot id. */
    public static final int ID_OFFSET = DropSlotRequestFlyweight.ID_OFFSET;
    /** Room for the slot id. */
    public static final int MAX_ID_LENGTH = DropSlotRequestFlyweight.MAX_ID_LENGTH;
    /** Offset of the next offset the holder needs. */
    public static final int NEXT_OFFSET_OFFSET = ID_OFFSET + MAX_ID_LENGTH;
    /** Length of a {@code HOLD_SLOT_REQUEST} frame. */
    public static final int LENGTH = NEXT_OFFSET_OFFSET + Long.BYTES;

    private static final MessageType TYPE = MessageType.HOLD_SLOT_REQUEST;

    /**
     * Creates an unwrapped flyweight.
     */
    public HoldSlotRequestFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkSlotId(TYPE, buffer, frameOffset + ID_LENGTH_OFFSET, MAX_ID_LENGTH);
        Messages.checkNonNegative(TYPE, "nextOffset", buffer.get(LONG_LE, frameOffset + NEXT_OFFSET_OFFSET));
    }

    @Override
    int frameLength()
    {
        return LENGTH;
    }

    /**
     * Writes a whole frame and seals it.
     *
     * @param buffer      the memory to write to, at least {@link #LENGTH} bytes from {@code frameOffset}.
     * @param frameOffset the offset of the frame's first byte.
     * @param nonce       {@value #NONCE_LENGTH} bytes.
     * @param slotId      the slot's id: a valid replica id.
     * @param nextOffset  the first offset the holder still needs, {@code >= 0}.
     * @return the frame length.
     * @throws dev.ferry.error.FerryException CONFIGURATION if {@code slotId} is not a valid replica id.
     * @throws IllegalArgumentException if {@code nextOffset} is negative, or the nonce is not
     *                                  {@value #NONCE_LENGTH} bytes.
     */
    public int encode(final MemorySegment buffer, final long frameOffset, final byte[] nonce, final CharSequence slotId,
        final long nextOffset)
    {
        HelloFlyweight.checkReplicaId(slotId);
        if (nextOffset < 0)
        {
            throw new IllegalArgumentException("nextOffset must be >= 0, was " + nextOffset);
        }
        wrap(buffer, frameOffset);
        Messages.copyIn(nonce, buffer, frameOffset + NONCE_OFFSET, NONCE_LENGTH);
        Messages.putSlotId(buffer, frameOffset + ID_LENGTH_OFFSET, slotId, MAX_ID_LENGTH);
        buffer.set(LONG_LE, frameOffset + NEXT_OFFSET_OFFSET, nextOffset);
        return seal();
    }

    /**
     * @param dst at least {@value #NONCE_LENGTH} bytes.
     * @return {@code dst}, the nonce copied into it.
     */
    public byte[] copyNonceTo(final byte[] dst)
    {
        return Messages.copyOut(buffer, offset + NONCE_OFFSET, NONCE_LENGTH, dst);
    }

    /**
     * @return the slot id, as a new string.
     */
    public String slotId()
    {
        return Messages.getSlotId(buffer, offset + ID_LENGTH_OFFSET);
    }

    /**
     * @return the first offset the holder still needs.
     */
    public long nextOffset()
    {
        return buffer.get(LONG_LE, offset + NEXT_OFFSET_OFFSET);
    }

    @Override
    public String toString()
    {
        return null == buffer ? "HoldSlotRequestFlyweight[unwrapped]" :
            "HOLD_SLOT_REQUEST[slotId=" + slotId() + ", nextOffset=" + nextOffset() + "]";
    }
}
