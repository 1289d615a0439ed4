package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

/**
 * Flyweight over a {@code CHALLENGE} frame (protocol version 3): the primary's answer to a client's first frame
 * ({@code HELLO} or {@code STATUS_REQUEST}), carrying the primary's fresh nonce. The client answers with {@code AUTH},
 * whose proof covers its first frame and this nonce, so a recorded exchange cannot be replayed.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        frame header, see FrameHeader (type CHALLENGE)         |  0
 *  +---------------------------------------------------------------+
 *  |                         nonce (16 bytes)                      |  12
 *  +---------------------------------------------------------------+  28
 * </pre>
 * Any nonce value is valid. Reusable, single-threaded, allocation-free.
 */
public final class ChallengeFlyweight extends BytesFieldFlyweight<ChallengeFlyweight>
{
    /** Offset of the primary's nonce. */
    public static final int NONCE_OFFSET = FIELD_OFFSET;
    /** Length of the nonce. */
    public static final int NONCE_LENGTH = HelloFlyweight.NONCE_LENGTH;
    /** Length of a {@code CHALLENGE} frame. */
    public static final int LENGTH = NONCE_OFFSET + NONCE_LENGTH;

    private static final MessageType TYPE = MessageType.CHALLENGE;

    /**
     * Creates an unwrapped flyweight.
     */
    public ChallengeFlyweight()
    {
        super(TYPE, NONCE_LENGTH);
    }

    /**
     * @param dst at least {@value #NONCE_LENGTH} bytes to copy the nonce into.
     * @return {@code dst}.
     */
    public byte[] copyNonceTo(final byte[] dst)
    {
        return copyFieldTo(dst);
    }

    /**
     * @param nonce exactly {@value #NONCE_LENGTH} bytes.
     * @return this.
     */
    public ChallengeFlyweight nonce(final byte[] nonce)
    {
        putField(nonce);
        return this;
    }

    @Override
    public String toString()
    {
        return null == buffer ? "ChallengeFlyweight[unwrapped]" : "CHALLENGE[]";
    }
}
