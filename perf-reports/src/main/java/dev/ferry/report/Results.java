package dev.ferry.report;

import dev.ferry.report.input.BenchResult;
import dev.ferry.report.input.BenchSummary;
import dev.ferry.report.input.Inputs;
import dev.ferry.report.input.JmhResult;
import dev.ferry.report.input.ReportInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns input records into {@link Result}s and finds each one's same-run baseline.
 */
final class Results
{
    private Results()
    {
    }

    /**
     * Whether a JMH method is a baseline by name: it starts with {@code raw} or {@code baseline} (followed by an
     * upper-case letter or nothing), ends with {@code Baseline}, or is {@code memcpy}.
     *
     * @param method a benchmark method name.
     * @return whether it is a baseline of the other methods of its class.
     */
    static boolean isBaselineMethod(final String method)
    {
        return startsWithWord(method, "raw") || startsWithWord(method, "baseline") ||
            (method.endsWith("Baseline") && method.length() > "Baseline".length()) || "memcpy".equals(method);
    }

    /**
     * The results of one JMH file, each non-baseline method given the baseline method of its class, mode and params.
     *
     * @param file    the file.
     * @param records its records.
     * @return its results, in file order.
     */
    static List<Result> fromJmh(final Path file, final List<JmhResult> records)
    {
        final List<JmhResult> baselines = records.stream().filter((r) -> isBaselineMethod(r.method())).toList();
        final List<Result> results = new ArrayList<>();
        for (final JmhResult record : records)
        {
            final Map<String, String> params = null == record.params() ? Map.of() :
                Collections.unmodifiableMap(new LinkedHashMap<>(record.params()));
            final String baselineId = isBaselineMethod(record.method()) ? null : baselineOf(record, baselines);
            results.add(new Result(
                Result.jmhId(record.benchmark(), params, record.mode()),
                Source.JMH,
                record.benchmarkClass(),
                record.method(),
                params,
                Kind.ofJmhMode(record.mode()),
                record.mode(),
                record.primaryMetric().score(),
                record.primaryMetric().error(),
                record.primaryMetric().scoreUnit(),
                baselineId,
                record.allocBytesPerOp(),
                null,
                file));
        }
        return results;
    }

    /**
     * The results of one harness run; latencies from their {@code .hlog} when they name one.
     *
     * @param dir     the run's directory.
     * @param summary its summary.
     * @return its results, in file order.
     * @throws ReportInputException naming the file at fault.
     */
    static List<Result> fromBench(final Path dir, final BenchSummary summary)
    {
        final Path summaryFile = Inputs.summaryFile(dir);
        final Path base = null == summaryFile.getParent() ? Path.of(".") : summaryFile.getParent();
        final List<Result> results = new ArrayList<>();
        for (final BenchResult record : summary.results())
        {
            if (BenchResult.LATENCY.equals(record.kind()))
            {
                final Latency latency;
                if (null != record.hlog() && !record.hlog().isBlank())
                {
                    final Path hlog = base.resolve(record.hlog());
                    latency = Latency.ofHistogram(Inputs.readHlog(hlog), hlog);
                }
                else
                {
                    try
                    {
                        latency = Latency.ofPercentiles(record.percentiles(), record.unit(), record.count());
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new ReportInputException(summaryFile, record.name() + ": " + ex.getMessage(), ex);
                    }
                }
                results.add(new Result(record.name(), Source.BENCH, record.kind(), record.name(), Map.of(),
                    Kind.LATENCY, record.kind(), latency.valueAt("99"), Double.NaN, "µs", record.baseline(),
                    Double.NaN, latency, summaryFile));
            }
            else
            {
                results.add(new Result(record.name(), Source.BENCH, record.kind(), record.name(), Map.of(),
                    BenchResult.TIME.equals(record.kind()) ? Kind.TIME : Kind.THROUGHPUT, record.kind(), record.value(),
                    null == record.error() ? Double.NaN : record.error(), record.unit(), record.baseline(),
                    Double.NaN, null, summaryFile));
            }
        }
        return results;
    }

    /**
     * Add {@code incoming} to {@code into}; where an id is taken, the incoming run's ids (and its baseline links)
     * get {@code prefix} so both stay apart.
     *
     * @param into     the results so far.
     * @param incoming one input's results.
     * @param prefix   the prefix for a clash, e.g. the run directory's name.
     * @param notes    where a clash is noted.
     */
    static void addAll(final List<Result> into, final List<Result> incoming, final String prefix,
        final List<String> notes)
    {
        final Set<String> taken = new HashSet<>();
        into.forEach((r) -> taken.add(r.id()));
        final boolean clash = incoming.stream().anyMatch((r) -> taken.contains(r.id()));
        if (!clash)
        {
            into.addAll(incoming);
            return;
        }
        notes.add("Result names repeat across inputs; those of " + prefix + " are prefixed with \"" + prefix + ":\".");
        for (final Result r : incoming)
        {
            into.add(new Result(prefix + ":" + r.id(), r.source(), r.group(), prefix + ":" + r.name(), r.params(),
                r.kind(), r.mode(), r.value(), r.error(), r.unit(),
                null == r.baselineId() ? null : prefix + ":" + r.baselineId(), r.allocBytesPerOp(), r.latency(),
                r.file()));
        }
    }

    private static String baselineOf(final JmhResult record, final List<JmhResult> baselines)
    {
        final Map<String, String> params = null == record.params() ? Map.of() : record.params();
        final List<JmhResult> candidates = new ArrayList<>();
        for (final JmhResult baseline : baselines)
        {
            final Map<String, String> baseParams = null == baseline.params() ? Map.of() : baseline.params();
            if (baseline.benchmarkClass().equals(record.benchmarkClass()) && baseline.mode().equals(record.mode()) &&
                params.entrySet().containsAll(baseParams.entrySet()))
            {
                candidates.add(baseline);
            }
        }
        if (candidates.isEmpty())
        {
            return null;
        }
        final Comparator<JmhResult> best = Comparator
            .comparingInt((JmhResult b) -> null == b.params() ? 0 : b.params().size()).reversed()
            .thenComparing(Comparator.comparingInt(
                (JmhResult b) -> commonSuffix(b.method(), record.method())).reversed())
            .thenComparing(JmhResult::method);
        candidates.sort(best);
        final JmhResult chosen = candidates.getFirst();
        return Result.jmhId(chosen.benchmark(), null == chosen.params() ? Map.of() : chosen.params(), chosen.mode());
    }

    private static int commonSuffix(final String a, final String b)
    {
        int n = 0;
        while (n < a.length() && n < b.length() &&
            Character.toLowerCase(a.charAt(a.length() - 1 - n)) == Character.toLowerCase(b.charAt(b.length() - 1 - n)))
        {
            n++;
        }
        return n;
    }

    private static boolean startsWithWord(final String method, final String word)
    {
        return method.startsWith(word) &&
            (method.length() == word.length() || Character.isUpperCase(method.charAt(word.length())));
    }
}
