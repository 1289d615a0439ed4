package dev.ferry.engine.serve;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.SlotState;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link ReplicaSlot} per replica id, and the waiters of {@link Primary#awaitReplicated}: acknowledgements wake
 * them (only when someone waits, so the ACK path stays cheap).
 */
public final class SlotTable
{
    private final ConcurrentHashMap<String, ReplicaSlot> slots = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition acked = lock.newCondition();
    private long sentEntries; // serving thread only
    private long sentBytes;
    private volatile int waiters;

    ReplicaSlot slot(final String id)
    {
        return slots.computeIfAbsent(id, ReplicaSlot::new);
    }

    /**
     * @param id a replica's id.
     * @return its slot, or null: never creates one.
     */
    ReplicaSlot find(final String id)
    {
        return slots.get(id);
    }

    /**
     * Forget a slot (dropped by an operator).
     *
     * @param slot the slot.
     * @return whether it was there.
     */
    boolean remove(final ReplicaSlot slot)
    {
        return slots.remove(slot.id(), slot);
    }

    /**
     * @param head              the serving node's next offset.
     * @param evictionWarningMs a time to eviction under this warns.
     * @return every slot's status, by id: progress, lag, ack latency, snapshot, eviction, audit (any thread).
     */
    public java.util.List<dev.ferry.engine.ReplicaStatus> statuses(final long head, final long evictionWarningMs)
    {
        final long now = System.nanoTime();
        final java.util.List<dev.ferry.engine.ReplicaStatus> replicas = new java.util.ArrayList<>();
        for (final ReplicaSlot slot : slots.values())
        {
            final org.HdrHistogram.Histogram latency = slot.ackLatencyNs();
            final long heard = slot.lastHeartbeatNs();
            final dev.ferry.engine.SnapshotProgress snapshot = slot.snapshot(now);
            final AuditFigures audit = slot.audit();
            replicas.add(new dev.ferry.engine.ReplicaStatus(slot.id(), slot.remote(), slot.state(), slot.receivedOffset(),
                slot.durableOffset(), slot.syncs(), slot.appliedOffset(), Math.max(0, head - slot.receivedOffset()),
                slot.lagBytes(), slot.lagMillis(), heard == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - heard),
                micros(latency, 50), micros(latency, 99), micros(latency, 99.9), latency.getTotalCount(),
                slot.snapshots(), snapshot == null ? 0 : snapshot.offset(), snapshot == null ? 0 : snapshot.bytes(),
                snapshot == null ? 0 : snapshot.totalBytes(), snapshot == null ? 0 : snapshot.progress(),
                snapshot == null ? 0 : snapshot.etaMillis(), slot.evictionEtaMillis(),
                slot.evictionEtaMillis() > 0 && slot.evictionEtaMillis() < evictionWarningMs,
                slot.invalidated(), audit.auditedOffset(), audit.audits(), audit.auditedEntries(), audit.mismatches(),
                audit.firstMismatchOffset(), audit.lastAuditMillisAgo(now), slot.held()));
        }
        replicas.sort((a, b) -> a.id().compareTo(b.id()));
        return java.util.List.copyOf(replicas);
    }

    private static double micros(final org.HdrHistogram.Histogram histogram, final double percentile)
    {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    public Collection<ReplicaSlot> all()
    {
        return Collections.unmodifiableCollection(slots.values());
    }

    void signalAcked()
    {
        if (waiters > 0)
        {
            lock.lock();
            try
            {
                acked.signalAll();
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    /**
     * @param offset an entry.
     * @param level  an acknowledgement level.
     * @return how many replicas have the entry at that level (a held slot, {@link ReplicaSlot#held()}, is no replica).
     */
    public int count(final long offset, final AckLevel level)
    {
        int n = 0;
        for (final ReplicaSlot slot : slots.values())
        {
            if (!slot.held() && slot.next(level) > offset)
            {
                n++;
            }
        }
        return n;
    }

    /**
     * @return how many replicas are connected (streaming or taking a snapshot).
     */
    public int connected()
    {
        int n = 0;
        for (final ReplicaSlot slot : slots.values())
        {
            if (slot.state() != SlotState.DISCONNECTED)
            {
                n++;
            }
        }
        return n;
    }

    /**
     * {@link dev.ferry.engine.Primary#awaitReplicated}.
     *
     * @throws FerryException CONFIGURATION for a DURABLE wait that cannot be met: a replica the primary knows never
     *                        syncs, and fewer than {@code minReplicas} others do.
     */
    public boolean await(final long offset, final int minReplicas, final AckLevel level, final long timeoutNs)
        throws InterruptedException
    {
        checkDurableReachable(minReplicas, level);
        if (count(offset, level) >= minReplicas)
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        lock.lock();
        try
        {
            waiters++;
            while (count(offset, level) < minReplicas)
            {
                checkDurableReachable(minReplicas, level);
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return false;
                }
                acked.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(10)));
            }
            return true;
        }
        finally
        {
            waiters--;
            lock.unlock();
        }
    }

    /**
     * A DURABLE wait fails at once, rather than waiting out its timeout, when the replicas cannot meet it: one runs
     * with sync policy none (its durable offset never advances) and fewer than {@code minReplicas} others sync. A
     * wait with no such replica known waits: a syncing replica may still connect.
     */
    private void checkDurableReachable(final int minReplicas, final AckLevel level)
    {
        if (level != AckLevel.DURABLE)
        {
            return;
        }
        int syncing = 0;
        String noSync = null;
        for (final ReplicaSlot slot : slots.values())
        {
            if (slot.invalidated() || slot.held())
            {
                continue;
            }
            if (slot.syncs())
            {
                syncing++;
            }
            else if (noSync == null || slot.id().compareTo(noSync) < 0)
            {
                noSync = slot.id();
            }
        }
        if (noSync != null && syncing < minReplicas)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a DURABLE wait for " + minReplicas +
                " replica(s) cannot be met: replica " + noSync + " runs with sync policy none (its durable offset " +
                "never advances) and " + syncing + " other(s) sync; run replicas with --sync batch or interval");
        }
    }

    /**
     * The retention floor: the lowest {@link ReplicaSlot#retainFrom()} of a valid slot; {@link Long#MAX_VALUE} with no
     * slots.
     */
    long floor()
    {
        long floor = Long.MAX_VALUE;
        for (final ReplicaSlot slot : slots.values())
        {
            if (!slot.invalidated())
            {
                floor = Math.min(floor, slot.retainFrom());
            }
        }
        return floor;
    }

    /**
     * Entries and entry bytes sent to any replica, by the serving thread: their average estimates how far an offline
     * replica falls behind in bytes.
     */
    void sent(final int entries, final int bytes)
    {
        sentEntries += entries;
        sentBytes += bytes;
    }

    /**
     * @return the entries sent so far to all replicas, on the serving thread.
     */
    long sentEntries()
    {
        return sentEntries;
    }

    /**
     * @return the average size of the entries sent so far (0 before any), on the serving thread.
     */
    long averageEntryBytes()
    {
        return sentEntries == 0 ? 0 : sentBytes / sentEntries;
    }
}
