package dev.ferry.engine;

/**
 * A snapshot transfer in flight, as either side sees it.
 *
 * @param offset      the offset the snapshot stands at (the first entry streamed after it).
 * @param bytes       bytes transferred and verified so far (from byte 0, including what an interrupted transfer
 *                    had already delivered).
 * @param totalBytes  the snapshot's length (0 until the first chunk says it, on the replica).
 * @param bytesPerSec the rate of this connection's transfer so far.
 * @param etaMillis   the time left at that rate (-1 before it is known).
 */
public record SnapshotProgress(long offset, long bytes, long totalBytes, long bytesPerSec, long etaMillis)
{
    /**
     * @param offset    the snapshot's offset.
     * @param bytes     bytes so far.
     * @param total     its length.
     * @param fromBytes where this connection's transfer started.
     * @param elapsedNs how long this connection's transfer has run.
     * @return the progress, with its rate and time left.
     */
    public static SnapshotProgress of(final long offset, final long bytes, final long total, final long fromBytes,
        final long elapsedNs)
    {
        final long moved = bytes - fromBytes;
        final long rate = elapsedNs <= 0 || moved <= 0 ? 0 : (long)(moved * 1e9 / elapsedNs);
        return new SnapshotProgress(offset, bytes, total, rate, rate == 0 ? -1 : (total - bytes) * 1000 / rate);
    }

    /**
     * @return the fraction transferred, 0..1 (0 while the length is not known yet: before the first chunk).
     */
    public double progress()
    {
        return totalBytes == 0 ? 0 : (double)bytes / totalBytes;
    }

    @Override
    public String toString()
    {
        return String.format("snapshot at offset %d: %.1f%% (%d/%d bytes, %.1f MB/s, %s left)", offset,
            100 * progress(), bytes, totalBytes, bytesPerSec / 1e6, etaMillis < 0 ? "?" : etaMillis + " ms");
    }
}
