package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

/**
 * Flyweight over a {@code STATUS_REQUEST} frame: a client sends one instead of {@code HELLO}, authenticates like a
 * replica ({@code CHALLENGE}, {@code AUTH}) and gets the status in {@code STATUS_RESPONSE} parts. The body is the
 * client's nonce. A {@code PROMOTE_REQUEST} (version 5) has the same body.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     frame header, see FrameHeader (type STATUS_REQUEST)       |  0
 *  +---------------------------------------------------------------+
 *  |                         nonce (16 bytes)                      |  12
 *  +---------------------------------------------------------------+  28
 * </pre>
 * Reusable, single-threaded, allocation-free.
 */
public final class StatusRequestFlyweight extends BytesFieldFlyweight<StatusRequestFlyweight>
{
    /** Offset of the client's nonce. */
    public static final int NONCE_OFFSET = FIELD_OFFSET;
    /** Length of the nonce. */
    public static final int NONCE_LENGTH = HelloFlyweight.NONCE_LENGTH;
    /** Length of a {@code STATUS_REQUEST} frame. */
    public static final int LENGTH = NONCE_OFFSET + NONCE_LENGTH;

    /**
     * Creates an unwrapped flyweight of a {@code STATUS_REQUEST}.
     */
    public StatusRequestFlyweight()
    {
        this(MessageType.STATUS_REQUEST);
    }

    /**
     * Creates an unwrapped flyweight of a control client's request: {@code STATUS_REQUEST} or {@code PROMOTE_REQUEST}
     * (version 5), whose bodies are the same, the client's nonce; the type byte, which the client's proof covers,
     * says which.
     *
     * @param type {@link MessageType#STATUS_REQUEST} or {@link MessageType#PROMOTE_REQUEST}.
     */
    public StatusRequestFlyweight(final MessageType type)
    {
        super(checkType(type), NONCE_LENGTH);
    }

    private static MessageType checkType(final MessageType type)
    {
        if (type != MessageType.STATUS_REQUEST && type != MessageType.PROMOTE_REQUEST)
        {
            throw new IllegalArgumentException(type + " is not a control request");
        }
        return type;
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
    public StatusRequestFlyweight nonce(final byte[] nonce)
    {
        putField(nonce);
        return this;
    }

    @Override
    public String toString()
    {
        return null == buffer ? "StatusRequestFlyweight[unwrapped]" : type() + "[]";
    }
}
