/**
 * Benchmarks of the WAL (append, cursor read, seek) beside raw Chronicle Queue baselines measured in the same run.
 */
package dev.ferry.jmh.wal;
