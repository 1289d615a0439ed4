package dev.ferry.jmh.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.net.Endpoint;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.net.idle.IdleStrategy;
import dev.ferry.wal.TimerSlack;
import dev.ferry.wal.codec.Codec;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ferry bench}: the end-to-end harness. The primary runs in this JVM, each replica in its own child JVM
 * ({@code ferry replica}), all on loopback. Measures, in one run:
 * <ul>
 *   <li>{@code Wal.append} against a raw Chronicle append of the same payload, in alternating rounds;</li>
 *   <li>baselines: raw Chronicle Queue append and tail of the same payloads; raw NIO loopback ping-pong (64 B round
 *       trips) and bulk transfer, between two JVMs;</li>
 *   <li>maximum replicated throughput per entry size: entries appended as fast as one thread can, until every
 *       replica acknowledged the last; in {@code --trials} pairs alternating with the raw append baseline, medians
 *       reported;</li>
 *   <li>append-to-ack latency at fixed rates, from each entry's intended send time (so a stalled loader cannot hide
 *       latency: coordinated omission corrected), written as HdrHistogram interval logs.</li>
 * </ul>
 * Threads: the loader (this thread) paces with short parks and spins below 20 µs; the ack recorder polls with the
 * chosen idle strategy; the primary's sender and each replica's receiver use it too. On 2 cores, {@code busy-spin}
 * starves everything else: prefer {@code backoff} or {@code yield}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"End-to-end harness: primary here, replicas in child JVMs on loopback; throughput and append->ack",
        "latency at fixed rates beside same-run baselines. Writes summary.json and .hlog files to --out."})
public final class Bench implements Callable<Integer>
{
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Option(names = "--sizes", split = ",", defaultValue = "64,1024", description = "Entry sizes for throughput (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--rates", split = ",", defaultValue = "10000,100000,1000000",
        description = "Fixed rates (entries/s) for latency (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--latency-size", defaultValue = "64", description = "Entry size for latency runs (default: ${DEFAULT-VALUE}).")
    int latencySize;

    @Option(names = "--replicas", defaultValue = "1", description = "Replica JVMs (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--codec", defaultValue = "none", description = "none, snappy or zstd (default: ${DEFAULT-VALUE}).")
    String codec;

    @Option(names = "--idle", defaultValue = "backoff", description = "Idle strategy of every thread that waits: backoff, yield, park, busy-spin.")
    String idle;

    @Option(names = "--duration", defaultValue = "5", description = "Seconds per latency run (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Unrecorded seconds before each latency run (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--entries", defaultValue = "2000000", description = "Entries per throughput run (default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(names = "--trials", defaultValue = "3", description = {"Throughput trials per entry size, each a raw "
        + "Chronicle append run then a replicated run; medians are reported (default: ${DEFAULT-VALUE}).",
        "Alternating the two keeps a slow spell of a shared machine from landing on one side of the ratio only."})
    int trials;

    @Option(names = "--append-pause-ms", defaultValue = "0", description = {"Pause after each run of the alternating "
        + "WAL append rounds (default: ${DEFAULT-VALUE}).", "A few seconds (e.g. 4000) measures appends into memory "
        + "a VM's balloon has handed back to the host."})
    long appendPauseMs;

    @Option(names = "--quick", description = "The CI profile: 64 and 1024 B, rates 10k and 100k, 3 s runs after 2 s warm-up, 500k entries.")
    boolean quick;

    @Option(names = "--out", defaultValue = "jmh/target/bench", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--dir", description = {"Where the WALs go (default: the system temp directory).",
        "A tmpfs such as /dev/shm takes the disk's page-cache write-back out of the figures."})
    Path dir;

    private static String commandLine = "";
    private final PrintStream console = System.out;
    private final List<Map<String, Object>> results = new ArrayList<>();

    /**
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        commandLine = String.join(" ", args);
        final CommandLine cli = new CommandLine(new Bench());
        cli.setParameterExceptionHandler((ex, a) ->
        {
            ex.getCommandLine().getErr().println("bench: " + ex.getMessage() + " (see 'ferry bench --help')");
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        if (quick)
        {
            rates = List.of(10_000, 100_000);
            durationSeconds = 3;
            warmupSeconds = 2;
            entries = 500_000;
        }
        if (replicas < 1 || durationSeconds < 1 || warmupSeconds < 0 || entries < 1 || latencySize < 8 || trials < 1 ||
            appendPauseMs < 0)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "need --replicas >= 1, --duration >= 1, --warmup >= 0, --entries >= 1, --latency-size >= 8, --trials >= 1, --append-pause-ms >= 0");
        }
        final Codec chosenCodec = Codec.parse(codec);
        final IdleStrategy waitIdle = IdleStrategies.parse(idle);
        Files.createDirectories(out);
        final Path scratch = dir == null ? Files.createTempDirectory("ferry-bench") : Files.createTempDirectory(
            Files.createDirectories(dir), "ferry-bench");
        final long started = System.currentTimeMillis();
        try
        {
            appendPairs(scratch);
            wireBaselines(scratch);
            settle();
            replicated(scratch, chosenCodec, waitIdle);
        }
        finally
        {
            deleteTree(scratch);
        }
        writeSummary(started);
        return 0;
    }

    private void progress(final String line)
    {
        console.print("\r[bench] " + line + "                    ");
        console.flush();
    }

    private void done(final String line)
    {
        console.print("\r[bench] " + line + "                    \n");
        console.flush();
    }

    /**
     * @return entries per second appended and then tailed, into a fresh queue in {@code dir}.
     */
    private double[] rawChronicle(final Path dir, final int size, final int n) throws IOException
    {
        progress("raw Chronicle append/tail, " + size + " B");
        final BytesStore<?, ?> payload = BytesStore.nativeStoreWithFixedCapacity(size);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(LargeRollCycles.LARGE_DAILY).build();
             ExcerptAppender appender = queue.createAppender();
             ExcerptTailer tailer = queue.createTailer())
        {
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().write(payload, 0L, (long)size);
                }
            }
            final long appendNs = System.nanoTime() - start;
            long read = 0;
            final long tailStart = System.nanoTime();
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    read += bytes.readByte(bytes.readPosition());
                }
            }
            final long tailNs = System.nanoTime() - tailStart;
            if (read != 0)
            {
                throw new IllegalStateException("the raw tail read back bytes that were never written");
            }
            return new double[] {n / (appendNs / 1e9), n / (tailNs / 1e9)};
        }
        finally
        {
            payload.releaseLast();
        }
    }

    /**
     * {@code Wal.append} against a raw Chronicle append in alternating rounds ({@link AppendPairs}): the per-entry
     * cost of the WAL measured without the drift between two JMH benchmarks run one after the other.
     */
    private void appendPairs(final Path scratch) throws IOException
    {
        for (final int size : sizes)
        {
            settle();
            progress("WAL append against raw Chronicle append, alternating rounds, " + size + " B");
            final int appendsPerRound = Math.max(10_000, (32 << 20) / (size + 24)); // ~32 MiB a round
            final AppendPairs pairs = new AppendPairs(size, quick ? 11 : 21, appendsPerRound, appendPauseMs).run(scratch);
            final String raw = "throughput.pairedRawChronicleAppend." + size + "B";
            throughput(raw, 1e9 / pairs.ns(AppendPairs.Variant.RAW), null);
            paired(pairs, AppendPairs.Variant.FERRY, "throughput.pairedWalAppend." + size + "B", raw);
            paired(pairs, AppendPairs.Variant.FERRY_READ_AROUND, "throughput.pairedWalAppendReadAround." + size + "B", raw);
            paired(pairs, AppendPairs.Variant.FERRY_SINGLE_WRITER, "throughput.pairedWalAppendSingleWriter." + size + "B",
                raw);
            done(String.format("WAL append %d B: %.0f ns (%.2fx raw, median of the rounds' ratios), single-writer %.0f ns "
                + "(%.2fx), with read-around %.0f ns (%.2fx); raw Chronicle %.0f ns", size,
                pairs.ns(AppendPairs.Variant.FERRY), pairs.ratio(AppendPairs.Variant.FERRY),
                pairs.ns(AppendPairs.Variant.FERRY_SINGLE_WRITER), pairs.ratio(AppendPairs.Variant.FERRY_SINGLE_WRITER),
                pairs.ns(AppendPairs.Variant.FERRY_READ_AROUND), pairs.ratio(AppendPairs.Variant.FERRY_READ_AROUND),
                pairs.ns(AppendPairs.Variant.RAW)));
        }
    }

    private void paired(final AppendPairs pairs, final AppendPairs.Variant variant, final String metric, final String raw)
    {
        throughput(metric, 1e9 / pairs.ns(variant), raw).put("pairedRatioMedian", pairs.ratio(variant));
    }

    private void wireBaselines(final Path scratch) throws IOException, InterruptedException
    {
        progress("NIO loopback ping-pong and bulk");
        final int port = freePort();
        try (ChildJvm echo = new ChildJvm(scratch.resolve("echo.log"), PingPong.class.getName(), List.of(String.valueOf(port))))
        {
            awaitLog(echo, "ready", Duration.ofSeconds(30));
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            final int roundTrips = quick ? 20_000 : 100_000;
            final Histogram rtt = PingPong.roundTrips(address, 64, roundTrips, roundTrips / 5);
            writeHlog("pingpong.hlog", rtt, "loopback ping-pong 64 B, ns");
            latency("latency.loopbackPingPong", rtt, "pingpong.hlog", null);
            final double bulk = PingPong.bulkBytesPerSecond(address, TimeUnit.SECONDS.toNanos(quick ? 1 : 3));
            final Map<String, Object> result = throughput("throughput.loopbackBulk", bulk, null);
            result.put("unit", "bytes/s");
            done(String.format("NIO loopback: ping-pong 64 B p50 %.1f us p99 %.1f us; bulk %.0f MB/s",
                rtt.getValueAtPercentile(50) / 1e3, rtt.getValueAtPercentile(99) / 1e3, bulk / 1e6));
        }
    }

    private void replicated(final Path scratch, final Codec chosenCodec, final IdleStrategy waitIdle) throws Exception
    {
        final PrimaryConfig config = new PrimaryConfig()
            .walDirectory(scratch.resolve("primary"))
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .codec(chosenCodec)
            .idleStrategy(idle);
        config.wal().rollCycle(LargeRollCycles.LARGE_DAILY).singleWriter(true); // this thread appends, then closes
        final List<ChildJvm> children = new ArrayList<>();
        final AckLatency acks = new AckLatency(replicas);
        config.ackListener(acks);
        try (Primary primary = Primary.open(config))
        {
            final String address = Endpoint.format(primary.localAddress());
            final List<String> ids = new ArrayList<>();
            for (int r = 1; r <= replicas; r++)
            {
                final String id = "bench-r" + r;
                ids.add(id);
                children.add(new ChildJvm(scratch.resolve(id + ".log"), "dev.ferry.engine.cli.Ferry",
                    List.of("replica", "--wal", scratch.resolve(id).toString(), "--primary", address, "--id", id, "--idle", idle)));
            }
            progress("waiting for " + replicas + " replica JVM(s) to connect");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (connected(primary, ids) < replicas)
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
            replicatedThroughput(primary, slots, latencySize, waitIdle, Math.max(1, entries / 4));
            settle();
            // latency first, on a quiet page cache; the throughput runs leave gigabytes of dirty pages behind
            for (final int rate : rates)
            {
                fixedRate(primary, acks, rate, warmupSeconds, null);
                fixedRate(primary, acks, rate, durationSeconds, "latency-" + rate + ".hlog");
            }
            for (final int size : sizes)
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

    private static long minReceived(final List<ReplicaSlot> slots)
    {
        long min = Long.MAX_VALUE;
        for (final ReplicaSlot slot : slots)
        {
            min = Math.min(min, slot.receivedOffset());
        }
        return min;
    }

    /**
     * Raw Chronicle append and replicated throughput for one entry size: a warm-up of each, then {@link #trials}
     * alternating pairs (raw, then replicated, each after a {@link #settle()}). The medians are reported, with every
     * trial and the median of the per-pair ratios beside them.
     */
    private void throughputTrials(final Path scratch, final Primary primary, final List<ReplicaSlot> slots,
        final int size, final IdleStrategy waitIdle) throws IOException
    {
        final int warmup = Math.max(1, entries / 4);
        settle();
        rawChronicle(scratch.resolve("raw-warmup-" + size), size, warmup); // JIT and file system warm-up
        replicatedThroughput(primary, slots, size, waitIdle, warmup);
        final double[] append = new double[trials];
        final double[] tail = new double[trials];
        final double[] replicated = new double[trials];
        final double[] appendOnly = new double[trials];
        final double[] ratios = new double[trials];
        for (int t = 0; t < trials; t++)
        {
            settle();
            // kept until every trial ran: deleting it would hand the next raw run memory freed a moment before,
            // which faults in several times faster than the new memory the replicated run's WALs take
            final double[] raw = rawChronicle(rawTrialDir(scratch, size, t), size, entries);
            append[t] = raw[0];
            tail[t] = raw[1];
            settle();
            final double[] rep = replicatedThroughput(primary, slots, size, waitIdle, entries);
            replicated[t] = rep[0];
            appendOnly[t] = rep[1];
            ratios[t] = replicated[t] / append[t];
            done(String.format("trial %d/%d, %d B: raw Chronicle append %.0f/s, tail %.0f/s; replicated %.0f/s acked by "
                + "%d replica(s) (appends alone %.0f/s): %.2fx", t + 1, trials, size, append[t], tail[t], replicated[t],
                slots.size(), appendOnly[t], ratios[t]));
        }
        for (int t = 0; t < trials; t++)
        {
            deleteTree(rawTrialDir(scratch, size, t));
        }
        trialResult(throughput("throughput.rawChronicleAppend." + size + "B", median(append), null), append);
        trialResult(throughput("throughput.rawChronicleTail." + size + "B", median(tail), null), tail);
        final Map<String, Object> result = trialResult(throughput("throughput.replicated." + size + "B",
            median(replicated), "throughput.rawChronicleAppend." + size + "B"), replicated);
        result.put("appendOnlyPerSec", median(appendOnly));
        result.put("pairedRatioMedian", median(ratios));
        done(String.format("replicated %d B, median of %d: %.0f entries/s, %.2fx raw append (median of the pairs %.2fx)",
            size, trials, median(replicated), median(replicated) / median(append), median(ratios)));
    }

    private static Path rawTrialDir(final Path scratch, final int size, final int trial)
    {
        return scratch.resolve("raw-" + size + "-" + trial);
    }

    /**
     * @return entries per second from the first append until every replica received the last, and of the appends
     *         alone.
     */
    private double[] replicatedThroughput(final Primary primary, final List<ReplicaSlot> slots, final int size,
        final IdleStrategy waitIdle, final int n)
    {
        progress("replicated throughput, " + size + " B");
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
        while (minReceived(slots) <= last)
        {
            waitIdle.idle(0);
        }
        final long end = System.nanoTime();
        return new double[] {n / ((end - start) / 1e9), n / ((appended - start) / 1e9)};
    }

    private static Map<String, Object> trialResult(final Map<String, Object> result, final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        result.put("error", (sorted[sorted.length - 1] - sorted[0]) / 2); // half the spread of the trials
        result.put("trials", Arrays.stream(values).boxed().toList());
        return result;
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The shortest sleep the fixed-rate loader takes between appends. */
    private static final long LOADER_MIN_SLEEP_NS = 50_000;

    private void fixedRate(final Primary primary, final AckLatency acks, final int rate, final int seconds,
        final String hlog) throws IOException, InterruptedException
    {
        final String label = (hlog == null ? "warm-up " : "latency ") + rate + "/s";
        TimerSlack.set(TimerSlack.FERRY_THREADS_NS); // the pacing parks are microseconds: keep them that precise
        final long count = (long)rate * seconds;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final MemorySegment payload = MemorySegment.ofArray(new byte[latencySize]);
        final long base = primary.nextOffset();
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        final Recorder recorder = acks.arm(base, count, start, intervalNs);
        final Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final AtomicLong lateNs = new AtomicLong();
        final AtomicLong appendNs = new AtomicLong();
        final long[] worstLateNs = {0};
        final long[] worstAppendNs = {0};
        try (PrintStream log = hlog == null ? null : new PrintStream(out.resolve(hlog).toFile(), "UTF-8"))
        {
            final HistogramLogWriter writer = log == null ? null : new HistogramLogWriter(log);
            final long startMs = System.currentTimeMillis();
            if (writer != null)
            {
                writer.outputComment("ferry bench: append->ack latency (ns) from intended send time, " + rate +
                    " entries/s of " + latencySize + " B, " + replicas + " replica(s), idle " + idle);
                writer.outputLogFormatVersion();
                writer.outputStartTime(startMs);
                writer.setBaseTime(startMs);
                writer.outputLegend();
            }
            // interval logging runs on its own thread: encoding a histogram takes milliseconds, and on the loader
            // it would stall the schedule (and show up, CO-corrected, as latency that Ferry did not cause)
            final Histogram[] interval = {null};
            final java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
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
                        progress(String.format("%s: %d/%d s, acked %d, p99 so far %.1f us (this second: loader late " +
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
            final Map<String, Object> result = latency("latency.appendToAck." + rate + "perSec", total, hlog,
                "latency.loopbackPingPong");
            result.put("loaderMaxLateUs", Math.max(worstLateNs[0], lateNs.get()) / 1e3);
            result.put("slowestAppendUs", Math.max(worstAppendNs[0], appendNs.get()) / 1e3);
            done(String.format("append->ack at %d/s (%d B): p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us", rate,
                latencySize, total.getValueAtPercentile(50) / 1e3, total.getValueAtPercentile(99) / 1e3,
                total.getValueAtPercentile(99.9) / 1e3, total.getMaxValue() / 1e3));
        }
    }

    private Map<String, Object> throughput(final String name, final double value, final String baseline)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        result.put("kind", "throughput");
        result.put("unit", "entries/s");
        result.put("value", value);
        result.put("error", 0.0);
        if (baseline != null)
        {
            result.put("baseline", baseline);
        }
        results.add(result);
        return result;
    }

    private Map<String, Object> latency(final String name, final Histogram histogram, final String hlog,
        final String baseline)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        result.put("kind", "latency");
        result.put("unit", "us");
        result.put("hlog", hlog);
        if (baseline != null)
        {
            result.put("baseline", baseline);
        }
        final Map<String, Double> percentiles = new LinkedHashMap<>();
        for (final double p : new double[] {50, 90, 99, 99.9, 99.99})
        {
            percentiles.put(p == Math.rint(p) ? String.valueOf((int)p) : String.valueOf(p), histogram.getValueAtPercentile(p) / 1e3);
        }
        percentiles.put("max", histogram.getMaxValue() / 1e3);
        result.put("percentiles", percentiles);
        result.put("count", histogram.getTotalCount());
        results.add(result);
        return result;
    }

    private void writeHlog(final String file, final Histogram histogram, final String comment) throws IOException
    {
        try (PrintStream log = new PrintStream(out.resolve(file).toFile(), "UTF-8"))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            final long now = System.currentTimeMillis();
            writer.outputComment("ferry bench: " + comment);
            writer.outputLogFormatVersion();
            writer.outputStartTime(now);
            writer.setBaseTime(now);
            writer.outputLegend();
            histogram.setStartTimeStamp(now);
            histogram.setEndTimeStamp(now);
            writer.outputIntervalHistogram(histogram);
        }
    }

    private void writeSummary(final long startedMs) throws IOException
    {
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("kind", "ferry-bench");
        summary.put("version", 1);
        summary.put("startedAt", Instant.ofEpochMilli(startedMs).toString());
        summary.put("command", ("./ferry bench " + commandLine).trim());
        final Map<String, Object> host = new LinkedHashMap<>();
        host.put("cores", Runtime.getRuntime().availableProcessors());
        host.put("java", System.getProperty("java.version"));
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        summary.put("host", host);
        final Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("replicas", replicas);
        cfg.put("codec", codec.toLowerCase(Locale.ROOT));
        cfg.put("idle", idle);
        cfg.put("durationSeconds", durationSeconds);
        cfg.put("warmupSeconds", warmupSeconds);
        cfg.put("entrySizes", sizes);
        cfg.put("rates", rates);
        cfg.put("latencySize", latencySize);
        cfg.put("entries", entries);
        cfg.put("quick", quick);
        cfg.put("dir", dir == null ? System.getProperty("java.io.tmpdir") : dir.toString());
        summary.put("config", cfg);
        summary.put("results", results);
        final Path file = out.resolve("summary.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
        console.println("[bench] wrote " + file.toAbsolutePath() + " and .hlog files beside it");
    }

    /**
     * Let the kernel write back the dirty pages of earlier runs ({@code sync}), so one run's write-back does not
     * throttle the next run's page faults. Best effort: skipped where there is no {@code sync} command.
     */
    private void settle()
    {
        progress("sync (writing back dirty pages of earlier runs)");
        try
        {
            new ProcessBuilder("sync").inheritIO().start().waitFor(120, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            console.println();
            console.println("[bench] no sync command: runs may disturb each other through page-cache write-back");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private static void awaitLog(final ChildJvm child, final String text, final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(child.log()) || !Files.readString(child.log()).contains(text))
        {
            if (!child.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("child JVM did not print '" + text + "'; see " + child.log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        try (var paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
