package dev.ferry.net.idle;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks for a fixed period on every idle pass: almost no CPU when idle. With the default {@link Parker#TIMED}
 * ({@link LockSupport#parkNanos(long)}) that adds up to the period (plus the OS timer slack, about 50 µs on Linux) of
 * latency when work arrives; with a {@link dev.ferry.net.SelectorParker} the park ends as soon as work does.
 */
public final class SleepingIdleStrategy implements IdleStrategy
{
    /** The name {@link IdleStrategies#parse(String)} knows this strategy by. */
    public static final String ALIAS = "park";
    /** The default park period: 100 µs. */
    public static final long DEFAULT_PARK_NS = 100_000L;

    private final long parkNs;
    private final Parker parker;

    /**
     * Parks for {@link #DEFAULT_PARK_NS}.
     */
    public SleepingIdleStrategy()
    {
        this(DEFAULT_PARK_NS);
    }

    /**
     * @param parkNs the park period in ns, positive.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if {@code parkNs} is not positive.
     */
    public SleepingIdleStrategy(final long parkNs)
    {
        this(parkNs, Parker.TIMED);
    }

    /**
     * @param parkNs the park period in ns, positive.
     * @param parker how to wait ({@link Parker#TIMED} sleeps the period out).
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if {@code parkNs} is not positive.
     */
    public SleepingIdleStrategy(final long parkNs, final Parker parker)
    {
        if (parkNs <= 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "parkNs=" + parkNs + " must be positive");
        }
        this.parkNs = parkNs;
        this.parker = Objects.requireNonNull(parker, "parker");
    }

    /**
     * @return the park period in ns.
     */
    public long parkNs()
    {
        return parkNs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            parker.park(parkNs);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reset()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String alias()
    {
        return ALIAS;
    }

    @Override
    public String toString()
    {
        return "SleepingIdleStrategy[parkNs=" + parkNs + "]";
    }
}
