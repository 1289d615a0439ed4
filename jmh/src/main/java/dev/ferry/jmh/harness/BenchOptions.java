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
        }
        if (replicas < 1 || durationSeconds < 1 || warmupSeconds < 0 || entries < 1 || latencySize < 8 || trials < 1 ||
            appendPauseMs < 0)
        {
            throw new CommandLine.ParameterException(commandLine,
                "need --replicas >= 1, --duration >= 1, --warmup >= 0, --entries >= 1, --latency-size >= 8, --trials >= 1, --append-pause-ms >= 0");
        }
    }
}
