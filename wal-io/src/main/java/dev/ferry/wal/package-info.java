/**
 * The write-ahead log: a Chronicle Queue holding entries at dense 64-bit offsets, read through zero-copy cursors,
 * with retention and a sync policy. No threads of its own, no sockets. The storage classes never import the wire
 * format ({@code dev.ferry.wal.frame} imports this package, not the other way); what joins the two for replication
 * lives in the engine (the serving side's {@code CursorBatcher}, the following side's {@code BatchAppender}).
 */
package dev.ferry.wal;
