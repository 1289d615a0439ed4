package dev.ferry.wal.codec;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.frame.FrameException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Compressor} contract, run against every codec.
 */
class CodecCompressorTest
{
    static final int[] SIZES = { 0, 1, 2, 15, 100, 4096, 65_537, 1 << 20 };

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment src = arena.allocate((1 << 20) + 64);
    private final MemorySegment compressed = arena.allocate((2 << 20) + 64);
    private final MemorySegment dst = arena.allocate((1 << 20) + 64);

    @AfterEach
    void after()
    {
        arena.close();
    }

    static byte[] text(final int length)
    {
        final byte[] pattern = "PUT user:42 {\"name\":\"ferry\",\"balance\":100} ".getBytes(StandardCharsets.US_ASCII);
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = pattern[i % pattern.length];
        }
        return bytes;
    }

    static byte[] random(final long seed, final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRoundTripCompressibleData(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            assertSame(codec, compressor.codec());
            for (final int size : SIZES)
            {
                final int compressedLength = roundTrip(compressor, text(size), 0, 0);
                if (Codec.NONE != codec && size >= 4096)
                {
                    assertTrue(compressedLength < size / 4, codec + " " + size + " -> " + compressedLength);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRoundTripIncompressibleData(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            for (final int size : SIZES)
            {
                final int compressedLength = roundTrip(compressor, random(size, size), 0, 0);
                assertTrue(compressedLength <= compressor.maxCompressedLength(size));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRoundTripAtOffsets(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            roundTrip(compressor, text(1000), 13, 29);
            roundTrip(compressor, random(7, 333), 1, 7);
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectDeclaredLengthMismatch(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            for (final int size : new int[]{ 0, 1, 100, 5000 })
            {
                final byte[] data = text(size);
                MemorySegment.copy(MemorySegment.ofArray(data), 0, src, 0, size);
                final int length = compressor.compress(src, 0, size, compressed, 0, (int)compressed.byteSize());
                for (final int expected : new int[]{ size - 1, size + 1, size * 2 + 1 })
                {
                    if (expected < 0)
                    {
                        continue;
                    }
                    final FrameException ex = assertThrows(
                        FrameException.class, () -> compressor.decompress(compressed, 0, length, dst, 0, expected));
                    assertSame(FrameException.Reason.COMPRESSION, ex.reason());
                    assertSame(ErrorCode.COMPRESSION, ex.code());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectDestinationSmallerThanMaxCompressedLength(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            final int size = 1000;
            final int tooSmall = compressor.maxCompressedLength(size) - 1;
            assertThrows(
                IllegalArgumentException.class, () -> compressor.compress(src, 0, size, compressed, 0, tooSmall));
            assertThrows(
                IndexOutOfBoundsException.class,
                () -> compressor.decompress(compressed, 0, 10, dst, dst.byteSize() - 5, 10));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = { "SNAPPY", "ZSTD" })
    void shouldRejectHeapSegments(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            final MemorySegment heap = MemorySegment.ofArray(new byte[compressor.maxCompressedLength(100)]);
            assertThrows(IllegalArgumentException.class, () -> compressor.compress(heap, 0, 100, compressed, 0, 200));
            assertThrows(IllegalArgumentException.class, () -> compressor.compress(src, 0, 100, heap, 0, 100));
            assertThrows(IllegalArgumentException.class, () -> compressor.decompress(heap, 0, 10, dst, 0, 100));
        }
    }

    private int roundTrip(final Compressor compressor, final byte[] data, final int srcOffset, final int dstOffset)
    {
        MemorySegment.copy(MemorySegment.ofArray(data), 0, src, srcOffset, data.length);
        final int length = compressor.compress(
            src, srcOffset, data.length, compressed, dstOffset, (int)compressed.byteSize() - dstOffset);
        assertTrue(length <= compressor.maxCompressedLength(data.length));

        dst.fill((byte)0x77);
        assertEquals(data.length, compressor.decompress(compressed, dstOffset, length, dst, srcOffset, data.length));
        assertArrayEquals(data, dst.asSlice(srcOffset, data.length).toArray(ValueLayout.JAVA_BYTE));
        assertEquals((byte)0x77, dst.get(ValueLayout.JAVA_BYTE, srcOffset + data.length), "wrote past the end");

        final MemorySegment whole = compressed.asSlice(dstOffset, length);
        final MemorySegment out = arena.allocate(Math.max(1, data.length)).asSlice(0, data.length);
        assertEquals(data.length, compressor.decompress(whole, out, data.length));
        assertArrayEquals(data, out.toArray(ValueLayout.JAVA_BYTE));

        return length;
    }
}
