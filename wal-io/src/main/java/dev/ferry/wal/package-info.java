/**
 * The write-ahead log: a Chronicle Queue holding entries at dense 64-bit offsets, read through zero-copy cursors,
 * with retention and a sync policy. No threads of its own, no sockets. The storage classes never import the wire
 * format ({@code dev.ferry.wal.frame} imports this package, not the other way); {@link dev.ferry.wal.CursorBatcher}
 * and {@link dev.ferry.wal.BatchAppender}, which join the two, are here until they move to the engine.
 */
package dev.ferry.wal;
