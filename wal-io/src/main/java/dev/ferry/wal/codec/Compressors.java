package dev.ferry.wal.codec;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates the {@link Compressor} for a {@link Codec}.
 */
public final class Compressors
{
    /** The zstd level used when none is configured: zstd's own default, a good speed/ratio balance. */
    public static final int ZSTD_LEVEL_DEFAULT = 3;

    /** Native (zstd) contexts created and not yet freed, in this JVM: a leak check for tests and status. */
    private static final AtomicLong OPEN_NATIVE_CONTEXTS = new AtomicLong();

    private Compressors()
    {
    }

    /**
     * The number of native codec contexts (zstd-jni's compression and decompression contexts) created by Ferry's
     * compressors and not yet freed by {@link Compressor#close()}. A context is created on a compressor's first use
     * and counted once, so the count costs nothing per call; a number that grows with reconnects is a leak.
     *
     * @return the contexts open in this JVM.
     */
    public static long openNativeContexts()
    {
        return OPEN_NATIVE_CONTEXTS.get();
    }

    static void nativeContextOpened()
    {
        OPEN_NATIVE_CONTEXTS.incrementAndGet();
    }

    static void nativeContextClosed()
    {
        OPEN_NATIVE_CONTEXTS.decrementAndGet();
    }

    /**
     * @param codec     the codec.
     * @param zstdLevel the zstd level, used (and validated) only for {@link Codec#ZSTD}.
     * @return a new compressor, owned by the caller (single-threaded, to be closed).
     * @throws dev.ferry.error.FerryException with {@code CONFIGURATION} if the zstd level is out of range.
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
