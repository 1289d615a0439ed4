/**
 * The end-to-end harness behind {@code ./ferry bench}: a primary in this JVM, replicas in child JVMs on loopback,
 * throughput and append-to-ack latency at fixed rates (HdrHistogram, corrected for coordinated omission), beside
 * same-run baselines (raw Chronicle append and tail, raw NIO loopback ping-pong and bulk transfer).
 */
package dev.ferry.jmh.harness;
