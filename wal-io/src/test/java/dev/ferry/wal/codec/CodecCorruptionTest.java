package dev.ferry.wal.codec;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.frame.FrameException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile compressed input: always a {@link FrameException} with code {@code COMPRESSION} or, where the damage still
 * decodes (snappy and zstd carry no checksum of their own here), exactly the expected length; never a crash, another
 * exception, or a byte written past the expected length (a canary after the destination checks that).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CodecCorruptionTest
{
    private static final byte CANARY = (byte)0xC5;
    private static final int CANARY_LENGTH = 256;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment src = arena.allocate(1 << 16);
    private final MemorySegment compressed = arena.allocate(1 << 17);
    private final MemorySegment damaged = arena.allocate(1 << 17);
    private final MemorySegment dst = arena.allocate((1 << 16) + CANARY_LENGTH);

    @AfterEach
    void after()
    {
        arena.close();
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = { "SNAPPY", "ZSTD" })
    void shouldRejectRandomBytes(final Codec codec)
    {
        final Random random = new Random(42);
        int rejected = 0;
        try (Compressor compressor = Compressors.of(codec))
        {
            for (int i = 0; i < 20_000; i++)
            {
                final int length = random.nextInt(300);
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, damaged, 0, length);
                final int expected = random.nextBoolean() ? random.nextInt(64) : random.nextInt(1 << 16);
                rejected += decompressHostile(compressor, length, expected) ? 0 : 1;
            }
        }
        assertTrue(rejected > 19_000, "rejected " + rejected);
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = { "SNAPPY", "ZSTD" })
    void shouldRejectEveryTruncation(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            for (final byte[] data : new byte[][]{ CodecCompressorTest.text(3000), CodecCompressorTest.random(1, 700) })
            {
                final int length = compress(compressor, data);
                resetCanary(data.length);
                for (int truncated = 0; truncated < length; truncated++)
                {
                    MemorySegment.copy(compressed, 0, damaged, 0, truncated);
                    final int at = truncated;
                    final FrameException ex = assertThrows(
                        FrameException.class,
                        () -> compressor.decompress(damaged, 0, at, dst, 0, data.length),
                        () -> "truncated to " + at);
                    assertSame(ErrorCode.COMPRESSION, ex.code());
                    assertCanary(data.length);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = { "SNAPPY", "ZSTD" })
    void shouldSurviveEveryBitFlip(final Codec codec)
    {
        try (Compressor compressor = Compressors.of(codec))
        {
            final byte[] data = CodecCompressorTest.text(2000);
            final int length = compress(compressor, data);
            int rejected = 0;
            for (int bit = 0; bit < length * 8; bit++)
            {
                MemorySegment.copy(compressed, 0, damaged, 0, length);
                final long index = bit >>> 3;
                damaged.set(ValueLayout.JAVA_BYTE, index, (byte)(damaged.get(ValueLayout.JAVA_BYTE, index) ^
                    (1 << (bit & 7))));
                rejected += decompressHostile(compressor, length, data.length) ? 0 : 1;
            }
            assertTrue(rejected > 0);
        }
    }

    @Test
    void shouldRejectSnappyDeclaringMoreThanExpectedBeforeWriting()
    {
        try (Compressor compressor = Compressors.of(Codec.SNAPPY))
        {
            // varint 2^32 - 1, then a literal: snappy would write far past a 10-byte destination if it were asked to
            final byte[] hostile = { (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x0F, 0x00, 0x41 };
            MemorySegment.copy(MemorySegment.ofArray(hostile), 0, damaged, 0, hostile.length);
            resetCanary(10);
            assertSame(
                ErrorCode.COMPRESSION,
                assertThrows(FrameException.class, () -> compressor.decompress(damaged, 0, hostile.length, dst, 0, 10))
                    .code());
            assertCanary(10);

            // a valid block of 3000 bytes offered as 10
            final int length = compress(compressor, CodecCompressorTest.text(3000));
            resetCanary(10);
            assertThrows(FrameException.class, () -> compressor.decompress(compressed, 0, length, dst, 0, 10));
            assertCanary(10);
        }
    }

    @Test
    void shouldRejectZstdFrameLargerThanExpectedWithoutWritingPastIt()
    {
        try (Compressor compressor = Compressors.of(Codec.ZSTD))
        {
            final int length = compress(compressor, CodecCompressorTest.random(3, 3000));
            resetCanary(2999);
            assertThrows(FrameException.class, () -> compressor.decompress(compressed, 0, length, dst, 0, 2999));
            assertCanary(2999);
        }
    }

    /**
     * @return true if the input decoded to exactly {@code expected} bytes, false if rejected as it should be.
     */
    private boolean decompressHostile(final Compressor compressor, final int length, final int expected)
    {
        resetCanary(expected);
        try
        {
            assertEquals(expected, compressor.decompress(damaged, 0, length, dst, 0, expected));
            assertCanary(expected);
            return true;
        }
        catch (final FrameException ex)
        {
            assertSame(ErrorCode.COMPRESSION, ex.code());
            assertCanary(expected);
            return false;
        }
        catch (final RuntimeException ex)
        {
            fail("hostile input of " + length + " bytes (expected " + expected + ") threw " + ex, ex);
            return false;
        }
    }

    private int compress(final Compressor compressor, final byte[] data)
    {
        MemorySegment.copy(MemorySegment.ofArray(data), 0, src, 0, data.length);
        return compressor.compress(src, 0, data.length, compressed, 0, (int)compressed.byteSize());
    }

    private void resetCanary(final int expected)
    {
        dst.asSlice(expected, CANARY_LENGTH).fill(CANARY);
    }

    private void assertCanary(final int expected)
    {
        for (int i = 0; i < CANARY_LENGTH; i++)
        {
            if (CANARY != dst.get(ValueLayout.JAVA_BYTE, expected + i))
            {
                fail("byte " + (expected + i) + " written past the expected length " + expected);
            }
        }
    }
}
