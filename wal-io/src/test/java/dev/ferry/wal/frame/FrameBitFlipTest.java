package dev.ferry.wal.frame;

import dev.ferry.wal.codec.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameBitFlipTest
{
    private final FrameFixtures fixtures = new FrameFixtures();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectEverySingleBitFlip(final Codec codec)
    {
        final List<byte[]> payloads = List.of(
            FrameFixtures.text(40, 1), FrameFixtures.text(0, 2), FrameFixtures.text(65, 3), new byte[]{ 9 });
        final int length = fixtures.encode(codec, 123_456, payloads);
        final MemorySegment original = fixtures.arena.allocate(length);
        MemorySegment.copy(fixtures.frameBuffer, 0, original, 0, length);
        final MemorySegment damaged = fixtures.arena.allocate(length);
        assertEquals(payloads.size(), fixtures.decode(original, length).size());

        for (int bit = 0; bit < length * 8; bit++)
        {
            MemorySegment.copy(original, 0, damaged, 0, length);
            final long index = bit >>> 3;
            damaged.set(BYTE, index, (byte)(damaged.get(BYTE, index) ^ (1 << (bit & 7))));

            final int flipped = bit;
            assertThrows(FrameException.class, () -> fixtures.decode(damaged, length), () -> "bit " + flipped);
        }
    }
}
