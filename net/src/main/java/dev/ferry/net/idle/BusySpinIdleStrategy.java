package dev.ferry.net.idle;

/**
 * Spins with {@link Thread#onSpinWait()}: the lowest wake-up latency and a whole core burnt, idle or not. Use only with
 * a core to spare for each spinning thread; never on both ends of a link on a 2-core machine.
 */
public final class BusySpinIdleStrategy implements IdleStrategy
{
    /** The name {@link IdleStrategies#parse(String)} knows this strategy by. */
    public static final String ALIAS = "busy-spin";

    /**
     * Creates the strategy.
     */
    public BusySpinIdleStrategy()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            Thread.onSpinWait();
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
        return "BusySpinIdleStrategy";
    }
}
