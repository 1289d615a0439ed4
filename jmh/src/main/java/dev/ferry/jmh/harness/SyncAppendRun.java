package dev.ferry.jmh.harness;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.TimerSlack;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * What synchronous replication costs the appending thread: {@code Primary.append} latency at {@value #RATE} entries/s,
 * asynchronous and then with {@code syncReplicas(1)} at RECEIVED, DURABLE and APPLIED, in one run against one replica
 * JVM that applies key-value entries (so APPLIED means applied). Each append is timed from its intended send time on
 * the fixed-rate schedule, from {@value #LOADERS} threads (coordinated omission corrected: a synchronous append that
 * makes its thread's next one late is charged for it), and also from its actual start (its service time). Sync settings are fixed when a primary opens:
 * each mode reopens the primary on the same WAL and port, and the replica reconnects and resumes, as after a restart.
 */
final class SyncAppendRun
{
    /** The rate: entries per second. */
    static final int RATE = 10_000;
    /**
     * Appending threads, each at {@code RATE / LOADERS}: a synchronous append waits a round trip to the replica (more
     * than the 100 µs between two entries at 10k/s on a 2-core machine), so one thread alone could not offer the rate;
     * several, as the request threads of a server would, can: the sender batches what they append meanwhile.
     */
    static final int LOADERS = 8;
    /** Unrecorded appends after each reopening, once the replica streams again (JIT, caches, the new session). */
    private static final long SETTLE_NS = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(60);

    private final BenchOptions options;
    private final BenchOutput output;

    SyncAppendRun(final BenchOptions options, final BenchOutput output)
    {
        this.options = options;
        this.output = output;
    }

    /** One way of appending: asynchronous (level null), or waiting for one replica at a level. */
    private record Mode(String name, AckLevel level)
    {
        String metric()
        {
            return "latency.append." + name + "." + RATE + "perSec";
        }
    }

    void run(final Path scratch) throws Exception
    {
        final Path secretFile = scratch.resolve("sync-secret");
        Secret.generate(secretFile);
        final List<Mode> modes = options.replicasSync() ?
            List.of(new Mode("async", null), new Mode("syncReceived", AckLevel.RECEIVED),
                new Mode("syncDurable", AckLevel.DURABLE), new Mode("syncApplied", AckLevel.APPLIED)) :
            List.of(new Mode("async", null), new Mode("syncReceived", AckLevel.RECEIVED),
                new Mode("syncApplied", AckLevel.APPLIED)); // replicas without sync never acknowledge DURABLE
        final MemorySegment entry = new KvEntryWriter(64 + options.latencySize).put(0, MemorySegment.ofArray(
            "sync-bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
            MemorySegment.ofArray(new byte[options.latencySize]), 0).entry();
        final long measureSeconds = options.quick ? 2 : options.durationSeconds;
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        ChildJvm replica = null;
        try
        {
            boolean first = true;
            for (final Mode mode : modes)
            {
                final PrimaryConfig config = new PrimaryConfig()
                    .walDirectory(scratch.resolve("sync-primary"))
                    .secretFile(secretFile)
                    .listen(listen)
                    .idleStrategy(options.idle)
                    .syncReplicas(mode.level() == null ? 0 : 1)
                    .syncLevel(mode.level());
                try (Primary primary = Primary.open(config))
                {
                    listen = primary.localAddress(); // the next mode reopens on this port: the replica reconnects
                    if (replica == null)
                    {
                        replica = new ChildJvm(scratch.resolve("sync-r1.log"), "dev.ferry.engine.cli.Ferry",
                            List.of("replica", "--wal", scratch.resolve("sync-r1").toString(), "--primary",
                                Endpoint.format(listen), "--id", "sync-r1", "--idle", options.idle, "--sync",
                                options.replicaSync, "--secret-file", secretFile.toString(), "--state", "kv"));
                    }
                    awaitStreaming(primary, replica, scratch);
                    // the first mode warms up the replica JVM too; later ones only settle after the reconnection
                    load(primary, entry, first ? TimeUnit.SECONDS.toNanos(options.warmupSeconds) : SETTLE_NS, null);
                    first = false;
                    load(primary, entry, TimeUnit.SECONDS.toNanos(measureSeconds), mode);
                }
            }
        }
        finally
        {
            if (replica != null)
            {
                replica.close();
            }
        }
    }

    private void awaitStreaming(final Primary primary, final ChildJvm replica, final Path scratch)
    {
        output.progress("sync append: waiting for the replica to stream from the reopened primary");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final ReplicaSlot slot = primary.slot("sync-r1");
            if (slot != null && slot.state() == SlotState.STREAMING && slot.receivedOffset() == primary.nextOffset())
            {
                return;
            }
            if (!replica.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the sync-append replica did not stream within 60 s; see " +
                    scratch.resolve("sync-r1.log"));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Append at {@link #RATE} for {@code durationNs} from {@link #LOADERS} threads; with a mode, record and report each
     * append's latency.
     */
    private void load(final Primary primary, final MemorySegment entry, final long durationNs, final Mode mode)
        throws IOException, InterruptedException
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / RATE;
        final long perLoader = Math.max(1, durationNs / intervalNs / LOADERS);
        final Histogram[] latency = new Histogram[LOADERS];
        final Histogram[] service = new Histogram[LOADERS];
        final AtomicLong timeouts = new AtomicLong();
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        output.progress("sync append: " + (mode == null ? "warm-up" : mode.name()) + " at " + RATE + "/s");
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        final Thread[] loaders = new Thread[LOADERS];
        for (int t = 0; t < LOADERS; t++)
        {
            final int loader = t;
            latency[t] = new Histogram(MAX_NS, 3);
            service[t] = new Histogram(MAX_NS, 3);
            loaders[t] = Thread.ofPlatform().name("bench-sync-append-" + t).start(() ->
            {
                TimerSlack.set(TimerSlack.FERRY_THREADS_NS); // the pacing parks are microseconds: keep them so
                // entry i of loader t is due at slot i * LOADERS + t: together, one entry every intervalNs
                for (long i = 0; i < perLoader && failed.get() == null; i++)
                {
                    final long due = start + (i * LOADERS + loader) * intervalNs;
                    final long began = LatencyRun.sleepUntil(due);
                    try
                    {
                        primary.append(entry);
                    }
                    catch (final FerryException ex)
                    {
                        if (ex.code() != ErrorCode.TIMEOUT)
                        {
                            failed.compareAndSet(null, ex);
                        }
                        timeouts.incrementAndGet(); // recorded all the same: the wait was the append's
                    }
                    final long end = System.nanoTime();
                    latency[loader].recordValue(Math.min(end - due, MAX_NS));
                    service[loader].recordValue(Math.min(end - began, MAX_NS));
                }
            });
        }
        for (final Thread loader : loaders)
        {
            loader.join();
        }
        if (failed.get() != null)
        {
            throw new IllegalStateException("a synchronous append failed", failed.get());
        }
        if (mode != null)
        {
            for (int t = 1; t < LOADERS; t++)
            {
                latency[0].add(latency[t]);
                service[0].add(service[t]);
            }
            report(mode, latency[0], service[0], timeouts.get());
        }
    }

    private void report(final Mode mode, final Histogram latency, final Histogram service, final long timeouts)
        throws IOException
    {
        final String hlog = "sync-append-" + mode.name().toLowerCase(Locale.ROOT) + "-" + RATE + ".hlog";
        output.writeHlog(hlog, latency, "Primary.append latency (ns) from intended send time, " + mode.name() + ", " +
            RATE + " entries/s from " + LOADERS + " threads, " + options.latencySize + " B key-value PUTs, 1 replica " +
            "(kv, sync " + options.replicaSync + "), idle " + options.idle);
        final Map<String, Object> result = output.latency(mode.metric(), latency, hlog,
            mode.level() == null ? null : "latency.append.async." + RATE + "perSec");
        result.put("serviceP50Us", service.getValueAtPercentile(50) / 1e3);
        result.put("serviceP99Us", service.getValueAtPercentile(99) / 1e3);
        result.put("loaders", LOADERS);
        result.put("timeouts", timeouts);
        output.done(String.format("append at %d/s from %d threads, %s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, " +
            "max %.1f us (service time p50 %.1f us, p99 %.1f us)%s", RATE, LOADERS, mode.name(),
            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
            latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3, service.getValueAtPercentile(50) / 1e3,
            service.getValueAtPercentile(99) / 1e3, timeouts == 0 ? "" : "; " + timeouts + " TIMEOUT"));
    }
}
