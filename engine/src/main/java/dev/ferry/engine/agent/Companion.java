package dev.ferry.engine.agent;

import java.util.function.BooleanSupplier;

/**
 * Another duty cycle run inside an agent's own (the Redis-protocol listener inside a primary's or a replica's), on the
 * same thread: started, run and closed with it, and asked whether it may let the thread block. Empty until
 * {@link #set}: then every call is a no-op and it is always idle.
 */
public final class Companion
{
    private Agent agent;
    private BooleanSupplier idle = () -> true;

    /**
     * @param agent the agent to run.
     * @param idle  true when only a channel the host's parker watches can give it work.
     */
    public void set(final Agent agent, final BooleanSupplier idle)
    {
        this.agent = agent;
        this.idle = idle;
    }

    /** {@link Agent#onStart()}, on the host's thread. */
    public void onStart()
    {
        if (agent != null)
        {
            agent.onStart();
        }
    }

    /**
     * @param nowNs {@link System#nanoTime()}.
     * @return the work done.
     */
    public int doWork(final long nowNs)
    {
        return agent == null ? 0 : agent.doWork(nowNs);
    }

    /** @return true when the host may block for it. */
    public boolean idle()
    {
        return idle.getAsBoolean();
    }

    /** Close the agent, if any. */
    public void close()
    {
        if (agent != null)
        {
            agent.close();
        }
    }
}
