/**
 * Benchmarks of the replication backlog's bookkeeping: the WAL's head and oldest offset, seeking a replica's resume
 * offset across roll cycles, and a retention pass held by the slowest replica's floor, beside a plain volatile read.
 */
package dev.ferry.jmh.backlog;
