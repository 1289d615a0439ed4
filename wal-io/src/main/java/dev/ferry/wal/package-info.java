/**
 * The write-ahead log: a Chronicle Queue holding entries at dense 64-bit offsets, read through zero-copy cursors,
 * with retention and a sync policy. No threads of its own, no sockets.
 */
package dev.ferry.wal;
