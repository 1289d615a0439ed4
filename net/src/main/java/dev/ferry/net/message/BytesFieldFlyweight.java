package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;

/**
 * A fixed-length message whose body is one field of opaque bytes that every value of is valid: a nonce
 * ({@code CHALLENGE}, {@code STATUS_REQUEST}) or a proof ({@code AUTH}). The frame is exactly {@code 12 + fieldLength}
 * bytes; decoding checks the type and that length, nothing else.
 *
 * @param <T> the concrete flyweight, returned by the fluent methods.
 */
abstract class BytesFieldFlyweight<T extends BytesFieldFlyweight<T>> extends MessageFlyweight<T>
{
    /** Offset of the field: the whole body. */
    static final int FIELD_OFFSET = HEADER_LENGTH;

    private final int fieldLength;

    /**
     * @param type        the message type.
     * @param fieldLength the field's length in bytes.
     */
    BytesFieldFlyweight(final MessageType type, final int fieldLength)
    {
        super(type, FIELD_OFFSET + fieldLength, true);
        this.fieldLength = fieldLength;
    }

    /**
     * Nothing to check beyond the exact length: every value of the field is valid.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
    }

    @Override
    int frameLength()
    {
        return FIELD_OFFSET + fieldLength;
    }

    /**
     * Writes a whole frame and seals it.
     *
     * @param buffer      the memory to write to, at least the frame length from {@code frameOffset}.
     * @param frameOffset the offset of the frame's first byte.
     * @param field       exactly the field's length of bytes.
     * @return the frame length.
     */
    public int encode(final MemorySegment buffer, final long frameOffset, final byte[] field)
    {
        wrap(buffer, frameOffset);
        Messages.copyIn(field, buffer, frameOffset + FIELD_OFFSET, fieldLength);
        return seal();
    }

    /**
     * @param dst at least the field's length of bytes.
     * @return {@code dst}, the field copied into it.
     */
    byte[] copyFieldTo(final byte[] dst)
    {
        return Messages.copyOut(buffer, offset + FIELD_OFFSET, fieldLength, dst);
    }

    /**
     * @param field exactly the field's length of bytes.
     */
    void putField(final byte[] field)
    {
        Messages.copyIn(field, buffer, offset + FIELD_OFFSET, fieldLength);
    }
}
