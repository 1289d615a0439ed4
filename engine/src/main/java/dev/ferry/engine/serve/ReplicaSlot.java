package dev.ferry.engine.serve;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.SnapshotProgress;
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
    private volatile SlotState state = SlotState.DISCONNECTED;
    private volatile long receivedOffset;
    private volatile long durableOffset;
    private volatile long appliedOffset;
    private volatile long lastAckNs;
    private volatile long lastHeartbeatNs;
    private volatile long lagMillis;
    private volatile long lagBytes;
    private volatile boolean invalidated;
    private volatile boolean syncs = true;
    private volatile boolean heard; // an ACK arrived, or the slot was saved by an earlier run
    private volatile long snapshots;
    private volatile long snapshotOffset;
    private volatile long snapshotBytes;
    private volatile long snapshotTotalBytes; // 0: none in flight
    private volatile long snapshotFromBytes;
    private volatile long snapshotStartNs;
    private volatile long snapshotBytesSent;
    private volatile long evictionEtaMillis; // 0: not at risk
    private double lagGrowth = Double.NaN; // bytes a second, moving average; the serving thread's
    private long lagSampleBytes;
    private long lagSampleNs;
    private boolean evictionWarned;
    private volatile long holdFrom = -1; // a snapshot's offset, held until the replica acknowledges what it has after it
    private volatile boolean held; // held by a process that is not a replica (HOLD_SLOT_REQUEST), until a replica connects
    private final AuditFigures audit = new AuditFigures();

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
     * @return what the background audit found on this replica.
     */
    public AuditFigures audit()
    {
        return audit;
    }

    /**
     * @return the replica's address as host:port, or empty.
     */
    public String remote()
    {
        return remote;
    }

    /**
     * @return the replica's connection as this node sees it.
     */
    public SlotState state()
    {
        return state;
    }

    /**
     * @return true while the slot is held by a process that is not a replica ({@code HOLD_SLOT_REQUEST}: the archive
     *         shipper), until a replica of its id connects: it holds retention like any slot, but no wait for replicas
     *         counts it.
     */
    public boolean held()
    {
        return held;
    }

    /**
     * @return every offset below this is received by the replica.
     */
    public long receivedOffset()
    {
        return receivedOffset;
    }

    /**
     * @return every offset below this is durable on the replica.
     */
    public long durableOffset()
    {
        return durableOffset;
    }

    /**
     * @return every offset below this is applied by the replica.
     */
    public long appliedOffset()
    {
        return appliedOffset;
    }

    /**
     * @return false if the replica said (HELLO {@code NO_SYNC}) it never syncs: its durable offset does not advance.
     */
    public boolean syncs()
    {
        return syncs;
    }

    /**
     * @return where retention must keep entries from for this replica: its durable position; what it received if it
     *         never syncs (it would hold retention forever otherwise), or if it has not acknowledged anything yet (a
     *         new replica holds what it said it has, not everything from offset 0).
     */
    public long retainFrom()
    {
        final long hold = holdFrom;
        return hold >= 0 ? hold : syncs && heard ? durableOffset : receivedOffset;
    }

    /**
     * @param level an acknowledgement level.
     * @return the next offset at that level.
     */
    public long next(final AckLevel level)
    {
        return switch (level)
        {
            case RECEIVED -> receivedOffset;
            case DURABLE -> durableOffset;
            case APPLIED -> appliedOffset;
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

    /**
     * @return snapshots begun to this replica (a resumed transfer is not counted again).
     */
    public long snapshots()
    {
        return snapshots;
    }

    /**
     * @param nowNs {@link System#nanoTime()}.
     * @return the snapshot being sent to the replica, or null.
     */
    public SnapshotProgress snapshot(final long nowNs)
    {
        final long total = snapshotTotalBytes;
        return total == 0 ? null : SnapshotProgress.of(snapshotOffset, snapshotBytes, total, snapshotFromBytes,
            nowNs - snapshotStartNs);
    }

    /**
     * A snapshot transfer starts (from byte 0, or resumed from {@code fromBytes}): the replica is held from
     * {@code offset} (a snapshot's WAL must outlive its transfer), and counted apart from the slot cap.
     */
    void snapshotStarted(final long offset, final long totalBytes, final long fromBytes, final long nowNs)
    {
        if (fromBytes == 0)
        {
            snapshots++;
        }
        snapshotOffset = offset;
        snapshotFromBytes = fromBytes;
        snapshotBytes = fromBytes;
        snapshotStartNs = nowNs;
        snapshotTotalBytes = Math.max(1, totalBytes);
        // the replica holds nothing of this history that counts: its WAL goes aside once the snapshot is loaded, and
        // the snapshot counts only once it says so (its first ACK after streaming starts); meanwhile retention keeps
        // the WAL from the snapshot's offset for it
        receivedOffset = 0;
        durableOffset = 0;
        appliedOffset = 0;
        holdFrom = offset;
        invalidated = false;
        state = SlotState.SNAPSHOTTING;
    }

    /**
     * The snapshot is sent and batches follow: the replica streams, its positions unknown (0) until its first ACK.
     */
    void snapshotDelivered()
    {
        state = SlotState.STREAMING;
    }

    void snapshotSent(final long bytes)
    {
        snapshotBytesSent += bytes - snapshotBytes;
        snapshotBytes = bytes;
    }

    /**
     * @return the snapshot bytes sent to this replica over every transfer (a resumed transfer adds only what it
     *         sends).
     */
    public long snapshotBytesSent()
    {
        return snapshotBytesSent;
    }

    /** The transfer ended (delivered, or interrupted: a resume starts it again). */
    void snapshotEnded()
    {
        snapshotTotalBytes = 0;
    }

    void syncs(final boolean syncs)
    {
        this.syncs = syncs;
    }

    void connected(final String remote, final SlotState state)
    {
        this.held = false; // a replica of this id takes the slot over, as a returning replica does
        this.remote = remote;
        this.state = state;
        this.lastHeartbeatNs = System.nanoTime();
    }

    void state(final SlotState state)
    {
        this.state = state;
    }

    /**
     * A (re)connected replica starts at {@code next}: it has everything below. What is durable or applied there is
     * only known from its first ACK (sent right after WELCOME), so those never move forward here.
     */
    void resumeAt(final long next)
    {
        holdFrom = -1;
        receivedOffset = next;
        durableOffset = Math.min(durableOffset, next);
        appliedOffset = Math.min(appliedOffset, next);
        invalidated = false;
    }

    /**
     * A holder that is not a replica (the archive shipper) says it needs the WAL from {@code next} on: the slot holds
     * retention there, as a disconnected replica's slot that acknowledged everything below {@code next} would, until
     * it is moved again (forward or back), dropped, or taken over by a replica of the same id. A slot given up past its
     * cap holds again: the holder still has everything below {@code next}, and the cap applies as to any slot.
     *
     * @param next  the first offset the holder needs.
     * @param nowNs {@link System#nanoTime()}: when the holder was last heard from.
     */
    void hold(final long next, final long nowNs)
    {
        held = true;
        remote = ""; // not a replica's address any more
        holdFrom = -1;
        invalidated = false;
        restore(next); // as a slot saved by an earlier run holds: at one position, everything below it had
        lastHeartbeatNs = nowNs;
    }

    void onAck(final long received, final long durable, final long applied, final long nowNs)
    {
        holdFrom = -1;
        receivedOffset = received;
        durableOffset = durable;
        appliedOffset = applied;
        heard = true;
        lastAckNs = nowNs;
        lastHeartbeatNs = nowNs;
    }

    void onHeartbeat(final long nowNs)
    {
        lastHeartbeatNs = nowNs;
    }

    /**
     * A retention pass's look at this replica: how fast its lag grows, and so how long until it passes {@code cap}.
     * On the serving thread.
     *
     * @param nowNs the time.
     * @param cap   the cap that applies to it now (0: none).
     * @return true the first time its time to eviction falls under {@code warningMs} (until it is out of risk again).
     */
    boolean sampleEviction(final long nowNs, final long cap, final long warningMs)
    {
        final long bytes = lagBytes;
        if (lagSampleNs != 0)
        {
            lagGrowth = Eviction.growth(lagGrowth, bytes - lagSampleBytes, nowNs - lagSampleNs);
        }
        lagSampleBytes = bytes;
        lagSampleNs = nowNs;
        final long eta = invalidated ? 0 : Eviction.millisToEviction(bytes, cap, lagGrowth);
        evictionEtaMillis = eta;
        if (eta == 0)
        {
            evictionWarned = false;
            return false;
        }
        if (eta < warningMs && !evictionWarned)
        {
            evictionWarned = true;
            return true;
        }
        return false;
    }

    /**
     * @return milliseconds until retention would pass this replica at the current rates (it would then need a
     *         resync); 0 when it is not at risk.
     */
    public long evictionEtaMillis()
    {
        return evictionEtaMillis;
    }

    void lag(final long millis, final long bytes)
    {
        lagMillis = millis;
        lagBytes = bytes;
    }

    /** A slot saved by an earlier run of the primary: holds retention at {@code durable} until the replica is back. */
    void restore(final long durable)
    {
        receivedOffset = durable;
        durableOffset = durable;
        appliedOffset = durable;
        heard = true;
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
