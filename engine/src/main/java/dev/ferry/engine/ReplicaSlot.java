package dev.ferry.engine;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/**
 * The primary's record of one replica: how far it has got (next offsets: every offset below is received /
 * durable / applied), its connection, lag and append-to-ack latency. Written by the primary's agent thread, read by
 * any thread.
 */
public final class ReplicaSlot
{
    private static final long MAX_LATENCY_NS = TimeUnit.MINUTES.toNanos(10);

    private final String id;
    private final Recorder ackLatency = new Recorder(MAX_LATENCY_NS, 3);
    private final Histogram ackLatencyTotal = new Histogram(MAX_LATENCY_NS, 3);
    private Histogram recycle;
    private volatile String remote = "";
    private volatile String state = "DISCONNECTED";
    private volatile long receivedNext;
    private volatile long durableNext;
    private volatile long appliedNext;
    private volatile long lastAckNs;
    private volatile long lastHeartbeatNs;
    private volatile long lagMillis;
    private volatile long lagBytes;
    private volatile boolean invalidated;

    ReplicaSlot(final String id)
    {
        this.id = id;
    }

    /**
     * @return the replica's id.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the replica's address as host:port, or empty.
     */
    public String remote()
    {
        return remote;
    }

    /**
     * @return the session's state as the primary sees it (HANDSHAKING, STREAMING, DISCONNECTED).
     */
    public String state()
    {
        return state;
    }

    /**
     * @return every offset below this is received by the replica.
     */
    public long receivedNext()
    {
        return receivedNext;
    }

    /**
     * @return every offset below this is durable on the replica.
     */
    public long durableNext()
    {
        return durableNext;
    }

    /**
     * @return every offset below this is applied by the replica.
     */
    public long appliedNext()
    {
        return appliedNext;
    }

    /**
     * @param level an acknowledgement level.
     * @return the next offset at that level.
     */
    public long next(final AckLevel level)
    {
        return switch (level)
        {
            case RECEIVED -> receivedNext;
            case DURABLE -> durableNext;
            case APPLIED -> appliedNext;
        };
    }

    /**
     * @return {@link System#nanoTime()} of the last ACK, or 0.
     */
    public long lastAckNs()
    {
        return lastAckNs;
    }

    /**
     * @return {@link System#nanoTime()} of the last frame of any kind from the replica, or 0.
     */
    public long lastHeartbeatNs()
    {
        return lastHeartbeatNs;
    }

    /**
     * @return how old the oldest entry not yet acknowledged is, in ms (0 when caught up).
     */
    public long lagMillis()
    {
        return lagMillis;
    }

    /**
     * @return bytes not yet acknowledged: exact for entries sent, estimated for entries not yet read.
     */
    public long lagBytes()
    {
        return lagBytes;
    }

    /**
     * @return true if retention gave up on this replica (it fell further behind than the slot cap).
     */
    public boolean invalidated()
    {
        return invalidated;
    }

    void connected(final String remote, final String state)
    {
        this.remote = remote;
        this.state = state;
        this.lastHeartbeatNs = System.nanoTime();
    }

    void state(final String state)
    {
        this.state = state;
    }

    /**
     * A (re)connected replica starts at {@code next}: it has everything below. What is durable or applied there is
     * only known from its first ACK (sent right after WELCOME), so those never move forward here.
     */
    void resumeAt(final long next)
    {
        receivedNext = next;
        durableNext = Math.min(durableNext, next);
        appliedNext = Math.min(appliedNext, next);
        invalidated = false;
    }

    void onAck(final long received, final long durable, final long applied, final long nowNs)
    {
        receivedNext = received;
        durableNext = durable;
        appliedNext = applied;
        lastAckNs = nowNs;
        lastHeartbeatNs = nowNs;
    }

    void onHeartbeat(final long nowNs)
    {
        lastHeartbeatNs = nowNs;
    }

    void lag(final long millis, final long bytes)
    {
        lagMillis = millis;
        lagBytes = bytes;
    }

    /** A slot saved by an earlier run of the primary: holds retention at {@code durable} until the replica is back. */
    void restore(final long durable)
    {
        receivedNext = durable;
        durableNext = durable;
        appliedNext = durable;
    }

    void invalidate()
    {
        invalidated = true;
    }

    void recordAckLatency(final long latencyNs)
    {
        ackLatency.recordValue(Math.min(Math.max(latencyNs, 0), MAX_LATENCY_NS));
    }

    /**
     * @return a copy of every append-to-ack latency recorded so far (ns).
     */
    public synchronized Histogram ackLatencyNs()
    {
        recycle = ackLatency.getIntervalHistogram(recycle);
        ackLatencyTotal.add(recycle);
        return ackLatencyTotal.copy();
    }
}
