package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

/**
 * Flyweight over an {@code AUTH} frame (protocol version 3): the client's answer to {@code CHALLENGE}, its proof that it
 * knows the shared secret, over its own first frame and the primary's nonce (see
 * {@code dev.ferry.net.auth.HandshakeAuth}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          frame header, see FrameHeader (type AUTH)            |  0
 *  +---------------------------------------------------------------+
 *  |            proof (32 bytes, HMAC-SHA256 or all zero)          |  12
 *  +---------------------------------------------------------------+  44
 * </pre>
 * Reusable, single-threaded, allocation-free.
 */
public final class AuthFlyweight extends BytesFieldFlyweight<AuthFlyweight>
{
    /** Offset of the client's proof. */
    public static final int PROOF_OFFSET = FIELD_OFFSET;
    /** Length of the proof. */
    public static final int PROOF_LENGTH = HelloFlyweight.PROOF_LENGTH;
    /** Length of an {@code AUTH} frame. */
    public static final int LENGTH = PROOF_OFFSET + PROOF_LENGTH;

    private static final MessageType TYPE = MessageType.AUTH;

    /**
     * Creates an unwrapped flyweight.
     */
    public AuthFlyweight()
    {
        super(TYPE, PROOF_LENGTH);
    }

    /**
     * @param dst at least {@value #PROOF_LENGTH} bytes to copy the proof into.
     * @return {@code dst}.
     */
    public byte[] copyProofTo(final byte[] dst)
    {
        return copyFieldTo(dst);
    }

    /**
     * @param proof exactly {@value #PROOF_LENGTH} bytes.
     * @return this.
     */
    public AuthFlyweight proof(final byte[] proof)
    {
        putField(proof);
        return this;
    }

    @Override
    public String toString()
    {
        return null == buffer ? "AuthFlyweight[unwrapped]" : "AUTH[]";
    }
}
