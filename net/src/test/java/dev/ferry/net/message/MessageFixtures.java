package dev.ferry.net.message;

import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.CRC32C_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Native memory, a frame decoder and helpers shared by the message tests.
 */
final class MessageFixtures implements AutoCloseable
{
    static final int MAX_FRAME_BYTES = 64 * 1024;

    final Arena arena = Arena.ofConfined();
    final MemorySegment buffer = arena.allocate(MAX_FRAME_BYTES + 64);
    final FrameDecoder frameDecoder = new FrameDecoder(MAX_FRAME_BYTES);
    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();

    /**
     * Recomputes the CRC32C of a frame whose bytes a test changed, so that it passes {@link FrameDecoder#verify}.
     */
    void reseal(final long offset, final int length)
    {
        buffer.set(INT_LE, offset + CRC32C_OFFSET, FrameHeader.computeCrc32c(crc, view, buffer, offset, length));
    }

    /**
     * Sets the frame length field to {@code length} and reseals.
     */
    void resize(final long offset, final int length)
    {
        buffer.set(INT_LE, offset, length);
        reseal(offset, length);
    }

    /**
     * Verifies the frame and checks its type.
     */
    void verify(final long offset, final int length, final MessageType expected)
    {
        assertEquals(expected, frameDecoder.verify(buffer, offset, length));
    }

    /**
     * Sets one byte, reseals, and returns nothing: for corrupting a field.
     */
    void putByte(final long offset, final int length, final long at, final int value)
    {
        buffer.set(BYTE, offset + at, (byte)value);
        reseal(offset, length);
    }

    /**
     * Writes a whole {@code STATUS_RESPONSE} of one part holding {@code json}, its proof all zero, and seals it.
     *
     * @return the frame length.
     */
    int statusResponse(final StatusResponseFlyweight flyweight, final long offset, final String json)
    {
        final byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        return flyweight.part(buffer, offset, 0, 1, utf8, 0, utf8.length).seal();
    }

    /**
     * Asserts the action throws a {@link FrameException} with the given reason.
     */
    static FrameException assertRejected(final FrameException.Reason reason, final Runnable action)
    {
        final FrameException ex = assertThrows(FrameException.class, action::run);
        assertEquals(reason, ex.reason(), ex.getMessage());
        return ex;
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
