package dev.ferry.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * The {@code .hlog} test fixtures: seeded log-normal latencies with rare spikes, in nanoseconds, written by
 * HdrHistogram's {@link HistogramLogWriter} the way the harness writes them. The committed files under
 * {@code src/test/resources} (and their copy in {@code perf-reports/baseline}) come from {@link #main}; a test checks
 * they still decode to what the specs generate.
 */
final class HlogFixtures
{
    static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;
    static final int DIGITS = 3;
    static final long START_MS = Instant.parse("2026-11-22T01:50:00Z").toEpochMilli();

    /**
     * One log.
     *
     * @param path          relative to the resources root.
     * @param seed          the random seed.
     * @param medianMicros  the median.
     * @param sigma         the log-normal shape: p99 is about {@code median * exp(2.33 * sigma)}.
     * @param spikeChance   the chance of a spike per sample.
     * @param spikeMicros   the largest spike.
     * @param intervals     intervals in the log.
     * @param perInterval   samples per interval.
     */
    record Spec(String path, long seed, double medianMicros, double sigma, double spikeChance, double spikeMicros,
        int intervals, int perInterval)
    {
    }

    static final Spec RUN_APPEND = new Spec("run/bench/latency-100000.hlog", 1, 21.0, 0.35, 0.002, 400, 5, 10_000);
    static final Spec RUN_PINGPONG = new Spec("run/bench/pingpong.hlog", 2, 10.0, 0.30, 0.001, 150, 4, 5_000);
    static final Spec BASE_APPEND = new Spec("baseline/bench/latency-100000.hlog", 3, 20.0, 0.25, 0.001, 250, 5,
        10_000);
    static final Spec BASE_PINGPONG = new Spec("baseline/bench/pingpong.hlog", 4, 10.0, 0.30, 0.001, 150, 4, 5_000);
    static final List<Spec> ALL = List.of(RUN_APPEND, RUN_PINGPONG, BASE_APPEND, BASE_PINGPONG);

    private HlogFixtures()
    {
    }

    /**
     * @param spec the log.
     * @return one histogram per interval, in nanoseconds, with start and end time stamps one second apart.
     */
    static List<Histogram> intervals(final Spec spec)
    {
        final Random random = new Random(spec.seed());
        final Histogram[] intervals = new Histogram[spec.intervals()];
        for (int i = 0; i < spec.intervals(); i++)
        {
            final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, DIGITS);
            histogram.setStartTimeStamp(START_MS + i * 1000L);
            histogram.setEndTimeStamp(START_MS + (i + 1) * 1000L);
            for (int n = 0; n < spec.perInterval(); n++)
            {
                double micros = spec.medianMicros() * Math.exp(spec.sigma() * random.nextGaussian());
                if (random.nextDouble() < spec.spikeChance())
                {
                    micros += random.nextDouble() * spec.spikeMicros();
                }
                histogram.recordValue(Math.round(micros * 1000.0));
            }
            intervals[i] = histogram;
        }
        return List.of(intervals);
    }

    /**
     * @param spec the log.
     * @return all its intervals added up.
     */
    static Histogram total(final Spec spec)
    {
        final Histogram total = new Histogram(DIGITS);
        intervals(spec).forEach(total::add);
        return total;
    }

    /**
     * @param spec the log.
     * @param file where to write it.
     * @throws IOException if it cannot be written.
     */
    static void write(final Spec spec, final Path file) throws IOException
    {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment("Ferry test fixture " + spec.path() + " (HlogFixtures), values in ns");
            writer.outputLogFormatVersion();
            writer.outputStartTime(START_MS);
            writer.setBaseTime(START_MS);
            writer.outputLegend();
            for (final Histogram interval : intervals(spec))
            {
                writer.outputIntervalHistogram(interval);
            }
        }
    }

    /**
     * Regenerate the committed fixtures.
     *
     * @param args the resources root, default {@code src/test/resources} (run from {@code perf-reports}).
     * @throws IOException if a file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        for (final Spec spec : ALL)
        {
            write(spec, root.resolve(spec.path()));
        }
    }
}
