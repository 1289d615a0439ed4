package dev.ferry.wal.codec;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Creates the {@link Compressor} for a {@link Codec}.
 */
public final class Compressors
{
    /** The zstd level used when none is configured: zstd's own default, a good speed/ratio balance. */
    public static final int ZSTD_LEVEL_DEFAULT = 3;

    private Compressors()
    {
    }

    /**
     * @param codec     the codec.
     * @param zstdLevel the zstd level, used (and validated) only for {@link Codec#ZSTD}.
     * @return a new compressor, owned by the caller (single-threaded, to be closed).
     * @throws dev.ferry.wal.FerryException with {@code CONFIGURATION} if the zstd level is out of range.
     */
    public static Compressor of(final Codec codec, final int zstdLevel)
    {
        return switch (codec)
        {
            case NONE -> new NoneCompressor();
            case SNAPPY -> new SnappyCompressor();
            case ZSTD -> new ZstdCompressor(zstdLevel);
        };
    }

    /**
     * @param codec the codec.
     * @return a new compressor with the default zstd level, owned by the caller (single-threaded, to be closed).
     */
    public static Compressor of(final Codec codec)
    {
        return of(codec, ZSTD_LEVEL_DEFAULT);
    }

    static int intLength(final long byteSize)
    {
        if (byteSize > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("segment of " + byteSize + " bytes is too large to compress at once");
        }
        return (int)byteSize;
    }

    static int capacity(final long byteSize)
    {
        return (int)Math.min(byteSize, Integer.MAX_VALUE);
    }

    static void checkRegions(
        final MemorySegment src,
        final long srcOffset,
        final int srcLength,
        final MemorySegment dst,
        final long dstOffset,
        final int dstLength,
        final boolean nativeOnly)
    {
        Objects.checkFromIndexSize(srcOffset, srcLength, src.byteSize());
        Objects.checkFromIndexSize(dstOffset, dstLength, dst.byteSize());
        if (nativeOnly && (!src.isNative() || !dst.isNative()))
        {
            throw new IllegalArgumentException("this compressor works on native (off-heap) segments only");
        }
    }
}
