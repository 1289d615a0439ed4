package dev.ferry.engine.agent;

import java.util.function.Consumer;

/**
 * Runs an {@link Agent} from the application's own loop instead of a thread of Ferry's (Aeron's
 * {@code AgentInvoker}): each {@link #invoke()} is one duty cycle, on the calling thread. Call it from one thread
 * only, as often as latency needs (it never blocks); idle as you like when it returns 0. Not thread-safe.
 */
public final class AgentInvoker implements AutoCloseable
{
    private final Agent agent;
    private final Consumer<String> errors;
    private boolean started;
    private boolean closed;

    /**
     * @param agent  the agent.
     * @param errors where a failed duty cycle is reported.
     */
    public AgentInvoker(final Agent agent, final Consumer<String> errors)
    {
        this.agent = agent;
        this.errors = errors;
    }

    /**
     * One duty cycle. A failed cycle is reported and counts as no work; the next call goes on.
     *
     * @return the work done (0: nothing was ready), or 0 once closed or done.
     */
    public int invoke()
    {
        if (closed || agent.isDone())
        {
            return 0;
        }
        if (!started)
        {
            started = true;
            agent.onStart();
        }
        try
        {
            return agent.doWork(System.nanoTime());
        }
        catch (final RuntimeException ex)
        {
            errors.accept("INTERNAL: the " + agent.roleName() + " duty cycle failed (continuing): " + ex);
            return 0;
        }
    }

    /**
     * @return true once {@link #close()} ran or the agent has nothing more to do.
     */
    public boolean isClosed()
    {
        return closed || agent.isDone();
    }

    /**
     * Close the agent, on the invoking thread (or after it stopped invoking). Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            agent.close();
        }
    }
}
