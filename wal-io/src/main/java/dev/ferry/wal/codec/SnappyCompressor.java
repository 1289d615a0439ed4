package dev.ferry.wal.codec;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.frame.FrameException;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyError;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * {@link Codec#SNAPPY} through snappy-java's direct-buffer API: native segments only, no heap copy.
 * <p>
 * Snappy's JNI decompression trusts the destination to be large enough for the length declared at the start of the
 * compressed block, so {@link #decompress} reads that declared length first and refuses anything but
 * {@code expectedLength} before decompressing; snappy itself then never writes past the declared length and fails on
 * input that does not produce exactly that many bytes.
 * <p>
 * Single-threaded: the buffer views are reused between calls.
 */
public final class SnappyCompressor implements Compressor
{
    private final ByteBufferView srcView = new ByteBufferView();
    private final ByteBufferView dstView = new ByteBufferView();

    /**
     * Creates a snappy compressor.
     */
    public SnappyCompressor()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Codec codec()
    {
        return Codec.SNAPPY;
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
        final int max = Snappy.maxCompressedLength(srcLength);
        if (max < srcLength)
        {
            throw new IllegalArgumentException("srcLength=" + srcLength + " is too large for snappy");
        }
        return max;
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

        final ByteBuffer srcBuffer = srcView.view(src, srcOffset, srcLength);
        final ByteBuffer dstBuffer = dstView.view(dst, dstOffset, dstCapacity);
        try
        {
            return Snappy.compress(srcBuffer, dstBuffer);
        }
        catch (final IOException | SnappyError ex)
        {
            throw new FerryException(ErrorCode.COMPRESSION, "snappy compression failed: " + ex.getMessage(), ex);
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
        if (0 == srcLength)
        {
            throw new FrameException(FrameException.Reason.COMPRESSION, "snappy input is empty");
        }

        final ByteBuffer srcBuffer = srcView.view(src, srcOffset, srcLength);
        final ByteBuffer dstBuffer = dstView.view(dst, dstOffset, expectedLength);
        final int decompressed;
        try
        {
            final int declaredLength = Snappy.uncompressedLength(srcBuffer);
            if (declaredLength != expectedLength)
            {
                throw new FrameException(
                    FrameException.Reason.COMPRESSION,
                    "snappy input declares " + Integer.toUnsignedString(declaredLength) + " bytes but " +
                    expectedLength + " were expected");
            }
            decompressed = Snappy.uncompress(srcBuffer, dstBuffer);
        }
        catch (final IOException | SnappyError ex)
        {
            throw new FrameException(
                FrameException.Reason.COMPRESSION, "corrupt snappy input: " + ex.getMessage(), ex);
        }

        if (decompressed != expectedLength)
        {
            throw new FrameException(
                FrameException.Reason.COMPRESSION,
                "snappy input decompressed to " + decompressed + " bytes but " + expectedLength + " were expected");
        }

        return expectedLength;
    }

    /**
     * Drops the cached buffer views; nothing native to release.
     */
    @Override
    public void close()
    {
        srcView.clear();
        dstView.clear();
    }
}
