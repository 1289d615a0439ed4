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
            final boolean noProduct = options.onlySync || options.onlyResp || options.onlyArchive;
            for (final String productSpec : noProduct ? List.<String>of() : options.products())
            {
                product.run(scratch, BenchOptions.productSize(spec.commandLine(), productSpec), productSpec.contains(":") ?
                    Codec.parse(productSpec.substring(productSpec.indexOf(':') + 1)) : Codec.NONE);
            }
            if (!noProduct && !options.products().isEmpty())
            {
                // the background audit's cost (issue 18): the first product run again, its primary with the audit off
                final String first = options.products().getFirst();
                product.run(scratch, BenchOptions.productSize(spec.commandLine(), first), first.contains(":") ?
                    Codec.parse(first.substring(first.indexOf(':') + 1)) : Codec.NONE, List.of("--audit-rate", "0"),
                    "noaudit");
            }
            if (!options.onlyProduct && !options.onlySync && !options.onlyResp && !options.onlyArchive)
            {
                final Baselines baselines = new Baselines(options, output);
                baselines.appendPairs(scratch);
                baselines.wire(scratch);
                new SnapshotRun(output).run(scratch);
                new PromotionRun(output).run(scratch);
                Host.settle(output);
                new ReplicatedRun(options, output, baselines).run(scratch, chosenCodec, waitIdle);
            }
            if (!options.onlyProduct && !options.onlyResp && !options.onlyArchive)
            {
                Host.settle(output);
                new SyncAppendRun(options, output).run(scratch);
            }
            if (!options.onlyProduct && !options.onlySync && !options.onlyArchive)
            {
                Host.settle(output);
                new RespRun(options, output).run(scratch);
            }
            if (!options.onlyProduct && !options.onlySync && !options.onlyResp)
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
