/**
 * Benchmarks of the batch compressors (snappy, zstd at several levels) on compressible and incompressible data,
 * beside a plain copy of the same size.
 */
package dev.ferry.jmh.codec;
