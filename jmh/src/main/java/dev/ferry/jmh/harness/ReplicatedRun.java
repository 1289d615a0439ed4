package dev.ferry.jmh.harness;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.idle.IdleStrategy;
import dev.ferry.wal.codec.Codec;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.jmh.harness.BenchOutput.median;
import static dev.ferry.jmh.harness.BenchOutput.trialResult;

/**
 * The replicated runs: a primary in this JVM, {@code --replicas} replica JVMs connected to it, then the fixed-rate
 * latency runs ({@link LatencyRun}) and, per entry size, {@code --trials} throughput trials that alternate with a raw
 * Chronicle append of the same entries.
 */
final class ReplicatedRun
{
    /** How the loaders number their entries: the first 8 bytes of each payload. */
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final BenchOptions options;
    private final BenchOutput output;
    private final Baselines baselines;

    ReplicatedRun(final BenchOptions options, final BenchOutput output, final Baselines baselines)
    {
        this.options = options;
        this.output = output;
        this.baselines = baselines;
    }

    void run(final Path scratch, final Codec chosenCodec, final IdleStrategy waitIdle) throws Exception
    {
        final Path secretFile = scratch.resolve("secret");
        Secret.generate(secretFile);
        final PrimaryConfig config = new PrimaryConfig()
            .walDirectory(scratch.resolve("primary"))
            .secretFile(secretFile)
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .codec(chosenCodec)
            .idleStrategy(options.idle);
        config.wal().rollCycle(LargeRollCycles.LARGE_DAILY).singleWriter(true); // this thread appends, then closes
        final List<ChildJvm> children = new ArrayList<>();
        final AckLatency acks = new AckLatency(options.replicas);
        config.ackListener(acks);
        try (Primary primary = Primary.open(config))
        {
            final String address = Endpoint.format(primary.localAddress());
            final List<String> ids = new ArrayList<>();
            for (int r = 1; r <= options.replicas; r++)
            {
                final String id = "bench-r" + r;
                ids.add(id);
                children.add(new ChildJvm(scratch.resolve(id + ".log"), "dev.ferry.engine.cli.Ferry",
                    List.of("replica", "--wal", scratch.resolve(id).toString(), "--primary", address, "--id", id, "--idle",
                        options.idle, "--sync", options.replicaSync, "--secret-file", secretFile.toString(),
                        "--state", "none"))); // the harness appends raw entries
            }
            output.progress("waiting for " + options.replicas + " replica JVM(s) to connect");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (connected(primary, ids) < options.replicas)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("replicas did not connect within 60 s; see logs in " + scratch);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            final List<ReplicaSlot> slots = new ArrayList<>();
            for (final String id : ids)
            {
                slots.add(primary.slot(id));
            }
            // compile the replication path first: a 10k/s warm-up sends too few entries for C2, which then compiled
            // during the measured run and took whole scheduler slices (~8 ms) from Ferry's threads on 2 cores
            replicatedThroughput(primary, slots, options.latencySize, waitIdle, Math.max(1, options.entries / 4));
            Host.settle(output);
            // latency first, on a quiet page cache; the throughput runs leave gigabytes of dirty pages behind
            final LatencyRun latency = new LatencyRun(options, output, primary, acks);
            for (final int rate : options.rates)
            {
                latency.fixedRate(rate, options.warmupSeconds, null);
                latency.fixedRate(rate, options.durationSeconds, "latency-" + rate + ".hlog");
            }
            for (final int size : options.sizes)
            {
                throughputTrials(scratch, primary, slots, size, waitIdle);
            }
        }
        finally
        {
            for (final ChildJvm child : children)
            {
                child.close();
            }
        }
    }

    private static int connected(final Primary primary, final List<String> ids)
    {
        int n = 0;
        for (final String id : ids)
        {
            final ReplicaSlot slot = primary.slot(id);
            if (slot != null && slot.state() == SlotState.STREAMING)
            {
                n++;
            }
        }
        return n;
    }

    private static long min(final List<ReplicaSlot> slots, final AckLevel level)
    {
        long min = Long.MAX_VALUE;
        for (final ReplicaSlot slot : slots)
        {
            min = Math.min(min, slot.next(level));
        }
        return min;
    }

    /**
     * Raw Chronicle append and replicated throughput for one entry size: a warm-up of each, then
     * {@link BenchOptions#trials} alternating pairs (raw, then replicated, each after a {@link Host#settle}). The
     * medians are reported, with every trial and the median of the per-pair ratios beside them.
     */
    private void throughputTrials(final Path scratch, final Primary primary, final List<ReplicaSlot> slots,
        final int size, final IdleStrategy waitIdle) throws IOException
    {
        final int trials = options.trials;
        final int warmup = Math.max(1, options.entries / 4);
        Host.settle(output);
        baselines.rawChronicle(scratch.resolve("raw-warmup-" + size), size, warmup); // JIT and file system warm-up
        replicatedThroughput(primary, slots, size, waitIdle, warmup);
        final double[] append = new double[trials];
        final double[] tail = new double[trials];
        final double[] replicated = new double[trials];
        final double[] appendOnly = new double[trials];
        final double[] durable = new double[trials];
        final double[] ratios = new double[trials];
        for (int t = 0; t < trials; t++)
        {
            Host.settle(output);
            // kept until every trial ran: deleting it would hand the next raw run memory freed a moment before,
            // which faults in several times faster than the new memory the replicated run's WALs take
            final double[] raw = baselines.rawChronicle(rawTrialDir(scratch, size, t), size, options.entries);
            append[t] = raw[0];
            tail[t] = raw[1];
            Host.settle(output);
            final double[] rep = replicatedThroughput(primary, slots, size, waitIdle, options.entries);
            replicated[t] = rep[0];
            appendOnly[t] = rep[1];
            durable[t] = rep[2];
            ratios[t] = replicated[t] / append[t];
            output.done(String.format("trial %d/%d, %d B: raw Chronicle append %.0f/s, tail %.0f/s; replicated %.0f/s acked by "
                + "%d replica(s) (appends alone %.0f/s): %.2fx%s", t + 1, trials, size, append[t], tail[t], replicated[t],
                slots.size(), appendOnly[t], ratios[t],
                options.replicasSync() ? String.format("; durable on every replica %.0f/s", durable[t]) : ""));
        }
        for (int t = 0; t < trials; t++)
        {
            Host.deleteTree(rawTrialDir(scratch, size, t));
        }
        trialResult(output.throughput("throughput.rawChronicleAppend." + size + "B",
            median(append), null), append);
        trialResult(output.throughput("throughput.rawChronicleTail." + size + "B",
            median(tail), null), tail);
        final Map<String, Object> result = trialResult(output.throughput("throughput.replicated." + size + "B",
            median(replicated), "throughput.rawChronicleAppend." + size + "B"), replicated);
        result.put("appendOnlyPerSec", median(appendOnly));
        result.put("pairedRatioMedian", median(ratios));
        if (options.replicasSync())
        {
            trialResult(output.throughput("throughput.replicatedDurable." + size + "B", median(durable),
                "throughput.replicated." + size + "B"), durable);
        }
        output.done(String.format("replicated %d B, median of %d: %.0f entries/s, %.2fx raw append (median of the pairs %.2fx)",
            size, trials, median(replicated), median(replicated) / median(append),
            median(ratios)));
    }

    private static Path rawTrialDir(final Path scratch, final int size, final int trial)
    {
        return scratch.resolve("raw-" + size + "-" + trial);
    }

    /**
     * @return entries per second from the first append until every replica received the last, of the appends
     *         alone, and until every replica had the last durable (0 if they do not sync).
     */
    private double[] replicatedThroughput(final Primary primary, final List<ReplicaSlot> slots, final int size,
        final IdleStrategy waitIdle, final int n)
    {
        output.progress("replicated throughput, " + size + " B");
        final MemorySegment payload = MemorySegment.ofArray(new byte[size]);
        final long start = System.nanoTime();
        long last = -1;
        for (int i = 0; i < n; i++)
        {
            payload.set(LONG_LE, 0, i);
            last = primary.append(payload);
        }
        final long appended = System.nanoTime();
        waitIdle.reset();
        while (min(slots, AckLevel.RECEIVED) <= last)
        {
            waitIdle.idle(0);
        }
        final long end = System.nanoTime();
        if (!options.replicasSync())
        {
            return new double[] {n / ((end - start) / 1e9), n / ((appended - start) / 1e9), 0};
        }
        waitIdle.reset();
        while (min(slots, AckLevel.DURABLE) <= last)
        {
            waitIdle.idle(0);
        }
        final long durable = System.nanoTime();
        return new double[] {n / ((end - start) / 1e9), n / ((appended - start) / 1e9), n / ((durable - start) / 1e9)};
    }
}
