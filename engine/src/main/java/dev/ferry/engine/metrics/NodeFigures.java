package dev.ferry.engine.metrics;

import dev.ferry.engine.EventLog;

import javax.management.ObjectName;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Where a node's figures are published while it runs: its JMX MBean always, its Prometheus endpoint when asked.
 */
public final class NodeFigures implements AutoCloseable
{
    private final FiguresMBean mbean;
    private final MetricsServer server;

    /**
     * Publish a node's figures.
     *
     * @param type    {@code Primary} or {@code Replica}.
     * @param id      the node's name.
     * @param figures computes the figures' text.
     * @param metrics the Prometheus endpoint's address, or null for none.
     * @param log     the node's event log.
     * @throws dev.ferry.error.FerryException CONFIGURATION if the endpoint's address cannot be bound (the MBean is
     *                                        unregistered again then).
     */
    public NodeFigures(final String type, final String id, final Supplier<String> figures,
        final InetSocketAddress metrics, final EventLog log)
    {
        this.mbean = new FiguresMBean(type, id, figures, log);
        try
        {
            this.server = metrics == null ? null : new MetricsServer(metrics, figures, log, type.toLowerCase(
                java.util.Locale.ROOT) + "-" + id);
        }
        catch (final RuntimeException ex)
        {
            mbean.close();
            throw ex;
        }
    }

    /**
     * @return the Prometheus endpoint's bound address, or null if there is none.
     */
    public InetSocketAddress metricsAddress()
    {
        return server == null ? null : server.localAddress();
    }

    /**
     * @return the MBean's name, or null if it could not be registered.
     */
    public ObjectName mbeanName()
    {
        return mbean.name();
    }

    /**
     * Stop publishing. Idempotent.
     */
    @Override
    public void close()
    {
        if (server != null)
        {
            server.close();
        }
        mbean.close();
    }
}
