/**
 * Batch compression: the {@link dev.ferry.wal.codec.Codec} ids carried in frames and the
 * {@link dev.ferry.wal.codec.Compressor}s that turn a region of memory into another, off-heap to off-heap, treating
 * compressed input as hostile.
 */
package dev.ferry.wal.codec;
