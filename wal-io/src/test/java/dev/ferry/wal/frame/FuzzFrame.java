package dev.ferry.wal.frame;

import dev.ferry.wal.codec.ByteBufferView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.CRC32C_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;

/**
 * Native memory a fuzz target copies each input into, as a receiver's buffer holds a frame. The decoders get a slice of
 * exactly the input's length, so reading one byte past the frame is an {@link IndexOutOfBoundsException} (a finding)
 * rather than a read of the previous input's bytes.
 * <p>
 * Single-threaded, reused for every input of a target; close it to free the memory.
 */
public final class FuzzFrame implements AutoCloseable
{
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();

    /**
     * @param capacity the longest input kept; longer inputs are cut to this length.
     */
    public FuzzFrame(final int capacity)
    {
        buffer = arena.allocate(capacity, 64);
    }

    /**
     * @param input the fuzzer's bytes.
     * @return the input in native memory, exactly its length (at most the capacity).
     */
    public MemorySegment copy(final byte[] input)
    {
        final int length = (int)Math.min(input.length, buffer.byteSize());
        MemorySegment.copy(input, 0, buffer, ValueLayout.JAVA_BYTE, 0, length);
        return buffer.asSlice(0, length);
    }

    /**
     * Makes the header of a frame valid over whatever its body is: the length field, {@code type}, the version, no
     * flags, and the CRC32C of the frame's own bytes. A frame shorter than a header is left as it is. The header has a
     * target of its own ({@code FrameDecoderFuzzTest}); the targets of body decoders make it valid so that every input
     * reaches the body checks instead of stopping at the CRC32C.
     *
     * @param frame a frame from {@link #copy(byte[])}.
     * @param type  the type to write.
     * @return {@code frame}.
     */
    public MemorySegment seal(final MemorySegment frame, final MessageType type)
    {
        if (frame.byteSize() >= HEADER_LENGTH)
        {
            FrameHeader.seal(crc, view, frame, 0, type, (int)frame.byteSize());
        }
        return frame;
    }

    /**
     * @param input the fuzzer's bytes.
     * @param type  the type to write.
     * @return {@link #seal(MemorySegment, MessageType)} of {@link #copy(byte[])}.
     */
    public MemorySegment sealed(final byte[] input, final MessageType type)
    {
        return seal(copy(input), type);
    }

    /**
     * The CRC32C a frame header must carry, computed from the frame's bytes in a heap array, independently of the
     * decoder's native path: the oracle for what a decoder accepted.
     *
     * @param frame  the frame's bytes.
     * @param offset where the frame starts.
     * @param length the frame length, at least {@link FrameHeader#HEADER_LENGTH}.
     * @return the CRC32C of bytes {@code [0, 8)} and {@code [12, length)} of the frame.
     */
    public static int frameCrc32c(final byte[] frame, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(frame, offset, CRC32C_OFFSET);
        crc.update(frame, offset + HEADER_LENGTH, length - HEADER_LENGTH);
        return (int)crc.getValue();
    }

    /**
     * @param bytes a payload.
     * @return its CRC32C, computed in a heap array.
     */
    public static int crc32c(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int)crc.getValue();
    }

    @Override
    public void close()
    {
        view.clear();
        arena.close();
    }
}
