package dev.ferry.net.idle;

/**
 * Calls {@link Thread#yield()} on every idle pass: gives way to other runnable threads but still shows as a whole core
 * busy when nothing else wants to run.
 */
public final class YieldingIdleStrategy implements IdleStrategy
{
    /** The name {@link IdleStrategies#parse(String)} knows this strategy by. */
    public static final String ALIAS = "yield";

    /**
     * Creates the strategy.
     */
    public YieldingIdleStrategy()
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
            Thread.yield();
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
        return "YieldingIdleStrategy";
    }
}
