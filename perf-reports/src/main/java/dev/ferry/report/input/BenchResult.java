package dev.ferry.report.input;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.Map;

/**
 * One measurement of the end-to-end harness.
 *
 * @param name        unique within the run, e.g. {@code throughput.replicated.64B}.
 * @param kind        {@value #THROUGHPUT} (higher is better) or {@value #LATENCY} (lower is better).
 * @param unit        the unit of {@code value} and of the {@code percentiles}, e.g. {@code entries/s} or {@code us}.
 * @param value       a throughput.
 * @param error       the throughput's error (half-width), absent or 0 when not measured.
 * @param baseline    the name of the same-run result this one is a ratio to, or {@code null}.
 * @param hlog        an HdrHistogram interval log in the run directory with values in nanoseconds, or {@code null}.
 * @param percentiles latency by percentile ({@code "50"}, {@code "99.9"}, {@code "max"}), in {@code unit}.
 * @param count       the number of latency samples.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BenchResult(
    String name,
    String kind,
    String unit,
    Double value,
    Double error,
    String baseline,
    String hlog,
    Map<String, Double> percentiles,
    Long count)
{
    /** A rate: higher is better. */
    public static final String THROUGHPUT = "throughput";
    /** A latency distribution: lower is better. */
    public static final String LATENCY = "latency";
    /** A cost per operation or entry (e.g. CPU nanoseconds per replicated entry): lower is better. */
    public static final String TIME = "time";
}
