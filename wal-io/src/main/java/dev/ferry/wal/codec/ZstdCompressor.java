package dev.ferry.wal.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.frame.FrameException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * {@link Codec#ZSTD} through zstd-jni's direct-buffer API: native segments only, no heap copy, one single-shot zstd
 * frame per call.
 * <p>
 * The compression and decompression contexts are created on first use and reused, so a sender that only compresses
 * never allocates a decompression context and vice versa. Decompression is single-shot into a destination of exactly
 * {@code expectedLength} bytes: zstd uses that destination as its window (a hostile window size cannot make it
 * allocate) and fails with {@code dstSize_tooSmall} rather than write past it.
 * <p>
 * Single-threaded: the contexts and buffer views belong to one thread at a time. Close it to free the contexts.
 */
public final class ZstdCompressor implements Compressor
{
    private final int level;
    private final ByteBufferView srcView = new ByteBufferView();
    private final ByteBufferView dstView = new ByteBufferView();
    private ZstdCompressCtx compressCtx;
    private ZstdDecompressCtx decompressCtx;

    /**
     * @param level the compression level, from {@link Zstd#minCompressionLevel()} to
     *              {@link Zstd#maxCompressionLevel()}.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} naming the range if the level is outside it.
     */
    public ZstdCompressor(final int level)
    {
        final int min = Zstd.minCompressionLevel();
        final int max = Zstd.maxCompressionLevel();
        if (level < min || level > max)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "zstd level " + level + " is out of range [" + min + ", " + max + "]");
        }
        this.level = level;
    }

    /**
     * @return the compression level.
     */
    public int level()
    {
        return level;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Codec codec()
    {
        return Codec.ZSTD;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxCompressedLength(final int srcLength)
    {
        if (srcLength < 0)
        {
            throw new IllegalArgumentException("srcLength=" + srcLength);
        }
        final long bound = Zstd.compressBound(srcLength);
        if (bound > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("srcLength=" + srcLength + " is too large for zstd");
        }
        return (int)bound;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int compress(
        final MemorySegment src,
        final long srcOffset,
        final int srcLength,
        final MemorySegment dst,
        final long dstOffset,
        final int dstCapacity)
    {
        Compressors.checkRegions(src, srcOffset, srcLength, dst, dstOffset, dstCapacity, true);
        final int required = maxCompressedLength(srcLength);
        if (dstCapacity < required)
        {
            throw new IllegalArgumentException(
                "dstCapacity=" + dstCapacity + " < maxCompressedLength=" + required + " for srcLength=" + srcLength);
        }

        ZstdCompressCtx ctx = compressCtx;
        if (null == ctx)
        {
            ctx = new ZstdCompressCtx();
            Compressors.nativeContextOpened();
            compressCtx = ctx;
            ctx.setLevel(level);
        }

        final ByteBuffer srcBuffer = srcView.view(src, srcOffset, srcLength);
        final ByteBuffer dstBuffer = dstView.view(dst, dstOffset, dstCapacity);
        try
        {
            return ctx.compressDirectByteBuffer(
                dstBuffer, dstBuffer.position(), dstCapacity, srcBuffer, srcBuffer.position(), srcLength);
        }
        catch (final ZstdException ex)
        {
            throw new FerryException(ErrorCode.COMPRESSION, "zstd compression failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int decompress(
        final MemorySegment src,
        final long srcOffset,
        final int srcLength,
        final MemorySegment dst,
        final long dstOffset,
        final int expectedLength)
    {
        Compressors.checkRegions(src, srcOffset, srcLength, dst, dstOffset, expectedLength, true);

        ZstdDecompressCtx ctx = decompressCtx;
        if (null == ctx)
        {
            ctx = new ZstdDecompressCtx();
            Compressors.nativeContextOpened();
            decompressCtx = ctx;
        }

        final ByteBuffer srcBuffer = srcView.view(src, srcOffset, srcLength);
        final ByteBuffer dstBuffer = dstView.view(dst, dstOffset, expectedLength);
        final int decompressed;
        try
        {
            decompressed = ctx.decompressDirectByteBuffer(
                dstBuffer, dstBuffer.position(), expectedLength, srcBuffer, srcBuffer.position(), srcLength);
        }
        catch (final ZstdException ex)
        {
            // single-shot decompression restarts the context on every call, so it stays usable after an error
            throw new FrameException(
                FrameException.Reason.COMPRESSION,
                "corrupt zstd input (" + ex.getMessage() + ") for an expected " + expectedLength + " bytes", ex);
        }

        if (decompressed != expectedLength)
        {
            throw new FrameException(
                FrameException.Reason.COMPRESSION,
                "zstd input decompressed to " + decompressed + " bytes but " + expectedLength + " were expected");
        }

        return expectedLength;
    }

    /**
     * Frees the native contexts; idempotent.
     */
    @Override
    public void close()
    {
        if (null != compressCtx)
        {
            compressCtx.close();
            compressCtx = null;
            Compressors.nativeContextClosed();
        }
        if (null != decompressCtx)
        {
            decompressCtx.close();
            decompressCtx = null;
            Compressors.nativeContextClosed();
        }
        srcView.clear();
        dstView.clear();
    }
}
