package dev.ferry.jmh.harness;

import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.net.idle.IdleStrategy;
import dev.ferry.wal.TimerSlack;
import dev.ferry.wal.codec.Codec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry bench}: the end-to-end harness. The primary runs in this JVM, each replica in its own child JVM
 * ({@code ferry replica}), all on loopback. Measures, in one run:
 * <ul>
 *   <li>{@code Wal.append} against a raw Chronicle append of the same payload, in alternating rounds;</li>
 *   <li>baselines: raw Chronicle Queue append and tail of the same payloads; raw NIO loopback ping-pong (64 B round
 *       trips) and bulk transfer, between two JVMs ({@link Baselines});</li>
 *   <li>maximum replicated throughput per entry size: entries appended as fast as one thread can, until every
 *       replica acknowledged the last; in {@code --trials} pairs alternating with the raw append baseline, medians
 *       reported ({@link ReplicatedRun});</li>
 *   <li>append-to-ack latency at fixed rates, from each entry's intended send time (so a stalled loader cannot hide
 *       latency: coordinated omission corrected), written as HdrHistogram interval logs ({@link LatencyRun});</li>
 *   <li>replication as users run it: {@code ferry primary --generate} and {@code ferry replica} with their defaults,
 *       CPU time per replicated entry of each process and thread, page faults and system calls per entry, beside a
 *       raw Chronicle append's CPU time ({@link ProductRun});</li>
 *   <li>synchronous replication's price: {@code Primary.append} latency at 10k/s, asynchronous and then waiting for
 *       one replica at RECEIVED, DURABLE and APPLIED ({@link SyncAppendRun});</li>
 *   <li>snapshot resync: a replica of another history brought back by a snapshot of a state of 1M keys, its shipping
 *       rate beside the loopback bulk transfer of the same run, and the time to streaming ({@link SnapshotRun}).</li>
 *   <li>Promotion: from {@code Replica.promote} to the first entry accepted in the new epoch ({@link PromotionRun}).</li>
 *   <li>Ferry against Redis by the same client: {@code redis-benchmark} against a Ferry primary and replica serving Redis
 *       clients and against {@code redis-server} with a replica, and the replication lag of both ({@link RespRun}).</li>
 *   <li>Cascading: append-to-ack one and two levels down a cascade at 10k/s ({@link CascadeRun}).</li>
 *   <li>The archive: shipping and restore rates beside a raw copy of the same bytes, and the shipper's cost on
 *       appends ({@link ArchiveRun}).</li>
 * </ul>
 * Threads: the loader (this thread) paces with short parks and spins below 20 µs; the ack recorder polls with the
 * chosen idle strategy; the primary's sender and each replica's receiver use it too. On 2 cores, {@code busy-spin}
 * starves everything else: prefer {@code backoff} or {@code yield}.
 * <p>
 * The options are {@link BenchOptions}; what the run prints and writes is {@link BenchOutput}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"End-to-end harness: primary here, replicas in child JVMs on loopback; throughput and append->ack",
        "latency at fixed rates beside same-run baselines. Writes summary.json and .hlog files to --out."})
public final class Bench implements Callable<Integer>
{
    @Mixin
    BenchOptions options = new BenchOptions();

    @Spec
    CommandSpec spec;

    private static String commandLine = "";

    private static Codec codecOf(final String productSpec)
    {
        return productSpec.contains(":") ? Codec.parse(productSpec.substring(productSpec.indexOf(':') + 1)) : Codec.NONE;
    }

    /**
     * The background audit's cost (issue 18), and a log-only node (issue 21): the first product run again with its
     * primary's audit off, twice, then with it on again (A B B A: a machine that drifts during the runs moves both sides
     * alike), each side the mean of its two runs; then once with no state machine on either side.
     */
    private void auditCost(final ProductRun product, final BenchOutput output, final Path scratch,
        final String productSpec, final ProductRun.Figures firstOn) throws Exception
    {
        final int size = BenchOptions.productSize(spec.commandLine(), productSpec);
        final Codec codec = codecOf(productSpec);
        final List<String> off = List.of("--audit-rate", "0");
        final ProductRun.Figures off1 = product.run(scratch, size, codec, off, List.of(), "noaudit");
        final ProductRun.Figures off2 = product.run(scratch, size, codec, off, List.of(), "noaudit2");
        final ProductRun.Figures on2 = product.run(scratch, size, codec, List.of(), List.of(), "audit2");
        final String suffix = size + "B" + (codec == Codec.NONE ? "" : "." + codec.name().toLowerCase(java.util.Locale.ROOT));
        output.time("cpu.replicated." + suffix + ".auditOn", (firstOn.cpuNs() + on2.cpuNs()) / 2,
            "cpu.replicated." + suffix + ".auditOff");
        output.time("cpu.replicated." + suffix + ".auditOff", (off1.cpuNs() + off2.cpuNs()) / 2, null);
        output.throughput("throughput.product." + suffix + ".auditOn",
            (firstOn.entriesPerSec() + on2.entriesPerSec()) / 2, "throughput.product." + suffix + ".auditOff");
        output.throughput("throughput.product." + suffix + ".auditOff", (off1.entriesPerSec() + off2.entriesPerSec()) / 2,
            null);
        output.done(String.format("the background audit, A B B A: CPU per entry %.0f ns on, %.0f off (%.2fx); %.0f " +
                "entries/s on, %.0f off (%.2fx)", (firstOn.cpuNs() + on2.cpuNs()) / 2, (off1.cpuNs() + off2.cpuNs()) / 2,
            (firstOn.cpuNs() + on2.cpuNs()) / (off1.cpuNs() + off2.cpuNs()),
            (firstOn.entriesPerSec() + on2.entriesPerSec()) / 2, (off1.entriesPerSec() + off2.entriesPerSec()) / 2,
            (firstOn.entriesPerSec() + on2.entriesPerSec()) / (off1.entriesPerSec() + off2.entriesPerSec())));
        product.run(scratch, size, codec, List.of("--state", "none"), List.of("--state", "none"), "logonly");
    }

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
        options.conclude(spec.commandLine());
        final Codec chosenCodec = Codec.parse(options.codec);
        final IdleStrategy waitIdle = IdleStrategies.parse(options.idle);
        Files.createDirectories(options.out);
        final Path scratch = options.dir == null ? Files.createTempDirectory("ferry-bench") : Files.createTempDirectory(
            Files.createDirectories(options.dir), "ferry-bench");
        final long started = System.currentTimeMillis();
        final BenchOutput output = new BenchOutput(options);
        try
        {
            // first, on a machine the other runs have not yet filled with dirty page cache: measured in CI, the same
            // product run after them cost 1.7x the CPU per entry (page faults under memory pressure), the raw append not
            final ProductRun product = new ProductRun(options, output);
            final boolean noProduct = options.onlySync || options.onlyResp || options.onlyArchive || options.onlyCascade;
            final boolean onlyOne = noProduct || options.onlyProduct;
            ProductRun.Figures first = null;
            for (final String productSpec : noProduct ? List.<String>of() : options.products())
            {
                final ProductRun.Figures figures = product.run(scratch, BenchOptions.productSize(spec.commandLine(),
                    productSpec), codecOf(productSpec));
                first = first == null ? figures : first;
            }
            if (first != null)
            {
                auditCost(product, output, scratch, options.products().getFirst(), first);
            }
            if (!onlyOne || options.onlyCascade)
            {
                Host.settle(output);
                new CascadeRun(options, output).run(scratch);
            }
            if (!onlyOne)
            {
                final Baselines baselines = new Baselines(options, output);
                baselines.appendPairs(scratch);
                baselines.wire(scratch);
                new SnapshotRun(output).run(scratch);
                new PromotionRun(output).run(scratch);
                Host.settle(output);
                new ReplicatedRun(options, output, baselines).run(scratch, chosenCodec, waitIdle);
            }
            if (!onlyOne || options.onlySync)
            {
                Host.settle(output);
                new SyncAppendRun(options, output).run(scratch);
            }
            if (!onlyOne || options.onlyResp)
            {
                Host.settle(output);
                new RespRun(options, output).run(scratch);
            }
            if (!onlyOne || options.onlyArchive)
            {
                Host.settle(output);
                new ArchiveRun(options, output).run(scratch);
            }
        }
        finally
        {
            Host.deleteTree(scratch);
        }
        output.writeSummary(started, commandLine);
        return 0;
    }
}
