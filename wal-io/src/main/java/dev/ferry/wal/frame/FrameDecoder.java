package dev.ferry.wal.frame;

import dev.ferry.wal.codec.ByteBufferView;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.CRC32C_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.FLAGS_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.KNOWN_FLAGS;
import static dev.ferry.wal.frame.FrameHeader.LENGTH_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static dev.ferry.wal.frame.FrameHeader.TYPE_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.VERSION;
import static dev.ferry.wal.frame.FrameHeader.VERSION_OFFSET;

/**
 * Cuts frames out of a byte stream and checks their header and CRC32C before any body is read.
 * <p>
 * Use: {@link #frameLength(MemorySegment, long, long)} on the bytes received so far until it returns a length, then
 * {@link #verify(MemorySegment, long, long)} on exactly that many bytes, then hand the frame to the decoder of its
 * {@link MessageType}. The checks read only fixed-size fields and the declared length is bounded by
 * {@link #maxFrameBytes()} before it is used, so a hostile peer can neither make this allocate nor make the caller
 * wait for more than {@code maxFrameBytes}.
 * <p>
 * Reusable and allocation-free when passed the same buffer object on every call (the buffer's CRC view is cached);
 * single-threaded.
 */
public final class FrameDecoder
{
    private final int maxFrameBytes;
    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();

    /**
     * @param maxFrameBytes the largest frame accepted, from {@link FrameHeader#MAX_FRAME_BYTES_MIN} to
     *                      {@link FrameHeader#MAX_FRAME_BYTES_MAX}.
     * @throws dev.ferry.error.FerryException with {@code CONFIGURATION} if {@code maxFrameBytes} is out of range.
     */
    public FrameDecoder(final int maxFrameBytes)
    {
        this.maxFrameBytes = FrameHeader.checkMaxFrameBytes(maxFrameBytes);
    }

    /**
     * @return the largest frame accepted.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * Stream framing: the length of the frame starting at {@code offset} if all of it has arrived.
     *
     * @param buffer    the received bytes.
     * @param offset    where the next frame starts.
     * @param available the bytes received from {@code offset} on.
     * @return the frame length, or -1 if fewer than 4 bytes or fewer than the frame length are available.
     * @throws FrameException {@link FrameException.Reason#TOO_SHORT} if the length is below the header length,
     *                        {@link FrameException.Reason#TOO_LONG} if it is above {@link #maxFrameBytes()}; both
     *                        as soon as the length field has arrived.
     */
    public int frameLength(final MemorySegment buffer, final long offset, final long available)
    {
        if (available < Integer.BYTES)
        {
            return -1;
        }

        final long length = Integer.toUnsignedLong(buffer.get(INT_LE, offset + LENGTH_OFFSET));
        checkLength(length);

        return available < length ? -1 : (int)length;
    }

    /**
     * Checks a frame that fills {@code frame} exactly.
     *
     * @param frame the frame, sized to its length.
     * @return the frame's type.
     * @throws FrameException if the frame is malformed or damaged.
     * @see #verify(MemorySegment, long, long)
     */
    public MessageType verify(final MemorySegment frame)
    {
        return verify(frame, 0, frame.byteSize());
    }

    /**
     * Checks the frame at {@code [offset, offset + length)}: the length field equals {@code length}, then the version,
     * the CRC32C, the type and the flags.
     *
     * @param buffer the memory holding the frame.
     * @param offset the offset of the frame's first byte.
     * @param length the bytes that make up the frame, as cut by {@link #frameLength(MemorySegment, long, long)}.
     * @return the frame's type.
     * @throws FrameException {@code TOO_SHORT}, {@code TOO_LONG} or {@code LENGTH_MISMATCH} for a bad length,
     *                        {@code BAD_VERSION}, {@code BAD_CHECKSUM} (code {@code CHECKSUM}), {@code UNKNOWN_TYPE},
     *                        {@code BAD_FLAGS}.
     */
    public MessageType verify(final MemorySegment buffer, final long offset, final long length)
    {
        checkLength(length);

        final long lengthField = Integer.toUnsignedLong(buffer.get(INT_LE, offset + LENGTH_OFFSET));
        if (lengthField != length)
        {
            throw new FrameException(
                FrameException.Reason.LENGTH_MISMATCH,
                "frame length field is " + lengthField + " but the frame has " + length + " bytes");
        }

        final int version = buffer.get(BYTE, offset + VERSION_OFFSET) & 0xFF;
        if (VERSION != version)
        {
            throw new FrameException(
                FrameException.Reason.BAD_VERSION,
                "frame version is " + version + " but this build speaks version " + VERSION);
        }

        final int expectedCrc = FrameHeader.computeCrc32c(crc, view, buffer, offset, (int)length);
        final int actualCrc = buffer.get(INT_LE, offset + CRC32C_OFFSET);
        if (expectedCrc != actualCrc)
        {
            throw new FrameException(
                FrameException.Reason.BAD_CHECKSUM,
                "frame crc32c is " + Integer.toHexString(actualCrc) + " but its bytes give " +
                Integer.toHexString(expectedCrc));
        }

        final int typeValue = buffer.get(BYTE, offset + TYPE_OFFSET) & 0xFF;
        final MessageType type = MessageType.fromValue(typeValue);
        if (null == type)
        {
            throw new FrameException(FrameException.Reason.UNKNOWN_TYPE, "unknown frame type " + typeValue);
        }

        final int flags = buffer.get(SHORT_LE, offset + FLAGS_OFFSET) & 0xFFFF;
        if (0 != (flags & ~KNOWN_FLAGS))
        {
            throw new FrameException(
                FrameException.Reason.BAD_FLAGS,
                "frame flags 0x" + Integer.toHexString(flags) + " set bits version " + VERSION + " does not define");
        }

        return type;
    }

    private void checkLength(final long length)
    {
        if (length < HEADER_LENGTH)
        {
            throw new FrameException(
                FrameException.Reason.TOO_SHORT,
                "frame length " + length + " is below the header length " + HEADER_LENGTH);
        }
        if (length > maxFrameBytes)
        {
            throw new FrameException(
                FrameException.Reason.TOO_LONG, "frame length " + length + " exceeds maxFrameBytes=" + maxFrameBytes);
        }
    }
}
