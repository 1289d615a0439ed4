package dev.ferry.wal.codec;

import com.github.luben.zstd.Zstd;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest
{
    @Test
    void shouldKeepStableIds()
    {
        assertEquals(0, Codec.NONE.id());
        assertEquals(1, Codec.SNAPPY.id());
        assertEquals(2, Codec.ZSTD.id());
        for (final Codec codec : Codec.values())
        {
            assertSame(codec, Codec.fromId(codec.id()));
        }
    }

    @Test
    void shouldReturnNullForUnknownId()
    {
        assertNull(Codec.fromId(-1));
        assertNull(Codec.fromId(3));
        assertNull(Codec.fromId(255));
    }

    @Test
    void shouldParseNamesIgnoringCase()
    {
        assertSame(Codec.ZSTD, Codec.parse("ZSTD"));
        assertSame(Codec.SNAPPY, Codec.parse(" snappy "));
        assertSame(Codec.NONE, Codec.parse("None"));
    }

    @Test
    void shouldRejectUnknownNameListingValidOnes()
    {
        for (final String name : new String[]{ "lz4", "", null })
        {
            final FerryException ex = assertThrows(FerryException.class, () -> Codec.parse(name));
            assertSame(ErrorCode.CONFIGURATION, ex.code());
            assertTrue(ex.getMessage().contains("none, snappy, zstd"), ex.getMessage());
        }
    }

    @Test
    void shouldValidateZstdLevel()
    {
        for (final int level : new int[]{ Zstd.minCompressionLevel() - 1, Zstd.maxCompressionLevel() + 1 })
        {
            final FerryException ex = assertThrows(FerryException.class, () -> Compressors.of(Codec.ZSTD, level));
            assertSame(ErrorCode.CONFIGURATION, ex.code());
            assertTrue(ex.getMessage().contains("zstd level " + level), ex.getMessage());
        }
        try (ZstdCompressor compressor = new ZstdCompressor(Zstd.maxCompressionLevel()))
        {
            assertEquals(Zstd.maxCompressionLevel(), compressor.level());
        }
        try (Compressor compressor = Compressors.of(Codec.NONE, Integer.MAX_VALUE))
        {
            assertSame(Codec.NONE, compressor.codec());
        }
    }
}
