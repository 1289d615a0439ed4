package dev.ferry.wal.codec;

import dev.ferry.wal.frame.FrameException;

import java.lang.foreign.MemorySegment;

/**
 * Compresses one region of memory into another and back, for one {@link Codec}.
 * <p>
 * Compressed input is hostile: {@code decompress} never writes more than {@code expectedLength} bytes, and any input
 * that is corrupt or does not decompress to exactly {@code expectedLength} bytes is a {@link FrameException} with
 * reason {@link FrameException.Reason#COMPRESSION}. Caller mistakes (a region outside its segment, a destination
 * smaller than {@link #maxCompressedLength(int)}, heap memory where native memory is required) are
 * {@link IllegalArgumentException}s or {@link IndexOutOfBoundsException}s.
 * <p>
 * The JNI codecs work on native (off-heap) segments only, memory to memory with no heap copy. Instances hold native
 * contexts and are single-threaded: one per sender or receiver thread, closed when done. Passing the same segment
 * objects on every call (e.g. a reused {@code Arena} buffer) lets an implementation reuse its buffer views and
 * allocate nothing per call.
 */
public interface Compressor extends AutoCloseable
{
    /**
     * @return the codec this compressor implements.
     */
    Codec codec();

    /**
     * @param srcLength the length of an input to {@code compress}.
     * @return the largest number of bytes {@code compress} can write for that input; a destination at least this
     * large never overflows.
     */
    int maxCompressedLength(int srcLength);

    /**
     * Compresses {@code src[srcOffset, srcOffset + srcLength)} into {@code dst} starting at {@code dstOffset}.
     *
     * @param src         the input.
     * @param srcOffset   the first input byte.
     * @param srcLength   the number of input bytes, possibly 0.
     * @param dst         the output.
     * @param dstOffset   the first output byte.
     * @param dstCapacity the bytes available at {@code dstOffset}: at least {@link #maxCompressedLength(int)}.
     * @return the number of bytes written.
     */
    int compress(
        MemorySegment src, long srcOffset, int srcLength, MemorySegment dst, long dstOffset, int dstCapacity);

    /**
     * Decompresses {@code src[srcOffset, srcOffset + srcLength)} into {@code dst[dstOffset, dstOffset +
     * expectedLength)}, never writing outside that range.
     *
     * @param src            the compressed input, untrusted.
     * @param srcOffset      the first input byte.
     * @param srcLength      the number of input bytes.
     * @param dst            the output.
     * @param dstOffset      the first output byte.
     * @param expectedLength the exact decompressed length declared alongside the input.
     * @return {@code expectedLength}.
     * @throws FrameException with reason {@link FrameException.Reason#COMPRESSION} if the input is corrupt or does not
     *                        decompress to exactly {@code expectedLength} bytes.
     */
    int decompress(
        MemorySegment src, long srcOffset, int srcLength, MemorySegment dst, long dstOffset, int expectedLength);

    /**
     * Compresses all of {@code src} into the start of {@code dst}.
     *
     * @param src the input.
     * @param dst the output, at least {@link #maxCompressedLength(int)} bytes.
     * @return the number of bytes written.
     */
    default int compress(final MemorySegment src, final MemorySegment dst)
    {
        return compress(src, 0, Compressors.intLength(src.byteSize()), dst, 0, Compressors.capacity(dst.byteSize()));
    }

    /**
     * Decompresses all of {@code src} into the start of {@code dst}.
     *
     * @param src            the compressed input, untrusted.
     * @param dst            the output, at least {@code expectedLength} bytes.
     * @param expectedLength the exact decompressed length declared alongside the input.
     * @return {@code expectedLength}.
     * @throws FrameException with reason {@link FrameException.Reason#COMPRESSION} if the input is corrupt or does not
     *                        decompress to exactly {@code expectedLength} bytes.
     */
    default int decompress(final MemorySegment src, final MemorySegment dst, final int expectedLength)
    {
        return decompress(src, 0, Compressors.intLength(src.byteSize()), dst, 0, expectedLength);
    }

    /**
     * Releases native resources; idempotent.
     */
    @Override
    void close();
}
