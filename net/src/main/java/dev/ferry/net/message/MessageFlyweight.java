package dev.ferry.net.message;

import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * What every control-message flyweight shares: the wrapped memory and frame offset, {@link #wrap(MemorySegment, long)},
 * the decode template (the frame checks every message makes, then the message's own {@link #validateBody}) and
 * {@link #seal()} (frame header and CRC32C over {@link #frameLength()} bytes).
 * <p>
 * Reusable, single-threaded, allocation-free: the CRC32C and its buffer view are created once per instance.
 * <p>
 * Package-private, so only this package's flyweights (all {@code final}) extend it. Its public methods are not
 * {@code final} on purpose: javac then gives each subclass public bridge methods, so reflection and method handles
 * outside the package reach them through the public subclass as before.
 *
 * @param <T> the concrete flyweight, returned by the fluent methods.
 */
abstract class MessageFlyweight<T extends MessageFlyweight<T>>
{
    private final MessageType type;
    private final int minLength;
    private final boolean fixedLength;
    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();

    /** The wrapped memory; {@code null} until wrapped, and while a decode is checking a frame. */
    MemorySegment buffer;
    /** The offset of the frame's first byte in {@link #buffer}. */
    long offset;

    /**
     * @param type        the message type every frame must carry.
     * @param minLength   the shortest frame; for a fixed-length message, its only length.
     * @param fixedLength whether every frame is exactly {@code minLength} bytes.
     */
    MessageFlyweight(final MessageType type, final int minLength, final boolean fixedLength)
    {
        this.type = type;
        this.minLength = minLength;
        this.fixedLength = fixedLength;
    }

    /**
     * @return the message type this flyweight reads and writes.
     */
    public MessageType type()
    {
        return type;
    }

    /**
     * Wraps a frame without checking it: to encode, or to read one {@link #decode(MemorySegment, long, long)}
     * already accepted.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @return this.
     */
    public T wrap(final MemorySegment buffer, final long frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return self();
    }

    /**
     * Wraps a verified frame that fills {@code frame} exactly and checks every field.
     *
     * @param frame the frame.
     * @return this.
     * @throws FrameException if the frame or a field is invalid.
     * @see #decode(MemorySegment, long, long)
     */
    public T decode(final MemorySegment frame)
    {
        return decode(frame, 0, frame.byteSize());
    }

    /**
     * Wraps the frame at {@code [frameOffset, frameOffset + frameLength)}, already accepted by
     * {@code FrameDecoder.verify}, and checks every field against the layout the class documents. On failure the
     * flyweight is left unwrapped.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @param frameLength the frame length.
     * @return this.
     * @throws FrameException {@code TOO_SHORT} / {@code LENGTH_MISMATCH} / {@code UNKNOWN_TYPE} for a frame that is
     *                        not of this message's type or not of the length its fields describe, {@code BAD_FIELD}
     *                        (or {@code BAD_FLAGS} for an unknown flag) for a field out of range; all with code
     *                        {@code PROTOCOL}.
     * @throws IndexOutOfBoundsException if the range is not inside {@code buffer}.
     */
    public T decode(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        this.buffer = null;
        Messages.checkFrame(buffer, frameOffset, frameLength, type, minLength);
        if (fixedLength)
        {
            Messages.checkExactLength(type, frameLength, minLength);
        }
        validateBody(buffer, frameOffset, frameLength);

        this.buffer = buffer;
        this.offset = frameOffset;
        return self();
    }

    /**
     * Checks the message's own fields, once the frame's type and minimum length (and, for a fixed-length message, its
     * exact length) are checked.
     *
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of the frame's first byte.
     * @param frameLength the frame length.
     * @throws FrameException if a field is invalid or the frame is not the length its fields describe.
     */
    abstract void validateBody(MemorySegment buffer, long frameOffset, long frameLength);

    /**
     * @return the length of the wrapped frame, from its fields for a variable-length message.
     */
    abstract int frameLength();

    /**
     * Writes the frame header and CRC32C over the body already set.
     *
     * @return the frame length.
     */
    public int seal()
    {
        final int length = frameLength();
        FrameHeader.seal(crc, view, buffer, offset, type, length);
        return length;
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

    @SuppressWarnings("unchecked")
    private T self()
    {
        return (T)this;
    }
}
