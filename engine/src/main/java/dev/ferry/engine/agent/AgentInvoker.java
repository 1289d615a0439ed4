package dev.ferry.engine.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs an {@link Agent} from the application's own loop instead of a thread of Ferry's (Aeron's
 * {@code AgentInvoker}): each {@link #invoke()} is one duty cycle, on the calling thread. Call it from one thread
 * only, as often as latency needs (it never blocks); idle as you like when it returns 0.
 * <p>
 * {@link #close()} may come from any thread, or from inside a cycle (a listener): a cycle in progress is never closed
 * under; it closes the agent itself when it returns. Only then does {@code onClosed} run (where the owner closes
 * what the agent used, e.g. its WAL).
 */
public final class AgentInvoker implements AutoCloseable
{
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int CLOSE_REQUESTED = 2;
    private static final int CLOSED = 3;

    private final Agent agent;
    private final Consumer<String> errors;
    private final Runnable onClosed;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private boolean started;

    /**
     * @param agent    the agent.
     * @param errors   where a failed duty cycle is reported.
     * @param onClosed run once the agent is closed, on the thread that closed it.
     */
    public AgentInvoker(final Agent agent, final Consumer<String> errors, final Runnable onClosed)
    {
        this.agent = agent;
        this.errors = errors;
        this.onClosed = onClosed;
    }

    /**
     * One duty cycle. A failed cycle is reported and counts as no work; the next call goes on.
     *
     * @return the work done (0: nothing was ready), or 0 once closed or done.
     */
    public int invoke()
    {
        if (agent.isDone() || !state.compareAndSet(IDLE, RUNNING))
        {
            if (state.get() == CLOSE_REQUESTED)
            {
                closeNow();
            }
            return 0;
        }
        int work = 0;
        try
        {
            if (!started)
            {
                started = true;
                agent.onStart();
            }
            work = agent.doWork(System.nanoTime());
        }
        catch (final RuntimeException ex)
        {
            errors.accept("INTERNAL: the " + agent.roleName() + " duty cycle failed (continuing): " + ex);
        }
        if (!state.compareAndSet(RUNNING, IDLE))
        {
            closeNow(); // a close was asked during the cycle: now that it returned
        }
        return work;
    }

    /**
     * @return true once closed (or asked to close), or once the agent has nothing more to do.
     */
    public boolean isClosed()
    {
        return state.get() >= CLOSE_REQUESTED || agent.isDone();
    }

    /**
     * Close the agent: at once if no cycle is running, else when the running one returns. Idempotent.
     */
    @Override
    public void close()
    {
        while (true)
        {
            final int now = state.get();
            if (now == IDLE && state.compareAndSet(IDLE, CLOSE_REQUESTED))
            {
                closeNow();
                return;
            }
            if (now == RUNNING && state.compareAndSet(RUNNING, CLOSE_REQUESTED))
            {
                return; // the invoking thread closes when its cycle returns
            }
            if (now >= CLOSE_REQUESTED)
            {
                return;
            }
        }
    }

    private void closeNow()
    {
        if (state.getAndSet(CLOSED) == CLOSED)
        {
            return;
        }
        try
        {
            agent.close();
        }
        finally
        {
            onClosed.run();
        }
    }
}
