/**
 * The wire frames: flyweights over {@link java.lang.foreign.MemorySegment}s that encode and decode Ferry's messages
 * in place, little-endian, each checked by a CRC32C, every byte read from a peer treated as hostile (bounded lengths,
 * typed {@link dev.ferry.wal.frame.FrameException}s, no allocation sized by an unchecked field). This package may
 * import the storage package {@code dev.ferry.wal} (a batch is filled from {@link dev.ferry.wal.WalEntry}s), never
 * the other way round.
 */
package dev.ferry.wal.frame;
