package dev.ferry.jmh.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the harness writes: progress lines on the console, the results it gathers, {@code .hlog} files and
 * {@code summary.json} in {@code --out}. {@code perf-reports} reads the files ({@code Inputs.readBench}): their names
 * and fields are a format.
 */
final class BenchOutput
{
    private final BenchOptions options;
    private final PrintStream console = System.out;
    private final List<Map<String, Object>> results = new ArrayList<>();

    BenchOutput(final BenchOptions options)
    {
        this.options = options;
    }

    /** A line that the next one overwrites. */
    void progress(final String line)
    {
        console.print("\r[bench] " + line + "                    ");
        console.flush();
    }

    /** A line that stays. */
    void done(final String line)
    {
        console.print("\r[bench] " + line + "                    \n");
        console.flush();
    }

    void println(final String line)
    {
        console.println(line);
    }

    Map<String, Object> throughput(final String name, final double value, final String baseline)
    {
        return scalar(name, "throughput", "entries/s", value, baseline);
    }

    /**
     * A duration in seconds: lower is better (the report's "time" kind).
     */
    Map<String, Object> seconds(final String name, final double seconds)
    {
        return scalar(name, "time", "s", seconds, null);
    }

    /**
     * A cost per entry: lower is better (the report's "time" kind).
     */
    Map<String, Object> time(final String name, final double nanosPerEntry, final String baseline)
    {
        return scalar(name, "time", "ns/entry", nanosPerEntry, baseline);
    }

    private Map<String, Object> scalar(final String name, final String kind, final String unit, final double value,
        final String baseline)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        result.put("kind", kind);
        result.put("unit", unit);
        result.put("value", value);
        result.put("error", 0.0);
        if (baseline != null)
        {
            result.put("baseline", baseline);
        }
        results.add(result);
        return result;
    }

    Map<String, Object> latency(final String name, final Histogram histogram, final String hlog, final String baseline)
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

    /**
     * Add what several trials give to their result: half their spread as the error, and every trial.
     */
    static Map<String, Object> trialResult(final Map<String, Object> result, final double[] values)
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

    /**
     * @param file an interval log's name.
     * @return where it goes, in {@code --out}.
     */
    Path file(final String file)
    {
        return options.out.resolve(file);
    }

    void writeHlog(final String file, final Histogram histogram, final String comment) throws IOException
    {
        try (PrintStream log = new PrintStream(file(file).toFile(), "UTF-8"))
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

    void writeSummary(final long startedMs, final String commandLine) throws IOException
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
        cfg.put("replicas", options.replicas);
        cfg.put("codec", options.codec.toLowerCase(Locale.ROOT));
        cfg.put("idle", options.idle);
        cfg.put("durationSeconds", options.durationSeconds);
        cfg.put("warmupSeconds", options.warmupSeconds);
        cfg.put("entrySizes", options.sizes);
        cfg.put("rates", options.rates);
        cfg.put("latencySize", options.latencySize);
        cfg.put("entries", options.entries);
        cfg.put("quick", options.quick);
        cfg.put("dir", options.dir == null ? System.getProperty("java.io.tmpdir") : options.dir.toString());
        summary.put("config", cfg);
        summary.put("results", results);
        final Path file = options.out.resolve("summary.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
        console.println("[bench] wrote " + file.toAbsolutePath() + " and .hlog files beside it");
    }
}
