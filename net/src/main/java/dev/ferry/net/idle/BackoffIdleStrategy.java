package dev.ferry.net.idle;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Backs off in three steps while there is no work, as Agrona's strategy of the same name: {@code maxSpins} passes of
 * {@link Thread#onSpinWait()}, then {@code maxYields} passes of {@link Thread#yield()}, then
 * parks (by default {@link LockSupport#parkNanos(long)}; see {@link Parker}) starting at {@code minParkPeriodNs} and doubling up to {@code maxParkPeriodNs}.
 * Any work ({@code workCount > 0}) or {@link #reset()} starts over.
 * <pre>
 *   NOT_IDLE --idle--> SPINNING --maxSpins--> YIELDING --maxYields--> PARKING (min, 2 min, ... max)
 *      ^                                                                   |
 *      +---------------------------- work or reset() ---------------------+
 * </pre>
 * Burns a core only for the first {@code maxSpins + maxYields} idle passes, then costs a wake-up per park period, so
 * it suits a 2-core machine; a link that goes idle pays up to {@code maxParkPeriodNs} (plus timer slack) on its next
 * message.
 */
public final class BackoffIdleStrategy implements IdleStrategy
{
    /** The name {@link IdleStrategies#parse(String)} knows this strategy by. */
    public static final String ALIAS = "backoff";
    /** Default number of spinning passes. */
    public static final long DEFAULT_MAX_SPINS = 10;
    /** Default number of yielding passes. */
    public static final long DEFAULT_MAX_YIELDS = 5;
    /** Default first park period: 1 µs. */
    public static final long DEFAULT_MIN_PARK_PERIOD_NS = 1_000L;
    /** Default longest park period: 100 µs (an idle link then adds at most ~0.1 ms a hop, at ~10k wake-ups/s). */
    public static final long DEFAULT_MAX_PARK_PERIOD_NS = 100_000L;

    /**
     * The step the strategy is at.
     */
    public enum State
    {
        /** Work was done on the last pass, or {@link #reset()} was called. */
        NOT_IDLE,
        /** Spinning with {@link Thread#onSpinWait()}. */
        SPINNING,
        /** Yielding with {@link Thread#yield()}. */
        YIELDING,
        /** Parking through the {@link Parker}. */
        PARKING
    }

    private final long maxSpins;
    private final long maxYields;
    private final long minParkPeriodNs;
    private final long maxParkPeriodNs;
    private final Parker parker;
    private State state = State.NOT_IDLE;
    private long spins;
    private long yields;
    private long parkPeriodNs;

    /**
     * With the defaults: 10 spins, 5 yields, parks from 1 µs to 100 µs.
     */
    public BackoffIdleStrategy()
    {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MIN_PARK_PERIOD_NS, DEFAULT_MAX_PARK_PERIOD_NS);
    }

    /**
     * @param maxSpins        spinning passes before yielding, at least 0.
     * @param maxYields       yielding passes before parking, at least 0.
     * @param minParkPeriodNs the first park period, positive.
     * @param maxParkPeriodNs the longest park period, at least {@code minParkPeriodNs}.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} naming a value out of range.
     */
    public BackoffIdleStrategy(
        final long maxSpins, final long maxYields, final long minParkPeriodNs, final long maxParkPeriodNs)
    {
        this(maxSpins, maxYields, minParkPeriodNs, maxParkPeriodNs, Parker.TIMED);
    }

    /**
     * @param maxSpins        spinning passes before yielding, at least 0.
     * @param maxYields       yielding passes before parking, at least 0.
     * @param minParkPeriodNs the first park period, positive.
     * @param maxParkPeriodNs the longest park period, at least {@code minParkPeriodNs}.
     * @param parker          how to wait in the parking step ({@link Parker#TIMED} sleeps the period out).
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} naming a value out of range.
     */
    public BackoffIdleStrategy(
        final long maxSpins, final long maxYields, final long minParkPeriodNs, final long maxParkPeriodNs,
        final Parker parker)
    {
        if (maxSpins < 0 || maxYields < 0)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "maxSpins=" + maxSpins + " and maxYields=" + maxYields + " must be >= 0");
        }
        if (minParkPeriodNs <= 0 || maxParkPeriodNs < minParkPeriodNs)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION,
                "minParkPeriodNs=" + minParkPeriodNs + " must be positive and at most maxParkPeriodNs=" +
                maxParkPeriodNs);
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkPeriodNs = minParkPeriodNs;
        this.maxParkPeriodNs = maxParkPeriodNs;
        this.parker = Objects.requireNonNull(parker, "parker");
        this.parkPeriodNs = minParkPeriodNs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }

        if (State.NOT_IDLE == state)
        {
            state = State.SPINNING;
            spins = 0;
        }
        if (State.SPINNING == state)
        {
            if (spins < maxSpins)
            {
                spins++;
                Thread.onSpinWait();
                return;
            }
            state = State.YIELDING;
            yields = 0;
        }
        if (State.YIELDING == state)
        {
            if (yields < maxYields)
            {
                yields++;
                Thread.yield();
                return;
            }
            state = State.PARKING;
            parkPeriodNs = minParkPeriodNs;
        }
        parker.park(parkPeriodNs);
        parkPeriodNs = parkPeriodNs > maxParkPeriodNs >> 1 ? maxParkPeriodNs : parkPeriodNs << 1;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reset()
    {
        state = State.NOT_IDLE;
        spins = 0;
        yields = 0;
        parkPeriodNs = minParkPeriodNs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String alias()
    {
        return ALIAS;
    }

    /**
     * @return the step the strategy is at.
     */
    public State state()
    {
        return state;
    }

    /**
     * @return the period the next park will last, in ns.
     */
    public long parkPeriodNs()
    {
        return parkPeriodNs;
    }

    /**
     * @return spinning passes before yielding.
     */
    public long maxSpins()
    {
        return maxSpins;
    }

    /**
     * @return yielding passes before parking.
     */
    public long maxYields()
    {
        return maxYields;
    }

    /**
     * @return the first park period in ns.
     */
    public long minParkPeriodNs()
    {
        return minParkPeriodNs;
    }

    /**
     * @return the longest park period in ns.
     */
    public long maxParkPeriodNs()
    {
        return maxParkPeriodNs;
    }

    @Override
    public String toString()
    {
        return "BackoffIdleStrategy[maxSpins=" + maxSpins + ", maxYields=" + maxYields + ", minParkPeriodNs=" +
            minParkPeriodNs + ", maxParkPeriodNs=" + maxParkPeriodNs + ", state=" + state + "]";
    }
}
