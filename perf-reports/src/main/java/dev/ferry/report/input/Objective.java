package dev.ferry.report.input;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.Map;

/**
 * A latency or throughput objective. The subject is a harness result ({@code metric}) or a JMH benchmark
 * ({@code jmh} with {@code params}); its value is a percentile of a latency, a throughput or a JMH score, divided by
 * the same value of {@code ratioTo} when given. The objective is met when the value is at most {@code max} and at
 * least {@code min}, whichever are given.
 *
 * @param name       what is promised, in words.
 * @param metric     a harness result name, or {@code null}.
 * @param jmh        a JMH benchmark's full name, or {@code null}.
 * @param params     JMH {@code @Param} values the result must have (others may vary), or {@code null}.
 * @param percentile for a latency, e.g. {@code "99"}; {@code null} otherwise.
 * @param ratioTo    the harness result or JMH benchmark (same params) to divide by, or {@code null} for an absolute
 *                   value in the subject's unit (latency in microseconds).
 * @param max        the largest value that meets it, or {@code null}.
 * @param min        the smallest value that meets it, or {@code null}.
 * @param value      which value of a JMH result: {@code null} for its score, {@value #ALLOC} for its
 *                   {@code gc.alloc.rate.norm} (bytes allocated per operation).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Objective(
    String name,
    String metric,
    String jmh,
    Map<String, String> params,
    String percentile,
    String ratioTo,
    Double max,
    Double min,
    String value)
{
    /** {@link #value()} for the bytes a JMH benchmark allocates per operation. */
    public static final String ALLOC = "allocBytesPerOp";

    /**
     * An objective on a result's main value.
     */
    public Objective(final String name, final String metric, final String jmh, final Map<String, String> params,
        final String percentile, final String ratioTo, final Double max, final Double min)
    {
        this(name, metric, jmh, params, percentile, ratioTo, max, min, null);
    }

    /**
     * @return whether the objective is on the bytes allocated per operation.
     */
    public boolean onAllocation()
    {
        return ALLOC.equals(value);
    }
}
