package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Flyweight over an {@code ERROR} frame, sent either way just before the sender closes the connection. Offsets are
 * from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          frame header, see FrameHeader (type ERROR)           |  0
 *  +-------------------------------+-------------------------------+
 *  |          code (u16)           |     messageLength (u16)       |  12
 *  +-------------------------------+-------------------------------+
 *  |        message, messageLength bytes of UTF-8 (at most 1024)   ...  16
 *  +---------------------------------------------------------------+
 *  |  (version 3, optional) proof, 32 bytes of HMAC-SHA256          |  16 + messageLength
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code code} is a known {@link ErrorCode} value; {@code messageLength} is at most {@value #MAX_MESSAGE_LENGTH} and
 * the message is well-formed UTF-8; the frame is exactly {@code 16 + messageLength} bytes, or {@code 48 +
 * messageLength} when a proof follows the message: a primary signs the {@code ERROR}s of a session whose client it
 * has authenticated (see {@code dev.ferry.net.auth.HandshakeAuth#signFrame}), so a replica can tell a refusal it must
 * believe from one anybody could have sent. The first 16 bytes and the message are the same in every protocol version,
 * so a peer can always read why it is being disconnected.
 * <p>
 * Reusable, single-threaded; allocation-free apart from {@link #message()}.
 */
public final class ErrorFlyweight extends MessageFlyweight<ErrorFlyweight>
{
    /** Offset of the error code. */
    public static final int CODE_OFFSET = HEADER_LENGTH;
    /** Offset of the message length. */
    public static final int MESSAGE_LENGTH_OFFSET = CODE_OFFSET + Short.BYTES;
    /** Offset of the message. */
    public static final int MESSAGE_OFFSET = MESSAGE_LENGTH_OFFSET + Short.BYTES;
    /** The longest message in bytes; longer ones are truncated on a character boundary. */
    public static final int MAX_MESSAGE_LENGTH = 1024;
    /** The shortest {@code ERROR} frame: an empty message. */
    public static final int MIN_LENGTH = MESSAGE_OFFSET;
    /** Length of the optional proof after the message. */
    public static final int PROOF_LENGTH = HelloFlyweight.PROOF_LENGTH;
    /** The longest {@code ERROR} frame, with a proof. */
    public static final int MAX_LENGTH = MESSAGE_OFFSET + MAX_MESSAGE_LENGTH + PROOF_LENGTH;

    private static final MessageType TYPE = MessageType.ERROR;

    private boolean proven;

    /**
     * Creates an unwrapped flyweight.
     */
    public ErrorFlyweight()
    {
        super(TYPE, MIN_LENGTH, false);
    }

    /**
     * @param messageLength the message length in bytes.
     * @return the frame length of an {@code ERROR} with that message.
     */
    public static int length(final int messageLength)
    {
        return MESSAGE_OFFSET + messageLength;
    }

    /**
     * Checks the body of an {@code ERROR} frame whose type and minimum length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code LENGTH_MISMATCH} if the frame is neither {@code 16 + messageLength} bytes nor
     *                        that and a proof,
     *                        {@code BAD_FIELD} for an unknown code, a message longer than
     *                        {@value #MAX_MESSAGE_LENGTH} bytes or malformed UTF-8.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        Messages.checkErrorCode(TYPE, "code", buffer.get(SHORT_LE, frameOffset + CODE_OFFSET) & 0xFFFF);
        final int messageLength = buffer.get(SHORT_LE, frameOffset + MESSAGE_LENGTH_OFFSET) & 0xFFFF;
        if (messageLength > MAX_MESSAGE_LENGTH)
        {
            throw Messages.badField(
                TYPE, "messageLength=" + messageLength + " exceeds " + MAX_MESSAGE_LENGTH);
        }
        final boolean withProof = frameLength == length(messageLength) + PROOF_LENGTH;
        if (!withProof)
        {
            Messages.checkExactLength(TYPE, frameLength, length(messageLength));
        }
        Messages.checkUtf8(TYPE, "message", buffer, frameOffset + MESSAGE_OFFSET, messageLength);
        proven = withProof;
    }

    /**
     * @return the frame length the message length gives, with the proof if it carries one.
     */
    @Override
    int frameLength()
    {
        return length(messageLength()) + (proven ? PROOF_LENGTH : 0);
    }

    /**
     * @return whether the frame carries a proof after its message (whether the proof is right is the authenticator's
     *         business).
     */
    public boolean hasProof()
    {
        return proven;
    }

    /**
     * Makes room for a proof after the message: call after {@link #message(CharSequence)}, then have the proof written
     * into the frame's last {@value #PROOF_LENGTH} bytes ({@code HandshakeAuth#signFrame}) and {@link #seal()}.
     *
     * @return this.
     */
    public ErrorFlyweight withProof()
    {
        proven = true;
        return this;
    }

    /**
     * @return the length of the wrapped frame: {@code 16 + messageLength}, and the proof if it has one.
     */
    public int length()
    {
        return frameLength();
    }

    /**
     * Writes a whole {@code ERROR} frame and seals it, truncating the message to {@value #MAX_MESSAGE_LENGTH} bytes
     * of UTF-8 on a character boundary.
     *
     * @param buffer      the memory to write to, at least {@link #MAX_LENGTH} bytes from {@code frameOffset} (or
     *                    {@link #length(int)} of the message's UTF-8 length).
     * @param frameOffset the offset of the frame's first byte.
     * @param code        the error code.
     * @param message     what happened; {@code null} for none.
     * @return the frame length.
     */
    public int encode(
        final MemorySegment buffer, final long frameOffset, final ErrorCode code, final CharSequence message)
    {
        return wrap(buffer, frameOffset).code(code).message(message).seal();
    }

    @Override
    public ErrorFlyweight wrap(final MemorySegment buffer, final long frameOffset)
    {
        proven = false;
        return super.wrap(buffer, frameOffset);
    }

    /**
     * @return the raw error code (0..65535).
     */
    public int codeValue()
    {
        return buffer.get(SHORT_LE, offset + CODE_OFFSET) & 0xFFFF;
    }

    /**
     * @return the error code, or {@code null} for an unknown value in an unchecked frame.
     */
    public ErrorCode code()
    {
        return ErrorCode.fromValue(codeValue());
    }

    /**
     * @param code the error code.
     * @return this.
     */
    public ErrorFlyweight code(final ErrorCode code)
    {
        buffer.set(SHORT_LE, offset + CODE_OFFSET, (short)code.value());
        return this;
    }

    /**
     * @return the message length in bytes.
     */
    public int messageLength()
    {
        return buffer.get(SHORT_LE, offset + MESSAGE_LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * @return the message, as a new string.
     */
    public String message()
    {
        return Messages.getUtf8(buffer, offset + MESSAGE_OFFSET, messageLength());
    }

    /**
     * @return the message as it may be logged: the peer's text with every control character (line breaks, escape
     *         sequences, C1 controls, bidirectional overrides) written as {@code \\uXXXX}, so a peer cannot forge log
     *         lines or rewrite a terminal.
     */
    public String printableMessage()
    {
        final String message = message();
        StringBuilder escaped = null;
        for (int i = 0; i < message.length(); i++)
        {
            final char c = message.charAt(i);
            final boolean control = Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E') ||
                (c >= '\u2066' && c <= '\u2069');
            if (control && escaped == null)
            {
                escaped = new StringBuilder(message.length() + 16).append(message, 0, i);
            }
            if (escaped != null)
            {
                if (control)
                {
                    escaped.append(String.format("\\u%04x", (int)c));
                }
                else
                {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? message : escaped.toString();
    }

    /**
     * Writes the message and its length, truncated to {@value #MAX_MESSAGE_LENGTH} bytes of UTF-8 on a character
     * boundary; an unpaired surrogate becomes {@code '?'}.
     *
     * @param message what happened; {@code null} for none.
     * @return this.
     */
    public ErrorFlyweight message(final CharSequence message)
    {
        final int length =
            null == message ? 0 : Messages.putUtf8(message, buffer, offset + MESSAGE_OFFSET, MAX_MESSAGE_LENGTH);
        buffer.set(SHORT_LE, offset + MESSAGE_LENGTH_OFFSET, (short)length);
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "ErrorFlyweight[unwrapped]";
        }
        return "ERROR[code=" + code() + ", message=" + message() + "]";
    }
}
