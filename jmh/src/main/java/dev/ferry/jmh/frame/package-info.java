/**
 * Benchmarks of the wire frames: batch encode and decode (verify, walk, per-entry CRC32C) beside a plain copy and a
 * plain CRC32C of the same bytes, and {@link dev.ferry.wal.Crc32c} itself beside the JDK's CRC32C.
 */
package dev.ferry.jmh.frame;
