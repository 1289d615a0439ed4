/**
 * Benchmarks of the replication pipeline's per-batch work without sockets: the primary's send path (WAL cursor into
 * a batch frame, compressed or not) and the replica's receive path (frame verify, batch decode, WAL append), each
 * beside a raw Chronicle Queue baseline moving the same bytes.
 */
package dev.ferry.jmh.pipeline;
