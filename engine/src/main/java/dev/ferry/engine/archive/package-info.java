/**
 * The archive (Litestream's model): stores that hold it ({@link dev.ferry.engine.archive.ArchiveStore}: a directory or
 * an S3-compatible object store), its layout by generation, the shipper that fills it from a WAL, and restore to an
 * offset or a time.
 */
package dev.ferry.engine.archive;
