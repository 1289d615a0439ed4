package dev.ferry.wal.codec;

import dev.ferry.wal.frame.FrameException;

import java.lang.foreign.MemorySegment;

/**
 * {@link Codec#NONE}: a copy. Works on heap and native segments; stateless.
 */
public final class NoneCompressor implements Compressor
{
    /**
     * Creates the copying compressor.
     */
    public NoneCompressor()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Codec codec()
    {
        return Codec.NONE;
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
        return srcLength;
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
        Compressors.checkRegions(src, srcOffset, srcLength, dst, dstOffset, dstCapacity, false);
        if (dstCapacity < srcLength)
        {
            throw new IllegalArgumentException("dstCapacity=" + dstCapacity + " < srcLength=" + srcLength);
        }
        MemorySegment.copy(src, srcOffset, dst, dstOffset, srcLength);

        return srcLength;
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
        Compressors.checkRegions(src, srcOffset, srcLength, dst, dstOffset, expectedLength, false);
        if (srcLength != expectedLength)
        {
            throw new FrameException(
                FrameException.Reason.COMPRESSION,
                "uncompressed region is " + srcLength + " bytes but " + expectedLength + " were declared");
        }
        MemorySegment.copy(src, srcOffset, dst, dstOffset, srcLength);

        return expectedLength;
    }

    /**
     * Nothing to release.
     */
    @Override
    public void close()
    {
    }
}
