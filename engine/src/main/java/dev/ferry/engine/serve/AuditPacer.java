package dev.ferry.engine.serve;

/**
 * The background audit's pace for one replica: a token bucket of entries, filled at the configured rate up to one
 * second's worth (at most {@link #MAX_RANGE} entries), from which each audit range takes what it covers. Over any
 * interval of {@code t} seconds it grants at most {@code burst + rate * t} entries, whatever the caller asks. A range
 * waits until the bucket holds all of it or a full burst, so ranges are never tiny: at 10,000 entries/s they are 4096
 * entries, about 2.4 requests a second. Pure: the caller passes the time. Single-threaded.
 */
final class AuditPacer
{
    /** The most entries one range covers: one bounded read of the replica's disk per request. */
    static final int MAX_RANGE = 4096;

    private final long ratePerSec;
    private final long burst;
    private long tokens;
    private long lastNs;
    private long remainderNanoEntries; // rate * elapsed ns not yet a whole entry, in entry-ns

    /**
     * @param ratePerSec entries per second, at least 1.
     * @param nowNs      the time now; the bucket starts full.
     */
    AuditPacer(final long ratePerSec, final long nowNs)
    {
        if (ratePerSec < 1)
        {
            throw new IllegalArgumentException("ratePerSec=" + ratePerSec);
        }
        this.ratePerSec = Math.min(ratePerSec, 1_000_000_000L); // a billion a second is no limit: keeps refill's product in range
        this.burst = Math.min(MAX_RANGE, ratePerSec);
        this.tokens = burst;
        this.lastNs = nowNs;
    }

    /**
     * @return the most one grant may give: one second's worth, at most {@link #MAX_RANGE}.
     */
    long burst()
    {
        return burst;
    }

    /**
     * Take entries for the next range.
     *
     * @param nowNs  the time now ({@link System#nanoTime()} or a test's clock).
     * @param wanted the entries the next range would cover, at least 1.
     * @return how many it may cover: {@code min(wanted, burst)} once the bucket holds that many, else 0.
     */
    int grant(final long nowNs, final long wanted)
    {
        refill(nowNs);
        final long want = Math.min(wanted, burst);
        if (want < 1 || tokens < want)
        {
            return 0;
        }
        tokens -= want;
        return (int)want;
    }

    private void refill(final long nowNs)
    {
        final long elapsed = nowNs - lastNs;
        lastNs = nowNs;
        if (elapsed <= 0 || tokens >= burst)
        {
            remainderNanoEntries = 0;
            return;
        }
        // a bucket empty for a second is full again, so a longer pause counts as a second: at most 1e9 * 1e9
        final long nanoEntries = Math.min(elapsed, 1_000_000_000L) * ratePerSec + remainderNanoEntries;
        final long whole = nanoEntries / 1_000_000_000L;
        remainderNanoEntries = nanoEntries % 1_000_000_000L;
        tokens = Math.min(burst, tokens + whole);
    }
}
