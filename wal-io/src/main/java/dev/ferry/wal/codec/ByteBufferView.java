package dev.ferry.wal.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A one-entry cache of a {@link MemorySegment}'s {@link ByteBuffer} view, for the APIs that only take buffers
 * (JNI compressors, {@link java.util.zip.CRC32C}).
 * <p>
 * {@link MemorySegment#asByteBuffer()} allocates a buffer object on every call. A hot path that keeps passing the
 * same segment object (a reused receive buffer or scratch area) gets the same buffer back, repositioned, so it
 * allocates nothing in steady state; a different segment object replaces the cached one. Segments larger than
 * {@code Integer.MAX_VALUE} bytes cannot be viewed whole, so for them each call views a slice (and allocates).
 * <p>
 * The returned buffer is owned by this view: its position and limit change on the next call. Not thread-safe; one
 * instance per user of a buffer at a time.
 */
public final class ByteBufferView
{
    private MemorySegment segment;
    private ByteBuffer buffer;

    /**
     * Creates an empty view.
     */
    public ByteBufferView()
    {
    }

    /**
     * Views {@code [offset, offset + length)} of {@code segment} as a buffer whose position is the first byte of the
     * range and whose limit is one past the last. The buffer is direct for a native segment and array-backed for a
     * heap segment over a {@code byte[]}.
     *
     * @param segment the memory.
     * @param offset  the first byte, relative to the segment.
     * @param length  the number of bytes, at most {@code Integer.MAX_VALUE}.
     * @return the buffer, valid until the next call.
     * @throws IndexOutOfBoundsException if the range is not inside the segment.
     * @throws IllegalArgumentException  if {@code length} exceeds {@code Integer.MAX_VALUE}.
     */
    public ByteBuffer view(final MemorySegment segment, final long offset, final long length)
    {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        if (length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("cannot view " + length + " bytes as one ByteBuffer");
        }

        if (segment.byteSize() > Integer.MAX_VALUE)
        {
            return segment.asSlice(offset, length).asByteBuffer();
        }

        if (segment != this.segment)
        {
            buffer = segment.asByteBuffer();
            this.segment = segment;
        }

        final ByteBuffer buffer = this.buffer;
        buffer.limit((int)(offset + length));
        buffer.position((int)offset);

        return buffer;
    }

    /**
     * Drops the cached segment and buffer, e.g. before the segment's arena is closed.
     */
    public void clear()
    {
        segment = null;
        buffer = null;
    }
}
