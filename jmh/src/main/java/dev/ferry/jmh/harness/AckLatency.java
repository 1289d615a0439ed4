package dev.ferry.jmh.harness;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.AckListener;
import org.HdrHistogram.Recorder;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Append-to-ack latency measured where acknowledgements arrive (the primary's sender thread, through
 * {@link AckListener}): when every replica has acknowledged an offset, its latency is recorded as the ACK time minus
 * the offset's <em>intended</em> send time on the fixed-rate schedule, so a loader that fell behind cannot hide
 * latency (coordinated omission corrected). No polling thread: the measurement adds no wake-up delay of its own.
 * Both levels are timed from the same acknowledgements: RECEIVED (written on every replica) and DURABLE (on every
 * replica's stable storage).
 */
final class AckLatency implements AckListener
{
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(60);

    private final Map<String, Integer> index = new HashMap<>();
    private final Level received;
    private final Level durable;
    private volatile boolean armed;
    private long base;
    private long end;
    private long startNs;
    private long intervalNs;

    /** One acknowledgement level: every replica's next offset at it, and the latency of the offsets all have. */
    private static final class Level
    {
        private final long[] next;
        private final Recorder recorder = new Recorder(MAX_NS, 3);
        private volatile long recorded;

        Level(final int replicas)
        {
            next = new long[replicas];
        }
    }

    AckLatency(final int replicas)
    {
        received = new Level(replicas);
        durable = new Level(replicas);
    }

    private Level level(final AckLevel level)
    {
        return switch (level)
        {
            case RECEIVED -> received;
            case DURABLE -> durable;
            case APPLIED -> throw new IllegalArgumentException("APPLIED is not timed: the replicas apply what they receive");
        };
    }

    /**
     * Start recording offsets {@code [base, base + count)} scheduled at {@code startNs + i * intervalNs}, at RECEIVED
     * and at DURABLE.
     */
    synchronized void arm(final long base, final long count, final long startNs, final long intervalNs)
    {
        this.base = base;
        this.end = base + count;
        this.startNs = startNs;
        this.intervalNs = intervalNs;
        for (final Level level : new Level[] {received, durable})
        {
            level.recorded = base;
            level.recorder.reset();
        }
        armed = true;
    }

    void disarm()
    {
        armed = false;
    }

    /**
     * @param level RECEIVED or DURABLE.
     * @return the latencies recorded at that level since arming.
     */
    Recorder recorder(final AckLevel level)
    {
        return level(level).recorder;
    }

    /**
     * @param level RECEIVED or DURABLE.
     * @return the next offset whose latency at that level is not recorded yet.
     */
    long recorded(final AckLevel level)
    {
        return level(level).recorded;
    }

    private static long min(final long[] values)
    {
        long min = Long.MAX_VALUE;
        for (final long v : values)
        {
            min = Math.min(min, v);
        }
        return min;
    }

    @Override
    public synchronized void onAck(
        final String replicaId, final long receivedOffset, final long durableOffset, final long appliedOffset, final long nowNs)
    {
        Integer i = index.get(replicaId);
        if (i == null)
        {
            if (index.size() == received.next.length)
            {
                return;
            }
            i = index.size();
            index.put(replicaId, i);
        }
        received.next[i] = receivedOffset;
        durable.next[i] = durableOffset;
        if (!armed || index.size() < received.next.length)
        {
            return;
        }
        record(received, nowNs);
        record(durable, nowNs);
    }

    private void record(final Level level, final long nowNs)
    {
        final long acked = Math.min(min(level.next), end);
        long o = level.recorded;
        while (o < acked)
        {
            final long latency = nowNs - (startNs + (o - base) * intervalNs);
            level.recorder.recordValue(Math.min(Math.max(0, latency), MAX_NS));
            o++;
        }
        level.recorded = Math.max(level.recorded, acked);
    }
}
