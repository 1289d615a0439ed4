package dev.ferry.jmh.harness;

import dev.ferry.engine.Primary;
import dev.ferry.wal.TimerSlack;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.jmh.harness.ReplicatedRun.LONG_LE;

/**
 * Append-to-ack latency at a fixed rate: entries appended on a schedule, each one's latency counted from its intended
 * send time (coordinated omission corrected), written as an HdrHistogram interval log by a thread of its own.
 */
final class LatencyRun
{
    /** The shortest sleep the fixed-rate loader takes between appends. */
    private static final long LOADER_MIN_SLEEP_NS = 50_000;

    private final BenchOptions options;
    private final BenchOutput output;
    private final Primary primary;
    private final AckLatency acks;

    LatencyRun(final BenchOptions options, final BenchOutput output, final Primary primary, final AckLatency acks)
    {
        this.options = options;
        this.output = output;
        this.primary = primary;
        this.acks = acks;
    }

    /**
     * @param rate    entries per second.
     * @param seconds how long.
     * @param hlog    the interval log's file name in {@code --out}, or null for an unrecorded warm-up.
     */
    void fixedRate(final int rate, final int seconds, final String hlog) throws IOException, InterruptedException
    {
        final String label = (hlog == null ? "warm-up " : "latency ") + rate + "/s";
        TimerSlack.set(TimerSlack.FERRY_THREADS_NS); // the pacing parks are microseconds: keep them that precise
        final long count = (long)rate * seconds;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final MemorySegment payload = MemorySegment.ofArray(new byte[options.latencySize]);
        final long base = primary.nextOffset();
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        final Recorder recorder = acks.arm(base, count, start, intervalNs);
        final Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final AtomicLong lateNs = new AtomicLong();
        final AtomicLong appendNs = new AtomicLong();
        final long[] worstLateNs = {0};
        final long[] worstAppendNs = {0};
        try (PrintStream log = hlog == null ? null : new PrintStream(output.file(hlog).toFile(), "UTF-8"))
        {
            final HistogramLogWriter writer = log == null ? null : new HistogramLogWriter(log);
            final long startMs = System.currentTimeMillis();
            if (writer != null)
            {
                writer.outputComment("ferry bench: append->ack latency (ns) from intended send time, " + rate +
                    " entries/s of " + options.latencySize + " B, " + options.replicas + " replica(s), idle " + options.idle);
                writer.outputLogFormatVersion();
                writer.outputStartTime(startMs);
                writer.setBaseTime(startMs);
                writer.outputLegend();
            }
            // interval logging runs on its own thread: encoding a histogram takes milliseconds, and on the loader
            // it would stall the schedule (and show up, CO-corrected, as latency that Ferry did not cause)
            final Histogram[] interval = {null};
            final AtomicBoolean loading = new AtomicBoolean(true);
            final Thread logger = Thread.ofPlatform().name("bench-hlog").start(() ->
            {
                long next = start + TimeUnit.SECONDS.toNanos(1);
                while (loading.get())
                {
                    LockSupport.parkNanos(Math.max(1, next - System.nanoTime()));
                    if (System.nanoTime() < next)
                    {
                        continue;
                    }
                    next += TimeUnit.SECONDS.toNanos(1);
                    synchronized (total)
                    {
                        interval[0] = recorder.getIntervalHistogram(interval[0]);
                        total.add(interval[0]);
                        if (writer != null)
                        {
                            writer.outputIntervalHistogram(interval[0]);
                        }
                        final long late = lateNs.getAndSet(0);
                        final long slowest = appendNs.getAndSet(0);
                        worstLateNs[0] = Math.max(worstLateNs[0], late);
                        worstAppendNs[0] = Math.max(worstAppendNs[0], slowest);
                        output.progress(String.format("%s: %d/%d s, acked %d, p99 so far %.1f us (this second: loader late " +
                            "by up to %.1f us, slowest append %.1f us)", label,
                            (System.nanoTime() - start) / TimeUnit.SECONDS.toNanos(1), seconds, acks.recorded() - base,
                            total.getValueAtPercentile(99) / 1e3, late / 1e3, slowest / 1e3));
                    }
                }
            });
            for (long i = 0; i < count; i++)
            {
                final long due = start + i * intervalNs;
                long now = System.nanoTime();
                while (now < due)
                {
                    // never spins, and sleeps at least LOADER_MIN_SLEEP_NS: a sleep costs a few µs of CPU here, and
                    // sleeping 100k times a second took 75% of a core from Ferry's threads on 2 cores. Above 20k/s
                    // entries therefore go out in small bursts; each one's latency still counts from its own
                    // intended send time (coordinated-omission corrected), so the wait is charged to Ferry.
                    LockSupport.parkNanos(Math.max(due - now, LOADER_MIN_SLEEP_NS));
                    now = System.nanoTime();
                }
                payload.set(LONG_LE, 0, i);
                primary.append(payload);
                final long appended = System.nanoTime();
                if (now - due > lateNs.getPlain())
                {
                    lateNs.set(now - due); // diagnostics: did the load generator keep to its schedule?
                }
                if (appended - now > appendNs.getPlain())
                {
                    appendNs.set(appended - now);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acks.recorded() < base + count && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            acks.disarm();
            loading.set(false);
            LockSupport.unpark(logger);
            logger.join();
            synchronized (total)
            {
                interval[0] = recorder.getIntervalHistogram(interval[0]);
                total.add(interval[0]);
                if (writer != null)
                {
                    writer.outputIntervalHistogram(interval[0]);
                }
            }
        }
        if (hlog != null)
        {
            final Map<String, Object> result = output.latency("latency.appendToAck." + rate + "perSec", total, hlog,
                "latency.loopbackPingPong");
            result.put("loaderMaxLateUs", Math.max(worstLateNs[0], lateNs.get()) / 1e3);
            result.put("slowestAppendUs", Math.max(worstAppendNs[0], appendNs.get()) / 1e3);
            output.done(String.format("append->ack at %d/s (%d B): p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us", rate,
                options.latencySize, total.getValueAtPercentile(50) / 1e3, total.getValueAtPercentile(99) / 1e3,
                total.getValueAtPercentile(99.9) / 1e3, total.getMaxValue() / 1e3));
        }
    }
}
