package dev.ferry.jmh.harness;

import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of {@code ferry bench} (a picocli mixin of {@link Bench}): what to measure, for how long, and where
 * the files go. {@link #conclude(CommandLine)} applies {@code --quick} and validates once before the run.
 */
final class BenchOptions
{
    @Option(names = "--sizes", split = ",", defaultValue = "64,1024", description = "Entry sizes for throughput (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--rates", split = ",", defaultValue = "10000,100000,1000000",
        description = "Fixed rates (entries/s) for latency (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--latency-size", defaultValue = "64", description = "Entry size for latency runs (default: ${DEFAULT-VALUE}).")
    int latencySize;

    @Option(names = "--replicas", defaultValue = "1", description = "Replica JVMs (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--replica-sync", defaultValue = "batch", description = {"Sync policy of the replica JVMs of the "
        + "replicated runs: none, batch or interval (default: ${DEFAULT-VALUE}, the replica's own).",
        "Acks are timed at RECEIVED and at DURABLE in the same runs; under none DURABLE is not measured."})
    String replicaSync;

    /**
     * @return true if the replica JVMs sync, so their DURABLE acks advance and are timed.
     */
    boolean replicasSync()
    {
        return !"none".equalsIgnoreCase(replicaSync);
    }

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

    @Option(names = "--product", split = ",", defaultValue = "64,1024,64:snappy,64:zstd",
        description = {"Product runs (ferry primary --generate and ferry replica, their defaults, CPU per entry): "
            + "SIZE or SIZE:CODEC, or none (default: ${DEFAULT-VALUE}; --quick: 64)."})
    List<String> product;

    @Option(names = "--product-entries", defaultValue = "15000000",
        description = "Entries of a 64 B product run; larger entries get proportionally fewer, at least 200000 (default: ${DEFAULT-VALUE}).")
    long productEntries;

    @Option(names = "--product-classpath", paramLabel = "CP",
        description = {"Run the product runs' ferry processes on this class path instead of this build's, e.g. "
            + "another checkout's jmh/target/lib/* (to compare two builds in one run)."})
    String productClassPath;

    @Option(names = "--only-product", description = "Run only the product runs (--product), with their raw baseline.")
    boolean onlyProduct;

    @Option(names = "--only-sync", description = "Run only the synchronous-append run (append latency at 10k/s, "
        + "asynchronous and with one synchronous replica at each level).")
    boolean onlySync;

    @Option(names = "--resp", description = "Run only the Redis comparison: redis-benchmark -t set,get (50 clients, "
        + "pipelines of 16) against a Ferry primary and replica serving Redis clients and against redis-server with a "
        + "replica (AOF everysec, and defaults), same run; and the replication lag of both. Needs Debian's redis-server "
        + "and redis-tools (the other runs include it when they are installed).")
    boolean onlyResp;

    @Option(names = "--archive", description = "Run only the archive runs: shipping and restore rates against a raw "
        + "copy of the same bytes, and the shipper's cost on appends.")
    boolean onlyArchive;

    @Option(names = "--cascade", description = "Run only the cascade run: append-to-ack one and two levels down a "
        + "cascade (primary, replica --serve, replica) at 10k/s.")
    boolean onlyCascade;

    @Option(names = "--quick", description = "The CI profile: 64 and 1024 B, rates 10k and 100k, 3 s runs after 2 s warm-up, 500k entries.")
    boolean quick;

    @Option(names = "--out", defaultValue = "jmh/target/bench", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--dir", description = {"Where the WALs go (default: the system temp directory).",
        "A tmpfs such as /dev/shm takes the disk's page-cache write-back out of the figures."})
    Path dir;

    /**
     * Apply {@code --quick} and check every bound.
     *
     * @param commandLine the command the options belong to, named by a usage error.
     * @throws CommandLine.ParameterException if a value is out of bounds.
     */
    void conclude(final CommandLine commandLine)
    {
        if (quick)
        {
            rates = List.of(10_000, 100_000);
            durationSeconds = 3;
            warmupSeconds = 2;
            entries = 500_000;
            if (commandLine.getParseResult() == null || !commandLine.getParseResult().hasMatchedOption("--product"))
            {
                product = List.of("64");
            }
            if (commandLine.getParseResult() == null ||
                !commandLine.getParseResult().hasMatchedOption("--product-entries"))
            {
                productEntries = 10_000_000;
            }
        }
        for (final String spec : products())
        {
            productSize(commandLine, spec);
        }
        if ((onlyProduct ? 1 : 0) + (onlySync ? 1 : 0) + (onlyResp ? 1 : 0) + (onlyArchive ? 1 : 0) +
            (onlyCascade ? 1 : 0) > 1)
        {
            throw new CommandLine.ParameterException(commandLine,
                "--only-product, --only-sync, --resp, --archive and --cascade are exclusive");
        }
        if (replicas < 1 || durationSeconds < 1 || warmupSeconds < 0 || entries < 1 || latencySize < 8 || trials < 1 ||
            appendPauseMs < 0 || productEntries < 1000)
        {
            throw new CommandLine.ParameterException(commandLine,
                "need --replicas >= 1, --duration >= 1, --warmup >= 0, --entries >= 1, --latency-size >= 8, --trials >= 1, --append-pause-ms >= 0, --product-entries >= 1000");
        }
    }

    /**
     * @return the product runs asked for, as SIZE or SIZE:CODEC (none when {@code --product none}).
     */
    List<String> products()
    {
        return product.size() == 1 && "none".equals(product.getFirst()) ? List.of() : product;
    }

    /**
     * @return the entry size of a product run's spec.
     * @throws CommandLine.ParameterException if the spec is not SIZE or SIZE:CODEC.
     */
    static int productSize(final CommandLine commandLine, final String spec)
    {
        try
        {
            final int size = Integer.parseInt(spec.split(":")[0]);
            if (size < 8)
            {
                throw new NumberFormatException("below 8");
            }
            if (spec.contains(":"))
            {
                dev.ferry.wal.codec.Codec.parse(spec.substring(spec.indexOf(':') + 1));
            }
            return size;
        }
        catch (final RuntimeException ex)
        {
            throw new CommandLine.ParameterException(commandLine, "--product takes SIZE or SIZE:CODEC (size >= 8, codec "
                + "none, snappy or zstd) or none; '" + spec + "' is not one (" + ex.getMessage() + ")");
        }
    }

    /**
     * @param size an entry size.
     * @return the entries of a product run of that size: {@code --product-entries} scaled to 64 B, at least 200000.
     */
    long productEntries(final int size)
    {
        return Math.max(200_000, productEntries * 64 / size);
    }
}
