package dev.ferry.engine.agent;

import dev.ferry.net.idle.IdleStrategy;
import dev.ferry.wal.TimerSlack;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs an {@link Agent} on a thread until closed: duty cycle, then the idle strategy with the work done. An exception
 * from a duty cycle is reported and the loop goes on (a bug must not silently stop replication), after a 1 ms pause so
 * that a failing cycle is never a hot loop; an {@link Error} is reported, handed to the owner (which fails loudly)
 * and ends the loop. The agent is closed on its own thread when the loop ends.
 */
public final class AgentRunner implements AutoCloseable
{
    private static final long STOP_WAIT_MS = TimeUnit.SECONDS.toMillis(10);

    private final Agent agent;
    private final IdleStrategy idle;
    private final Consumer<String> errors;
    private final Runnable wakeup;
    private final Runnable onEnd;
    private final Consumer<Throwable> onFatal;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Make the thread that will run the agent; {@link #start()} starts it (so the owner can keep a reference to this
     * runner before the agent's first cycle, where a listener may already call back).
     *
     * @param agent   the agent.
     * @param idle    how the thread idles when a duty cycle did nothing.
     * @param factory makes the thread (names, affinity, priority are the factory's).
     * @param wakeup  ends an idle park at once (called by {@link #close()}).
     * @param errors  where a failed duty cycle is reported.
     * @param onEnd   run on the thread after the agent is closed, as its last act.
     * @param onFatal told, on the thread, of an {@link Error} that ended the loop (before the agent is closed), so
     *                the owner fails loudly instead of going on without it.
     */
    public AgentRunner(final Agent agent, final IdleStrategy idle, final ThreadFactory factory, final Runnable wakeup,
        final Consumer<String> errors, final Runnable onEnd, final Consumer<Throwable> onFatal)
    {
        this.agent = agent;
        this.idle = idle;
        this.errors = errors;
        this.wakeup = wakeup;
        this.onEnd = onEnd;
        this.onFatal = onFatal;
        this.thread = factory.newThread(this::run);
    }

    /**
     * Start the thread.
     *
     * @return this.
     */
    public AgentRunner start()
    {
        thread.start();
        return this;
    }

    /**
     * A thread factory for Ferry's own threads: platform daemon threads with a name.
     *
     * @param name the thread's name.
     * @return the factory.
     */
    public static ThreadFactory daemon(final String name)
    {
        return runnable -> Thread.ofPlatform().name(name).daemon(true).unstarted(runnable);
    }

    private void run()
    {
        TimerSlack.set(TimerSlack.FERRY_THREADS_NS); // parks of a few µs mean a few µs, not the default 50
        try
        {
            agent.onStart();
            while (running && !agent.isDone())
            {
                try
                {
                    idle.idle(agent.doWork(System.nanoTime()));
                }
                catch (final RuntimeException ex)
                {
                    errors.accept("INTERNAL: the " + agent.roleName() + " duty cycle failed (continuing): " + ex);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                catch (final Error err)
                {
                    // an Error (a bug, a SIGBUS turned InternalError, an exhausted stack) leaves the agent in an unknown
                    // state: never go on as if nothing happened, never die silently
                    errors.accept("FATAL: the " + agent.roleName() + " duty cycle died and has stopped: " + err);
                    onFatal.accept(err);
                    break;
                }
            }
        }
        finally
        {
            try
            {
                agent.close();
            }
            finally
            {
                onEnd.run();
            }
        }
    }

    /**
     * @return the thread running the agent.
     */
    public Thread thread()
    {
        return thread;
    }

    /**
     * @return true while the thread runs.
     */
    public boolean isRunning()
    {
        return thread.isAlive();
    }

    /**
     * Stop the loop and wait (up to 10 s) for the thread to close the agent and end. From the agent's own thread (a
     * listener), only asks it to stop: the loop ends after the current duty cycle.
     *
     * @return true if the thread has ended (or will, when called from it).
     */
    public boolean stop()
    {
        running = false;
        if (Thread.currentThread() == thread)
        {
            return true;
        }
        wakeup.run();
        try
        {
            thread.join(STOP_WAIT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    @Override
    public void close()
    {
        stop();
    }
}
