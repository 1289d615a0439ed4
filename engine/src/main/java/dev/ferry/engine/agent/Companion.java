package dev.ferry.engine.agent;

import java.util.function.BooleanSupplier;

/**
 * Other duty cycles run inside an agent's own (the Redis-protocol listener inside a primary's or a replica's, the
 * cascade a replica serves), on the same thread, in the order added: started, run and closed with it, and asked whether
 * they may let the thread block. Empty until {@link #add}: then every call is a no-op and it is always idle.
 */
public final class Companion
{
    private Agent[] agents = new Agent[0];
    private BooleanSupplier[] idles = new BooleanSupplier[0];

    /**
     * Before the host runs.
     *
     * @param agent the agent to run.
     * @param idle  true when only a channel the host's parker watches can give it work.
     */
    public void add(final Agent agent, final BooleanSupplier idle)
    {
        final int n = agents.length;
        agents = java.util.Arrays.copyOf(agents, n + 1);
        idles = java.util.Arrays.copyOf(idles, n + 1);
        agents[n] = agent;
        idles[n] = idle;
    }

    /** {@link Agent#onStart()} of each, on the host's thread. */
    public void onStart()
    {
        for (final Agent agent : agents)
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
        int work = 0;
        for (final Agent agent : agents)
        {
            work += agent.doWork(nowNs);
        }
        return work;
    }

    /** @return true when the host may block for every one of them. */
    public boolean idle()
    {
        for (final BooleanSupplier idle : idles)
        {
            if (!idle.getAsBoolean())
            {
                return false;
            }
        }
        return true;
    }

    /** Close each, the last added first; one that fails does not keep the others open. */
    public void close()
    {
        RuntimeException failed = null;
        for (int i = agents.length - 1; i >= 0; i--)
        {
            try
            {
                agents[i].close();
            }
            catch (final RuntimeException ex)
            {
                if (failed == null)
                {
                    failed = ex;
                }
                else
                {
                    failed.addSuppressed(ex);
                }
            }
        }
        if (failed != null)
        {
            throw failed;
        }
    }
}
