package dev.ferry.engine.serve;

/**
 * Time to eviction: how long until a replica falls out of retention, from how far behind it is, how fast that grows
 * and the cap past which the primary stops holding its log (the slot cap; the snapshot cap while a snapshot is in
 * flight). Retention never deletes below a live slot that is within its cap, so the cap is where the replica would
 * need a resync. Pure functions of plain values.
 */
public final class Eviction
{
    /** The weight of a new sample of the lag's growth in its moving average. */
    static final double WEIGHT = 0.3;

    private Eviction()
    {
    }

    /**
     * @param lagBytes        how far behind the replica is, in bytes.
     * @param capBytes        the cap past which it is given up (0: none, it never is).
     * @param growthPerSecond how fast its lag grows, bytes a second (0 or below: it keeps up or catches up).
     * @return milliseconds until it passes the cap at this rate, at least 1; 0 when it is not at risk (no cap, not
     *         falling behind); 1 when it is past the cap already.
     */
    public static long millisToEviction(final long lagBytes, final long capBytes, final double growthPerSecond)
    {
        if (capBytes <= 0)
        {
            return 0;
        }
        if (lagBytes >= capBytes)
        {
            return 1;
        }
        if (!(growthPerSecond > 0))
        {
            return 0;
        }
        final double millis = (capBytes - lagBytes) / growthPerSecond * 1000.0;
        return millis >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, (long)Math.ceil(millis));
    }

    /**
     * @param average         the moving average so far (NaN before the first sample).
     * @param deltaBytes      how much the lag grew since the last sample (negative: it shrank).
     * @param deltaNanos      the time between the two samples.
     * @return the moving average of the lag's growth, bytes a second, with this sample.
     */
    public static double growth(final double average, final long deltaBytes, final long deltaNanos)
    {
        if (deltaNanos <= 0)
        {
            return average;
        }
        final double sample = deltaBytes * 1e9 / deltaNanos;
        return Double.isNaN(average) ? sample : average + WEIGHT * (sample - average);
    }
}
