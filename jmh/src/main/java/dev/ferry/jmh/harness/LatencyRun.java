package dev.ferry.jmh.harness;

import dev.ferry.engine.AckLevel;
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
 * send time (coordinated omission corrected), written as an HdrHistogram interval log by a thread of its own: at
 * RECEIVED, and at DURABLE when the replicas sync, from the same acknowledgements.
 */
final class LatencyRun
{
    /** The shortest sleep the fixed-rate loader takes between appends. */
    private static final long LOADER_MIN_SLEEP_NS = 50_000;

    private final BenchOptions options;
    private final BenchOutput output;
    private final Primary primary;
    private final AckLatency acks;
    private final boolean durable; // the replicas sync: DURABLE acks advance and are timed beside RECEIVED

    LatencyRun(final BenchOptions options, final BenchOutput output, final Primary primary, final AckLatency acks)
    {
        this.options = options;
        this.output = output;
        this.primary = primary;
        this.acks = acks;
        this.durable = options.replicasSync();
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
        acks.arm(base, count, start, intervalNs);
        final AckLevel[] levels = durable ? new AckLevel[] {AckLevel.RECEIVED, AckLevel.DURABLE} :
            new AckLevel[] {AckLevel.RECEIVED};
        final Timed[] timed = new Timed[levels.length];
        final AtomicLong lateNs = new AtomicLong();
        final AtomicLong appendNs = new AtomicLong();
        final long[] worstLateNs = {0};
        final long[] worstAppendNs = {0};
        try
        {
            for (int l = 0; l < levels.length; l++)
            {
                timed[l] = new Timed(levels[l], hlog == null ? null : hlogName(levels[l], hlog), rate);
            }
            // interval logging runs on its own thread: encoding a histogram takes milliseconds, and on the loader
            // it would stall the schedule (and show up, CO-corrected, as latency that Ferry did not cause)
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
                    final StringBuilder p99 = new StringBuilder();
                    for (final Timed t : timed)
                    {
                        p99.append(t.interval()).append(", ");
                    }
                    final long late = lateNs.getAndSet(0);
                    final long slowest = appendNs.getAndSet(0);
                    worstLateNs[0] = Math.max(worstLateNs[0], late);
                    worstAppendNs[0] = Math.max(worstAppendNs[0], slowest);
                    output.progress(String.format("%s: %d/%d s, acked %d, %s(this second: loader late by up to %.1f us, " +
                        "slowest append %.1f us)", label, (System.nanoTime() - start) / TimeUnit.SECONDS.toNanos(1),
                        seconds, acks.recorded(AckLevel.RECEIVED) - base, p99, late / 1e3, slowest / 1e3));
                }
            });
            for (long i = 0; i < count; i++)
            {
                final long due = start + i * intervalNs;
                final long now = sleepUntil(due);
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
            for (final AckLevel level : levels)
            {
                while (acks.recorded(level) < base + count && System.nanoTime() < deadline)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            acks.disarm();
            loading.set(false);
            LockSupport.unpark(logger);
            logger.join();
            for (final Timed t : timed)
            {
                t.interval();
            }
        }
        finally
        {
            for (final Timed t : timed)
            {
                if (t != null)
                {
                    t.close();
                }
            }
        }
        if (hlog != null)
        {
            for (final Timed t : timed)
            {
                t.report(Math.max(worstLateNs[0], lateNs.get()), Math.max(worstAppendNs[0], appendNs.get()));
            }
        }
    }

    /**
     * The fixed-rate loader's pacing: never spins, and sleeps at least {@link #LOADER_MIN_SLEEP_NS}: a sleep costs a
     * few µs of CPU here, and sleeping 100k times a second took 75% of a core from Ferry's threads on 2 cores. Above
     * 20k/s entries therefore go out in small bursts; each one's latency still counts from its own intended send time
     * (coordinated-omission corrected), so the wait is charged to Ferry.
     *
     * @param due the intended send time, {@link System#nanoTime()}.
     * @return the time it returns at, {@code due} or later.
     */
    static long sleepUntil(final long due)
    {
        long now = System.nanoTime();
        while (now < due)
        {
            LockSupport.parkNanos(Math.max(due - now, LOADER_MIN_SLEEP_NS));
            now = System.nanoTime();
        }
        return now;
    }

    /** {@code latency-R.hlog} for RECEIVED (the name earlier reports used), {@code latency-durable-R.hlog} for DURABLE. */
    private static String hlogName(final AckLevel level, final String hlog)
    {
        return level == AckLevel.RECEIVED ? hlog : hlog.replace("latency-", "latency-durable-");
    }

    /** The latencies of one acknowledgement level in one run: the total, and the interval log if recorded. */
    private final class Timed implements AutoCloseable
    {
        private final AckLevel level;
        private final String hlog;
        private final int rate;
        private final Recorder recorder;
        private final Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final PrintStream log;
        private final HistogramLogWriter writer;
        private Histogram interval;

        Timed(final AckLevel level, final String hlog, final int rate) throws IOException
        {
            this.level = level;
            this.hlog = hlog;
            this.rate = rate;
            this.recorder = acks.recorder(level);
            this.log = hlog == null ? null : new PrintStream(output.file(hlog).toFile(), "UTF-8");
            this.writer = log == null ? null : new HistogramLogWriter(log);
            if (writer != null)
            {
                final long startMs = System.currentTimeMillis();
                writer.outputComment("ferry bench: append->" + level.name() + " ack latency (ns) from intended send " +
                    "time, " + rate + " entries/s of " + options.latencySize + " B, " + options.replicas +
                    " replica(s), idle " + options.idle + ", replica sync " + options.replicaSync);
                writer.outputLogFormatVersion();
                writer.outputStartTime(startMs);
                writer.setBaseTime(startMs);
                writer.outputLegend();
            }
        }

        /** Take the interval's histogram into the total and the log; @return the p99 so far, for progress. */
        synchronized String interval()
        {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            if (writer != null)
            {
                writer.outputIntervalHistogram(interval);
            }
            return String.format("%s p99 so far %.1f us", level.name().toLowerCase(java.util.Locale.ROOT),
                total.getValueAtPercentile(99) / 1e3);
        }

        void report(final long lateNs, final long appendNs)
        {
            final boolean received = level == AckLevel.RECEIVED;
            final Map<String, Object> result = output.latency(
                (received ? "latency.appendToAck." : "latency.appendToDurableAck.") + rate + "perSec", total, hlog,
                received ? "latency.loopbackPingPong" : "latency.appendToAck." + rate + "perSec");
            result.put("loaderMaxLateUs", lateNs / 1e3);
            result.put("slowestAppendUs", appendNs / 1e3);
            output.done(String.format("append->%s ack at %d/s (%d B): p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us",
                level.name(), rate, options.latencySize, total.getValueAtPercentile(50) / 1e3,
                total.getValueAtPercentile(99) / 1e3, total.getValueAtPercentile(99.9) / 1e3, total.getMaxValue() / 1e3));
        }

        @Override
        public void close()
        {
            if (log != null)
            {
                log.close();
            }
        }
    }
}
