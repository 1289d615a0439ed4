package dev.ferry.jmh.harness;

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
 */
final class AckLatency implements AckListener
{
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(60);

    private final Map<String, Integer> index = new HashMap<>();
    private final long[] received;
    private final Recorder recorder = new Recorder(MAX_NS, 3);
    private volatile boolean armed;
    private volatile long recorded;
    private long base;
    private long end;
    private long startNs;
    private long intervalNs;

    AckLatency(final int replicas)
    {
        received = new long[replicas];
    }

    /**
     * Start recording offsets {@code [base, base + count)} scheduled at {@code startNs + i * intervalNs}.
     */
    synchronized Recorder arm(final long base, final long count, final long startNs, final long intervalNs)
    {
        this.base = base;
        this.end = base + count;
        this.startNs = startNs;
        this.intervalNs = intervalNs;
        this.recorded = base;
        recorder.reset();
        armed = true;
        return recorder;
    }

    void disarm()
    {
        armed = false;
    }

    long recorded()
    {
        return recorded;
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
            if (index.size() == received.length)
            {
                return;
            }
            i = index.size();
            index.put(replicaId, i);
        }
        received[i] = receivedOffset;
        if (!armed || index.size() < received.length)
        {
            return;
        }
        final long acked = Math.min(min(received), end);
        long o = recorded;
        while (o < acked)
        {
            final long latency = nowNs - (startNs + (o - base) * intervalNs);
            recorder.recordValue(Math.min(Math.max(0, latency), MAX_NS));
            o++;
        }
        recorded = Math.max(recorded, acked);
    }
}
