package dev.ferry.wal.frame;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.codec.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameDecoderTest
{
    private final FrameFixtures fixtures = new FrameFixtures();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    @Test
    void shouldRejectMaxFrameBytesOutOfRange()
    {
        for (final int value : new int[]{ 0, FrameHeader.MAX_FRAME_BYTES_MIN - 1, FrameHeader.MAX_FRAME_BYTES_MAX + 1 })
        {
            final FerryException ex = assertThrows(FerryException.class, () -> new FrameDecoder(value));
            assertSame(ErrorCode.CONFIGURATION, ex.code());
            assertTrue(ex.getMessage().contains("maxFrameBytes=" + value), ex.getMessage());
            assertThrows(FerryException.class, () -> new BatchEncoder(value));
            assertThrows(FerryException.class, () -> new BatchDecoder(value));
        }
        final int min = FrameHeader.MAX_FRAME_BYTES_MIN;
        final int max = FrameHeader.MAX_FRAME_BYTES_MAX;
        assertEquals(min, new FrameDecoder(min).maxFrameBytes());
        assertEquals(max, new FrameDecoder(max).maxFrameBytes());
    }

    @Test
    void shouldReturnMinusOneOnPartialInput()
    {
        final MemorySegment buffer = fixtures.frameBuffer;
        buffer.set(INT_LE, 0, 100);
        for (int available = 0; available < 100; available++)
        {
            assertEquals(-1, fixtures.frameDecoder.frameLength(buffer, 0, available), "available " + available);
        }
        assertEquals(100, fixtures.frameDecoder.frameLength(buffer, 0, 100));
        assertEquals(100, fixtures.frameDecoder.frameLength(buffer, 0, 1000));
    }

    @Test
    void shouldRejectFrameLongerThanMaxFrameBytesAsSoonAsLengthArrives()
    {
        final MemorySegment buffer = fixtures.frameBuffer;
        for (final int length : new int[]{ FrameFixtures.MAX_FRAME_BYTES + 1, Integer.MAX_VALUE, -1 })
        {
            buffer.set(INT_LE, 0, length);
            final FrameException ex =
                assertThrows(FrameException.class, () -> fixtures.frameDecoder.frameLength(buffer, 0, 4));
            assertSame(FrameException.Reason.TOO_LONG, ex.reason());
            assertSame(ErrorCode.PROTOCOL, ex.code());
        }
        buffer.set(INT_LE, 0, FrameFixtures.MAX_FRAME_BYTES);
        assertEquals(-1, fixtures.frameDecoder.frameLength(buffer, 0, 4));
    }

    @Test
    void shouldRejectLengthBelowHeaderLength()
    {
        final MemorySegment buffer = fixtures.frameBuffer;
        for (int length = 0; length < FrameHeader.HEADER_LENGTH; length++)
        {
            buffer.set(INT_LE, 0, length);
            final FrameException ex =
                assertThrows(FrameException.class, () -> fixtures.frameDecoder.frameLength(buffer, 0, 100));
            assertSame(FrameException.Reason.TOO_SHORT, ex.reason());
        }
    }

    @Test
    void shouldCutFramesFromAStream()
    {
        final int first = fixtures.encode(Codec.NONE, 10, List.of(FrameFixtures.text(5, 1)));
        final MemorySegment stream = fixtures.arena.allocate(3L * first + 2);
        for (int i = 0; i < 3; i++)
        {
            MemorySegment.copy(fixtures.frameBuffer, 0, stream, (long)i * first, first);
        }

        long position = 0;
        int frames = 0;
        while (true)
        {
            final int length = fixtures.frameDecoder.frameLength(stream, position, stream.byteSize() - position);
            if (length < 0)
            {
                break;
            }
            assertSame(MessageType.BATCH, fixtures.frameDecoder.verify(stream, position, length));
            position += length;
            frames++;
        }
        assertEquals(3, frames);
        assertEquals(3L * first, position);
    }

    @Test
    void shouldVerifyAndRejectHeaderFields()
    {
        final int length = fixtures.encode(Codec.NONE, 0, List.of(FrameFixtures.text(40, 2)));
        final MemorySegment frame = fixtures.frameBuffer.asSlice(0, length);
        assertSame(MessageType.BATCH, fixtures.frameDecoder.verify(frame));

        assertReason(FrameException.Reason.LENGTH_MISMATCH, fixtures.frameBuffer.asSlice(0, length - 1));
        assertReason(FrameException.Reason.TOO_SHORT, fixtures.frameBuffer.asSlice(0, 11));

        frame.set(BYTE, FrameHeader.VERSION_OFFSET, (byte)(FrameHeader.VERSION - 1)); // the previous version
        FrameFixtures.reseal(frame, length);
        assertReason(FrameException.Reason.BAD_VERSION, frame);
        frame.set(BYTE, FrameHeader.VERSION_OFFSET, (byte)FrameHeader.VERSION);

        frame.set(BYTE, FrameHeader.TYPE_OFFSET, (byte)200);
        FrameFixtures.reseal(frame, length);
        assertReason(FrameException.Reason.UNKNOWN_TYPE, frame);
        frame.set(BYTE, FrameHeader.TYPE_OFFSET, (byte)MessageType.BATCH.value());

        frame.set(SHORT_LE, FrameHeader.FLAGS_OFFSET, (short)0x8000);
        FrameFixtures.reseal(frame, length);
        assertReason(FrameException.Reason.BAD_FLAGS, frame);
        frame.set(SHORT_LE, FrameHeader.FLAGS_OFFSET, (short)0);
        FrameFixtures.reseal(frame, length);
        assertSame(MessageType.BATCH, fixtures.frameDecoder.verify(frame));

        frame.set(BYTE, length - 1, (byte)(frame.get(BYTE, length - 1) ^ 1));
        final FrameException ex = assertReason(FrameException.Reason.BAD_CHECKSUM, frame);
        assertSame(ErrorCode.CHECKSUM, ex.code());
    }

    private FrameException assertReason(final FrameException.Reason reason, final MemorySegment frame)
    {
        final FrameException ex = assertThrows(FrameException.class, () -> fixtures.frameDecoder.verify(frame));
        assertSame(reason, ex.reason(), ex.getMessage());
        return ex;
    }
}
