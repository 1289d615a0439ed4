package dev.ferry.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This run against the committed baseline. A difference counts only beyond what was measured: for two values that
 * both have an error, beyond the sum of the errors ({@code |Δ| > errA + errB}); otherwise (latency percentiles,
 * single measurements) beyond the relative tolerance of the committed value.
 */
final class Comparisons
{
    private Comparisons()
    {
    }

    /**
     * @param current   this run's results.
     * @param committed the committed baseline's results.
     * @param tolerance the relative tolerance where there is no error, 0.25 for 25%.
     * @return one comparison per result (per tabled percentile for a latency, the max left out), then the committed
     * results this run lacks.
     */
    static List<Comparison> of(final List<Result> current, final List<Result> committed, final double tolerance)
    {
        final Map<String, Result> committedById = new LinkedHashMap<>();
        committed.forEach((r) -> committedById.putIfAbsent(r.id(), r));
        final List<Comparison> comparisons = new ArrayList<>();
        final Map<String, Boolean> seen = new LinkedHashMap<>();
        for (final Result result : current)
        {
            seen.put(result.id(), Boolean.TRUE);
            final Result base = committedById.get(result.id());
            if (Kind.LATENCY == result.kind())
            {
                for (final Map.Entry<String, Double> entry : result.latency().percentiles().entrySet())
                {
                    if (Latency.MAX.equals(entry.getKey()))
                    {
                        continue;
                    }
                    final Double baseValue = null == base || Kind.LATENCY != base.kind() ? null :
                        base.latency().percentiles().get(entry.getKey());
                    comparisons.add(compare(result, "p" + entry.getKey(), entry.getValue(), Double.NaN,
                        null == baseValue ? Double.NaN : baseValue, Double.NaN, null != baseValue, tolerance));
                }
            }
            else
            {
                final double baseValue = null == base ? Double.NaN :
                    Units.convert(base.value(), base.unit(), result.unit());
                final double baseError = null == base ? Double.NaN :
                    Units.convert(base.error(), base.unit(), result.unit());
                comparisons.add(compare(result, Source.JMH == result.source() ? "score" : "value", result.value(),
                    result.error(), baseValue, baseError, !Double.isNaN(baseValue), tolerance));
            }
        }
        for (final Result base : committed)
        {
            if (!seen.containsKey(base.id()))
            {
                seen.put(base.id(), Boolean.TRUE);
                comparisons.add(new Comparison(base.id(), base.label(), Kind.LATENCY == base.kind() ? "p99" : "score",
                    base.kind(), base.unit(), Double.NaN, Double.NaN, base.value(), base.error(), Double.NaN,
                    Double.NaN, false, Verdict.NOT_RUN));
            }
        }
        return List.copyOf(comparisons);
    }

    static Comparison compare(
        final Result result,
        final String metric,
        final double value,
        final double error,
        final double base,
        final double baseError,
        final boolean hasBase,
        final double tolerance)
    {
        if (!hasBase)
        {
            return new Comparison(result.id(), result.label(), metric, result.kind(), result.unit(), value, error,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, Verdict.NEW);
        }
        final boolean byError = measured(error) && measured(baseError);
        final double threshold = byError ? error + baseError : tolerance * Math.abs(base);
        final double delta = value - base;
        final Verdict verdict;
        if (Math.abs(delta) <= threshold)
        {
            verdict = Verdict.UNCHANGED;
        }
        else
        {
            final boolean better = result.kind().higherIsBetter() == delta > 0;
            verdict = better ? Verdict.IMPROVEMENT : Verdict.REGRESSION;
        }
        final double change = 0 == base ? Double.NaN : delta / base;
        return new Comparison(result.id(), result.label(), metric, result.kind(), result.unit(), value, error, base,
            baseError, change, threshold, byError, verdict);
    }

    private static boolean measured(final double error)
    {
        return Double.isFinite(error) && error > 0;
    }
}
