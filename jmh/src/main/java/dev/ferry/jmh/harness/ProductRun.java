package dev.ferry.jmh.harness;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.cli.StatusDocuments;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.codec.Codec;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Replication as users run it: {@code ferry replica} and {@code ferry primary --generate N --size S} as two child
 * JVMs with the command line's defaults (the primary's generator appends as fast as it can, from its main thread), and
 * the yardstick that does not depend on how the 2 cores are shared: CPU time per replicated entry, of each process and
 * each of its threads ({@code /proc}), over the middle of the run (from 20% to 80% of the entries durable on the
 * replica), beside the CPU time of a raw Chronicle append of the same payload on one thread of this JVM, measured just
 * before (into a fresh queue with the WAL's default roll cycle, so both fault in new pages). Also page faults and system calls (with {@code perf}, when it is installed and allowed) per entry,
 * and the replicated entries per second over the same middle of the run.
 */
final class ProductRun
{
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);
    private static final long RUN_LIMIT_NS = TimeUnit.MINUTES.toNanos(5);

    private final BenchOptions options;
    private final BenchOutput output;

    ProductRun(final BenchOptions options, final BenchOutput output)
    {
        this.options = options;
        this.output = output;
    }

    /**
     * One product run for an entry size and codec; results named {@code cpu.*.<size>B[.<codec>]}.
     */
    Figures run(final Path scratch, final int size, final Codec codec) throws Exception
    {
        return run(scratch, size, codec, List.of(), List.of(), "");
    }

    /**
     * What one product run measured.
     *
     * @param cpuNs         CPU nanoseconds per replicated entry, primary and replica summed.
     * @param entriesPerSec replicated entries per second over the same part of the run.
     */
    record Figures(double cpuNs, double entriesPerSec)
    {
    }

    /**
     * One product run with more flags (e.g. {@code --audit-rate 0} on the primary, {@code --state none} on both), its
     * results named with {@code variant} appended ({@code cpu.*.<size>B.<variant>}).
     */
    Figures run(final Path scratch, final int size, final Codec codec, final List<String> primaryFlags,
        final List<String> replicaFlags, final String variant) throws Exception
    {
        final String suffix = size + "B" + (codec == Codec.NONE ? "" : "." + codec.name().toLowerCase(java.util.Locale.ROOT)) +
            (variant.isEmpty() ? "" : "." + variant);
        final long entries = options.productEntries(size);
        final int rawEntries = (int)Math.min(entries, 2_000_000);
        final double rawBeforeNs = rawAppendCpuNs(scratch.resolve("product-raw-" + suffix), size, rawEntries);
        Host.deleteTree(scratch.resolve("product-raw-" + suffix));
        Host.settle(output);
        output.progress("product run, " + suffix + ": ferry replica + ferry primary --generate " + entries);
        final int port = Host.freePort();
        final String address = "127.0.0.1:" + port;
        final String classPath = options.productClassPath == null ? System.getProperty("java.class.path") :
            options.productClassPath;
        final Path secretFile = scratch.resolve("product-secret-" + suffix);
        final Secret secret = Secret.generate(secretFile); // as users run it: with a secret
        try (ChildJvm replica = new ChildJvm(scratch.resolve("product-replica-" + suffix + ".log"), classPath,
                 "dev.ferry.engine.cli.Ferry", concat(List.of("replica", "--wal",
                     scratch.resolve("product-r-" + suffix).toString(), "--primary", address, "--id", "r", "--secret-file",
                     secretFile.toString()), replicaFlags));
             ChildJvm primary = new ChildJvm(scratch.resolve("product-primary-" + suffix + ".log"), classPath,
                 "dev.ferry.engine.cli.Ferry", concat(List.of("primary", "--wal",
                     scratch.resolve("product-p-" + suffix).toString(), "--listen", address, "--generate",
                     Long.toString(entries), "--size", Integer.toString(size), "--codec",
                     codec.name().toLowerCase(java.util.Locale.ROOT), "--secret-file", secretFile.toString()), primaryFlags)))
        {
            final InetSocketAddress status = new InetSocketAddress("127.0.0.1", port);
            final long start = System.nanoTime();
            final long from = awaitDurable(status, secret, entries / 5, primary, replica, start);
            final long fromNs = System.nanoTime();
            final ProcStat p1 = ProcStat.of(primary.pid());
            final ProcStat r1 = ProcStat.of(replica.pid());
            final Syscalls syscalls = Syscalls.start(primary.pid(), replica.pid(), scratch);
            final long to = awaitDurable(status, secret, entries * 4 / 5, primary, replica, start);
            final long toNs = System.nanoTime();
            final long[] calls = syscalls.stop();
            final ProcStat p2 = ProcStat.of(primary.pid());
            final ProcStat r2 = ProcStat.of(replica.pid());
            final double n = to - from;
            primary.kill();
            replica.kill();
            Host.deleteTree(scratch.resolve("product-p-" + suffix)); // gigabytes of page cache the next runs need
            Host.deleteTree(scratch.resolve("product-r-" + suffix));
            Host.settle(output);
            // the raw append again, after: the machine's memory drifts during a run, so the baseline is the mean of both
            final double rawAfterNs = rawAppendCpuNs(scratch.resolve("product-raw-after-" + suffix), size, rawEntries);
            Host.deleteTree(scratch.resolve("product-raw-after-" + suffix));
            final double rawNs = (rawBeforeNs + rawAfterNs) / 2;
            // the JIT compiler threads' time is left out, as the raw append's CPU (one thread's) leaves it out: a start-up
            // cost that a node running for hours does not pay per entry (its own line, below)
            final double primaryJitNs = ProcStat.nanos(p2.jitTicksSince(p1)) / n;
            final double replicaJitNs = ProcStat.nanos(r2.jitTicksSince(r1)) / n;
            final double primaryNs = ProcStat.nanos(p2.cpuTicks() - p1.cpuTicks()) / n - primaryJitNs;
            final double replicaNs = ProcStat.nanos(r2.cpuTicks() - r1.cpuTicks()) / n - replicaJitNs;
            output.time("cpu.rawChronicleAppend." + suffix, rawNs, null);
            output.time("cpu.replicated.primary." + suffix, primaryNs, "cpu.rawChronicleAppend." + suffix);
            output.time("cpu.replicated.replica." + suffix, replicaNs, "cpu.rawChronicleAppend." + suffix);
            output.time("cpu.replicated." + suffix, primaryNs + replicaNs, "cpu.rawChronicleAppend." + suffix);
            output.time("cpu.replicated.jit." + suffix, primaryJitNs + replicaJitNs, null);
            output.throughput("throughput.product." + suffix, n * 1e9 / (toNs - fromNs), null);
            output.done(String.format("CPU per replicated entry, %s, ferry primary + ferry replica with defaults: " +
                    "%.0f + %.0f = %.0f ns, %.2fx a raw Chronicle append's %.0f ns (%.0f before, %.0f after; %d entries " +
                    "measured; JIT compiler threads left out, as from the raw append: %.0f + %.0f ns more)", suffix,
                primaryNs, replicaNs, primaryNs + replicaNs, (primaryNs + replicaNs) / rawNs, rawNs, rawBeforeNs,
                rawAfterNs, (long)n, primaryJitNs, replicaJitNs));
            output.done(String.format("  page faults per entry: primary %.4f, replica %.4f; system calls per entry: %s",
                (p2.faults() - p1.faults()) / n, (r2.faults() - r1.faults()) / n,
                calls == null ? "not measured (perf stat unavailable)" :
                    String.format("primary %.4f, replica %.4f", calls[0] / n, calls[1] / n)));
            output.done("  primary threads (ns/entry): " + perThread(p1, p2, n));
            output.done("  replica threads (ns/entry): " + perThread(r1, r2, n));
            return new Figures(primaryNs + replicaNs, n * 1e9 / (toNs - fromNs));
        }
    }

    private static List<String> concat(final List<String> first, final List<String> more)
    {
        final List<String> all = new ArrayList<>(first);
        all.addAll(more);
        return all;
    }

    private static String perThread(final ProcStat before, final ProcStat after, final double entries)
    {
        final List<Map.Entry<String, Long>> busy = new ArrayList<>();
        for (final Map.Entry<String, Long> thread : after.threads().entrySet())
        {
            final long ticks = thread.getValue() - before.threads().getOrDefault(thread.getKey(), 0L);
            if (ticks > 0)
            {
                busy.add(Map.entry(thread.getKey(), ticks));
            }
        }
        busy.sort(Comparator.comparing(Map.Entry<String, Long>::getValue).reversed());
        final StringBuilder line = new StringBuilder();
        for (final Map.Entry<String, Long> thread : busy)
        {
            line.append(line.isEmpty() ? "" : ", ").append(thread.getKey()).append(' ')
                .append(String.format("%.0f", ProcStat.nanos(thread.getValue()) / entries));
        }
        return line.toString();
    }

    private long awaitDurable(final InetSocketAddress address, final Secret secret, final long target, final ChildJvm primary,
        final ChildJvm replica, final long start) throws IOException
    {
        while (true)
        {
            if (!primary.isAlive() || !replica.isAlive())
            {
                throw new IllegalStateException("a ferry process of the product run ended; see " + primary.log() + " and " +
                    replica.log());
            }
            if (System.nanoTime() - start > RUN_LIMIT_NS)
            {
                throw new IllegalStateException("the product run did not reach " + target + " durable entries in 5 min");
            }
            try
            {
                final PrimaryStatus status = StatusDocuments.read(StatusClient.requestJson(address, STATUS_TIMEOUT, secret));
                if (!status.replicas().isEmpty() && status.replicas().getFirst().durable() >= target)
                {
                    return status.replicas().getFirst().durable();
                }
            }
            catch (final RuntimeException notYet)
            {
                // the primary is not listening yet
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * @return CPU nanoseconds per raw Chronicle append of {@code size} bytes on this thread, into a fresh queue.
     */
    double rawAppendCpuNs(final Path dir, final int size, final int n) throws IOException
    {
        output.progress("raw Chronicle append CPU, " + size + " B");
        Files.createDirectories(dir);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final BytesStore<?, ?> payload = BytesStore.nativeStoreWithFixedCapacity(size);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
             ExcerptAppender appender = queue.createAppender())
        {
            final long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++)
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().write(payload, 0L, (long)size);
                }
            }
            return (threads.getCurrentThreadCpuTime() - start) / (double)n;
        }
        finally
        {
            payload.releaseLast();
        }
    }
}
