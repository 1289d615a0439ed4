package dev.ferry.jmh.harness;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The same-run baselines Ferry's figures are compared with: a raw Chronicle append and tail of the same payloads,
 * {@code Wal.append} against a raw Chronicle append in alternating rounds, and raw NIO loopback between two JVMs.
 */
final class Baselines
{
    private final BenchOptions options;
    private final BenchOutput output;

    Baselines(final BenchOptions options, final BenchOutput output)
    {
        this.options = options;
        this.output = output;
    }

    /**
     * @return entries per second appended and then tailed, into a fresh queue in {@code dir}.
     */
    double[] rawChronicle(final Path dir, final int size, final int n) throws IOException
    {
        output.progress("raw Chronicle append/tail, " + size + " B");
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
    void appendPairs(final Path scratch) throws IOException
    {
        for (final int size : options.sizes)
        {
            Host.settle(output);
            output.progress("WAL append against raw Chronicle append, alternating rounds, " + size + " B");
            final int appendsPerRound = Math.max(10_000, (32 << 20) / (size + 24)); // ~32 MiB a round
            final AppendPairs pairs = new AppendPairs(size, options.quick ? 11 : 21, appendsPerRound,
                options.appendPauseMs).run(scratch);
            final String raw = "throughput.pairedRawChronicleAppend." + size + "B";
            output.throughput(raw, 1e9 / pairs.ns(AppendPairs.Variant.RAW), null);
            paired(pairs, AppendPairs.Variant.FERRY, "throughput.pairedWalAppend." + size + "B", raw);
            paired(pairs, AppendPairs.Variant.FERRY_READ_AROUND, "throughput.pairedWalAppendReadAround." + size + "B", raw);
            paired(pairs, AppendPairs.Variant.FERRY_SINGLE_WRITER, "throughput.pairedWalAppendSingleWriter." + size + "B",
                raw);
            output.done(String.format("WAL append %d B: %.0f ns (%.2fx raw, median of the rounds' ratios), single-writer %.0f ns "
                + "(%.2fx), with read-around %.0f ns (%.2fx); raw Chronicle %.0f ns", size,
                pairs.ns(AppendPairs.Variant.FERRY), pairs.ratio(AppendPairs.Variant.FERRY),
                pairs.ns(AppendPairs.Variant.FERRY_SINGLE_WRITER), pairs.ratio(AppendPairs.Variant.FERRY_SINGLE_WRITER),
                pairs.ns(AppendPairs.Variant.FERRY_READ_AROUND), pairs.ratio(AppendPairs.Variant.FERRY_READ_AROUND),
                pairs.ns(AppendPairs.Variant.RAW)));
        }
    }

    private void paired(final AppendPairs pairs, final AppendPairs.Variant variant, final String metric, final String raw)
    {
        output.throughput(metric, 1e9 / pairs.ns(variant), raw).put("pairedRatioMedian", pairs.ratio(variant));
    }

    /**
     * Raw NIO loopback to an echo in a child JVM: 64 B ping-pong round trips (an interval log) and bulk transfer.
     */
    void wire(final Path scratch) throws IOException, InterruptedException
    {
        output.progress("NIO loopback ping-pong and bulk");
        final int port = Host.freePort();
        try (ChildJvm echo = new ChildJvm(scratch.resolve("echo.log"), PingPong.class.getName(), List.of(String.valueOf(port))))
        {
            Host.awaitLog(echo, "ready", Duration.ofSeconds(30));
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            final int roundTrips = options.quick ? 20_000 : 100_000;
            final Histogram rtt = PingPong.roundTrips(address, 64, roundTrips, roundTrips / 5);
            output.writeHlog("pingpong.hlog", rtt, "loopback ping-pong 64 B, ns");
            output.latency("latency.loopbackPingPong", rtt, "pingpong.hlog", null);
            final double bulk = PingPong.bulkBytesPerSecond(address, TimeUnit.SECONDS.toNanos(options.quick ? 1 : 3));
            final Map<String, Object> result = output.throughput("throughput.loopbackBulk", bulk, null);
            result.put("unit", "bytes/s");
            output.done(String.format("NIO loopback: ping-pong 64 B p50 %.1f us p99 %.1f us; bulk %.0f MB/s",
                rtt.getValueAtPercentile(50) / 1e3, rtt.getValueAtPercentile(99) / 1e3, bulk / 1e6));
        }
    }
}
