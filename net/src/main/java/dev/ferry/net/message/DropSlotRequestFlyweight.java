package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;

/**
 * Flyweight over a {@code DROP_SLOT_REQUEST} frame (protocol version 5): an operator ({@code ferry slots --drop})
 * sends one instead of {@code HELLO}, authenticates like a replica ({@code CHALLENGE}, {@code AUTH}: the proof covers
 * this frame, so the slot id too) and gets one {@code STATUS_RESPONSE} document or an {@code ERROR}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |    frame header, see FrameHeader (type DROP_SLOT_REQUEST)     |  0
 *  +---------------------------------------------------------------+
 *  |                         nonce (16 bytes)                      |  12
 *  +---------------+-----------------------------------------------+
 *  | idLength (u8) |  slot id: 64 bytes, idLength of them ASCII     |  28
 *  +---------------+  [A-Za-z0-9._-], then zeros                    |
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+  93
 * </pre>
 * {@code idLength} in {@code [1, 64]}; the padding after the id must be zero. Reusable, single-threaded,
 * allocation-free apart from {@link #slotId()}.
 */
public final class DropSlotRequestFlyweight extends MessageFlyweight<DropSlotRequestFlyweight>
{
    /** Offset of the client's nonce. */
    public static final int NONCE_OFFSET = HEADER_LENGTH;
    /** Length of the nonce. */
    public static final int NONCE_LENGTH = HelloFlyweight.NONCE_LENGTH;
    /** Offset of the slot id's length. */
    public static final int ID_LENGTH_OFFSET = NONCE_OFFSET + NONCE_LENGTH;
    /** Offset of the slot id. */
    public static final int ID_OFFSET = ID_LENGTH_OFFSET + 1;
    /** Room for the slot id. */
    public static final int MAX_ID_LENGTH = HelloFlyweight.MAX_REPLICA_ID_LENGTH;
    /** Length of a {@code DROP_SLOT_REQUEST} frame. */
    public static final int LENGTH = ID_OFFSET + MAX_ID_LENGTH;

    private static final MessageType TYPE = MessageType.DROP_SLOT_REQUEST;

    /**
     * Creates an unwrapped flyweight.
     */
    public DropSlotRequestFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkSlotId(TYPE, buffer, frameOffset + ID_LENGTH_OFFSET, MAX_ID_LENGTH);
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
     * @return the frame length.
     */
    public int encode(final MemorySegment buffer, final long frameOffset, final byte[] nonce, final CharSequence slotId)
    {
        HelloFlyweight.checkReplicaId(slotId);
        wrap(buffer, frameOffset);
        Messages.copyIn(nonce, buffer, frameOffset + NONCE_OFFSET, NONCE_LENGTH);
        Messages.putSlotId(buffer, frameOffset + ID_LENGTH_OFFSET, slotId, MAX_ID_LENGTH);
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

    @Override
    public String toString()
    {
        return null == buffer ? "DropSlotRequestFlyweight[unwrapped]" : "DROP_SLOT_REQUEST[slotId=" + slotId() + "]";
    }
}
