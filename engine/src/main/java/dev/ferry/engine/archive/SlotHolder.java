package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.tls.TlsConfig;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Holds a retention slot on the node a shipper ships from, so the node keeps every entry not yet archived: a
 * {@code HOLD_SLOT_REQUEST} (authenticated like a replica, with the node's secret) names the next offset to archive,
 * sent when it moved (at most once a second) and at least every ten seconds (so status shows when the shipper was last
 * seen). The slot is capped like any slot ({@code --slot-cap-bytes}): a shipper that falls too far behind is let go
 * rather than fill the node's disk, and then begins a new generation. A failed request is reported once and tried again;
 * shipping never waits for it.
 */
public final class SlotHolder implements LongConsumer
{
    private static final long MOVE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long HEARTBEAT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final InetSocketAddress node;
    private final Secret secret;
    private final TlsConfig tls;
    private final String slotId;
    private final EventLog log;
    private long sent = -1;
    private long sentAtNs;
    private String lastError;

    /**
     * @param node   the node's address (its replication port).
     * @param secret its secret, or {@link Secret#NONE}.
     * @param tls    TLS settings, or null.
     * @param slotId the slot's id.
     * @param log    told of failures.
     */
    public SlotHolder(final InetSocketAddress node, final Secret secret, final TlsConfig tls, final String slotId,
        final EventLog log)
    {
        this.node = node;
        this.secret = secret;
        this.tls = tls;
        this.slotId = slotId;
        this.log = log;
    }

    /**
     * @return the node.
     */
    public InetSocketAddress node()
    {
        return node;
    }

    /**
     * @return the slot's id.
     */
    public String slotId()
    {
        return slotId;
    }

    /**
     * @param nextOffset the next offset to archive: the node keeps it and everything after it.
     */
    @Override
    public void accept(final long nextOffset)
    {
        final long now = System.nanoTime();
        if (sent >= 0 && (nextOffset == sent || now - sentAtNs < MOVE_NS) && now - sentAtNs < HEARTBEAT_NS)
        {
            return;
        }
        sentAtNs = now;
        try
        {
            StatusClient.holdSlot(node, TIMEOUT, secret, tls, slotId, nextOffset);
            sent = nextOffset;
            if (lastError != null)
            {
                log.log("archive: slot " + slotId + " held again on " + Endpoint.format(node) + " at offset " + nextOffset);
                lastError = null;
            }
        }
        catch (final FerryException ex)
        {
            if (!ex.getMessage().equals(lastError))
            {
                log.log("archive: cannot hold slot " + slotId + " on " + Endpoint.format(node) + " (" + ex.getMessage() +
                    "); shipping goes on, the request is tried again");
            }
            lastError = ex.getMessage();
        }
    }
}
