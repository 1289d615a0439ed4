package dev.ferry.engine.agent;

/**
 * A duty cycle (Agrona's {@code Agent}): {@link #doWork} does what is ready without blocking and says how much, so
 * that whoever runs it (an {@link AgentRunner} on a thread of Ferry's, or the application's own loop through an
 * {@link AgentInvoker}) can idle when there is nothing to do, and one thread can run several agents.
 */
public interface Agent extends AutoCloseable
{
    /**
     * Called once, on the thread that will run the duty cycle, before the first {@link #doWork}: where resources
     * confined to that thread are made.
     */
    default void onStart()
    {
    }

    /**
     * One duty cycle. Never blocks (beyond a bounded system call).
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return the work done: 0 when there was nothing to do.
     */
    int doWork(long nowNs);

    /**
     * @return true once the agent has nothing more to do ever (e.g. a replica stopped by an unrecoverable error):
     *         its runner then stops and closes it.
     */
    default boolean isDone()
    {
        return false;
    }

    /**
     * @return a short name for logs, e.g. {@code ferry-primary}.
     */
    String roleName();

    /**
     * Release what the agent holds, on the thread that ran it (or after that thread stopped). Idempotent.
     */
    @Override
    void close();
}
