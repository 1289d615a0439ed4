package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.agent.AgentRunner;
import dev.ferry.net.idle.IdleStrategies;

import java.io.IOException;
import java.util.function.LongConsumer;

/**
 * A {@link Shipper} on a thread of its own ({@code ferry-archive}), beside a node in the same process or alone
 * ({@code ferry archive}). The thread parks when there is nothing to ship: it never spins. Closing it uploads what was
 * built, stops, and closes the store.
 */
public final class ArchiveShipping implements AutoCloseable
{
    private final Shipper shipper;
    private final AgentRunner runner;
    private final EventLog log;
    private final ArchiveStore store;

    private ArchiveShipping(final Shipper shipper, final ArchiveStore store, final EventLog log)
    {
        this.shipper = shipper;
        this.log = log;
        this.store = store;
        this.runner = new AgentRunner(new dev.ferry.engine.agent.Agent()
        {
            @Override
            public int doWork(final long nowNs)
            {
                return shipper.doWork(nowNs);
            }

            @Override
            public String roleName()
            {
                return shipper.roleName();
            }

            @Override
            public void close()
            {
                try
                {
                    shipper.flush();
                }
                catch (final IOException | RuntimeException ex)
                {
                    log.log("archive: the last segment was not uploaded at stop (" + ex.getMessage() + "); the next " +
                        "start ships it");
                }
                shipper.close();
            }
        }, IdleStrategies.parse("park"), AgentRunner.daemon("ferry-archive"), () -> { }, log::log, () -> { },
            error -> log.log("archive: stopped by " + error));
    }

    /**
     * Start shipping.
     *
     * @param context    the shipper's settings.
     * @param onArchived told the next offset to archive (a {@link SlotHolder}), or null.
     * @return the running shipping.
     */
    public static ArchiveShipping start(final ArchiveContext context, final LongConsumer onArchived)
    {
        final ArchiveShipping shipping = new ArchiveShipping(new Shipper(context, onArchived), context.store(),
            context.log());
        shipping.runner.start();
        return shipping;
    }

    /**
     * @return what the shipper has done.
     */
    public Shipper.Status status()
    {
        return shipper.status();
    }

    /**
     * @return whether its thread runs.
     */
    public boolean isRunning()
    {
        return runner.isRunning();
    }

    /**
     * Upload what was built, then stop the thread.
     */
    @Override
    public void close()
    {
        if (!runner.stop())
        {
            log.log("archive: its thread did not stop in time");
            return; // the store stays open under it
        }
        store.close();
    }
}
