/**
 * JMH benchmarks of Ferry's hot paths, each beside its same-run baseline.
 */
package dev.ferry.jmh;
