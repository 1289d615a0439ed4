package dev.ferry.jmh.harness;

import dev.ferry.engine.AckListener;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.net.auth.Secret;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A cascade's added latency (issue 18): a primary, a replica serving replicas ({@code serve}), and a replica of that
 * replica, log-only, in one JVM (one clock). Entries are appended at {@value #RATE}/s; each one's append-to-ack latency
 * is counted from its intended send time (coordinated omission corrected) to the RECEIVED acknowledgement one level
 * down (the middle's, at the primary) and two levels down (the leaf's, at the middle), from the same entries in the
 * same run. What the second level adds is the difference.
 * <p>
 * Threads: the loader (parks between appends), the primary's sender, the middle's duty cycle (it follows and serves),
 * the leaf's: four on two cores, every one of them idling with the default backoff.
 */
final class CascadeRun
{
    static final int RATE = 10_000;
    private static final int PAYLOAD = 64;

    private final BenchOptions options;
    private final BenchOutput output;

    CascadeRun(final BenchOptions options, final BenchOutput output)
    {
        this.options = options;
        this.output = output;
    }

    /** Records, for one level, each offset's latency once its RECEIVED acknowledgement covers it. */
    private static final class Level implements AckListener
    {
        private final String replica;
        private final AtomicLongArray dueNs;
        private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private long next; // the next offset not yet counted: on the acknowledging node's thread
        private volatile long acknowledged;
        private volatile boolean recording;

        Level(final String replica, final AtomicLongArray dueNs)
        {
            this.replica = replica;
            this.dueNs = dueNs;
        }

        @Override
        public void onAck(final String replicaId, final long received, final long durable, final long applied,
            final long nowNs)
        {
            if (!replica.equals(replicaId))
            {
                return;
            }
            final long end = Math.min(received, dueNs.length());
            for (; next < end; next++)
            {
                final long due = dueNs.get((int)next);
                if (recording && due != 0)
                {
                    histogram.recordValue(Math.max(0, nowNs - due));
                }
            }
            acknowledged = received;
        }
    }

    void run(final Path scratch) throws IOException, InterruptedException
    {
        final int seconds = options.quick ? 5 : 10;
        final int warmup = 2;
        final int total = RATE * (seconds + warmup);
        final AtomicLongArray dueNs = new AtomicLongArray(total);
        final Level one = new Level("middle", dueNs);
        final Level two = new Level("leaf", dueNs);
        final Path dir = Files.createDirectories(scratch.resolve("cascade"));
        final Path secret = dir.resolve("secret");
        Secret.generate(secret);
        output.progress("cascade: append-to-ack one and two levels down at " + RATE + "/s, " + seconds + " s");
        try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir.resolve("primary")).secretFile(secret)
                .listen(new InetSocketAddress("127.0.0.1", 0)).ackListener(one));
            Replica middle = Replica.start(new ReplicaConfig().walDirectory(dir.resolve("middle"))
                .primary(primary.localAddress()).id("middle").secretFile(secret)
                .serve(new InetSocketAddress("127.0.0.1", 0)).servingConfig(new PrimaryConfig().ackListener(two)));
            Replica leaf = Replica.start(new ReplicaConfig().walDirectory(dir.resolve("leaf"))
                .primary(middle.serveAddress()).id("leaf").secretFile(secret)))
        {
            final MemorySegment payload = MemorySegment.ofArray(new byte[PAYLOAD]);
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / RATE;
            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            for (int i = 0; i < total; i++)
            {
                if (i == RATE * warmup)
                {
                    one.recording = true;
                    two.recording = true;
                }
                final long due = start + i * intervalNs;
                LatencyRun.sleepUntil(due);
                dueNs.set(i, due);
                payload.set(ReplicatedRun.LONG_LE, 0, i);
                primary.append(payload);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((one.acknowledged < total || two.acknowledged < total) && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (two.acknowledged < total)
            {
                throw new IllegalStateException("the leaf acknowledged " + two.acknowledged + " of " + total +
                    " entries within 60 s: " + leaf.lastError());
            }
        }
        output.writeHlog("latency-cascade-level1-" + RATE + ".hlog", one.histogram, "one level down");
        output.writeHlog("latency-cascade-level2-" + RATE + ".hlog", two.histogram, "two levels down");
        output.latency("latency.cascade.level1." + RATE + "perSec", one.histogram,
            "latency-cascade-level1-" + RATE + ".hlog", null);
        output.latency("latency.cascade.level2." + RATE + "perSec", two.histogram,
            "latency-cascade-level2-" + RATE + ".hlog", "latency.cascade.level1." + RATE + "perSec");
        output.done(String.format("cascade at %d/s, 64 B, log-only: append->ack one level down p50 %.1f us p99 %.1f us; " +
            "two levels down p50 %.1f us p99 %.1f us; the second level adds p50 %.1f us, p99 %.1f us", RATE,
            micros(one, 50), micros(one, 99), micros(two, 50), micros(two, 99), micros(two, 50) - micros(one, 50),
            micros(two, 99) - micros(one, 99)));
    }

    private static double micros(final Level level, final double percentile)
    {
        return level.histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
