package dev.ferry.report;

/**
 * One value of this run against the same value of the committed baseline.
 *
 * @param id             the result's id.
 * @param label          the result's short name.
 * @param metric         {@code score} or {@code value}, or for a latency the percentile ({@code p99}).
 * @param kind           which way is better.
 * @param unit           the unit of both values (the baseline's converted when JMH's time unit changed).
 * @param current        this run's value, NaN when {@link Verdict#NOT_RUN}.
 * @param currentError   its error, NaN when not measured.
 * @param committed      the committed baseline's value, NaN when {@link Verdict#NEW}.
 * @param committedError its error, NaN when not measured.
 * @param change         {@code (current - committed) / committed}, NaN when either is missing.
 * @param threshold      the absolute difference beyond which it counts: the sum of both errors, or the tolerance
 *                       times the committed value.
 * @param byError        whether {@code threshold} is the sum of the errors (both measured), not the tolerance.
 * @param verdict        the verdict.
 */
public record Comparison(
    String id,
    String label,
    String metric,
    Kind kind,
    String unit,
    double current,
    double currentError,
    double committed,
    double committedError,
    double change,
    double threshold,
    boolean byError,
    Verdict verdict)
{
}
