package dev.ferry.engine.metrics;

import dev.ferry.engine.EventLog;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A node's figures as a JMX MBean: every sample of its metrics endpoint's text ({@link Figures}) is a read-only
 * attribute of type {@code Double}, named as the sample ({@code ferry_primary_head},
 * {@code ferry_primary_replica_received{replica="r1"}}), so JConsole, jmx_exporter or any JMX client sees what a
 * Prometheus scrape sees. Registered in the platform MBean server as {@code dev.ferry:type=Primary|Replica,...} while
 * the node runs; computed per read.
 */
public final class FiguresMBean implements DynamicMBean, AutoCloseable
{
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final Supplier<String> figures;
    private final ObjectName name;
    private final boolean registered;

    /**
     * Register the figures of a node.
     *
     * @param type    {@code Primary} or {@code Replica}.
     * @param id      the node's name (a replica id, a primary's port).
     * @param figures computes the figures' text.
     * @param log     told if the MBean cannot be registered (the node runs anyway).
     */
    public FiguresMBean(final String type, final String id, final Supplier<String> figures, final EventLog log)
    {
        this.figures = figures;
        ObjectName objectName = null;
        boolean done = false;
        try
        {
            objectName = new ObjectName("dev.ferry:type=" + type + ",id=" + ObjectName.quote(id) + ",instance=" +
                INSTANCES.incrementAndGet());
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, objectName);
            done = true;
        }
        catch (final JMException | RuntimeException ex)
        {
            log.log("metrics: the JMX MBean of " + type + " " + id + " could not be registered: " + ex);
        }
        this.name = objectName;
        this.registered = done;
    }

    /**
     * @return the MBean's name, or null if it could not be registered.
     */
    public ObjectName name()
    {
        return registered ? name : null;
    }

    private Map<String, Double> samples()
    {
        final Map<String, Double> samples = new LinkedHashMap<>();
        for (final String line : figures.get().split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    @Override
    public Object getAttribute(final String attribute) throws AttributeNotFoundException
    {
        final Double value = samples().get(attribute);
        if (value == null)
        {
            throw new AttributeNotFoundException(attribute);
        }
        return value;
    }

    @Override
    public void setAttribute(final Attribute attribute)
    {
        throw new UnsupportedOperationException("Ferry's figures are read-only");
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final Map<String, Double> samples = samples();
        final AttributeList list = new AttributeList();
        for (final String attribute : attributes)
        {
            final Double value = samples.get(attribute);
            if (value != null)
            {
                list.add(new Attribute(attribute, value));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(final AttributeList attributes)
    {
        return new AttributeList();
    }

    @Override
    public Object invoke(final String actionName, final Object[] params, final String[] signature)
    {
        throw new UnsupportedOperationException("Ferry's figures have no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo()
    {
        final Map<String, Double> samples = samples();
        final MBeanAttributeInfo[] attributes = new MBeanAttributeInfo[samples.size()];
        int i = 0;
        for (final String sample : samples.keySet())
        {
            attributes[i++] = new MBeanAttributeInfo(sample, Double.class.getName(), sample, true, false, false);
        }
        return new MBeanInfo(getClass().getName(), "Ferry's figures, as its metrics endpoint serves them", attributes,
            null, null, null);
    }

    /**
     * Unregister. Idempotent.
     */
    @Override
    public void close()
    {
        if (registered)
        {
            final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            try
            {
                server.unregisterMBean(name);
            }
            catch (final InstanceNotFoundException ignore)
            {
                // unregistered already
            }
            catch (final JMException ex)
            {
                // nothing more to do: the JVM's MBean server keeps it until the JVM ends
            }
        }
    }
}
