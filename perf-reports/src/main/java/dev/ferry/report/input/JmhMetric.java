package dev.ferry.report.input;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One JMH metric: {@code primaryMetric} or an entry of {@code secondaryMetrics}. JMH writes {@code "NaN"} for the
 * error of a single measurement; that reads as {@link Double#NaN}.
 *
 * @param score      the score.
 * @param scoreError the half-width of the 99.9% confidence interval, or NaN.
 * @param scoreUnit  the unit, e.g. {@code ops/us}, {@code ns/op}, {@code B/op}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JmhMetric(Double score, Double scoreError, String scoreUnit)
{
    /**
     * @return the error, NaN when absent.
     */
    public double error()
    {
        return null == scoreError ? Double.NaN : scoreError;
    }
}
