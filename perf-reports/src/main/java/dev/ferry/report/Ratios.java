package dev.ferry.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each result as a ratio to its same-run baseline.
 */
final class Ratios
{
    private Ratios()
    {
    }

    /**
     * @param results one run's results.
     * @param notes   where a baseline that cannot be used is noted.
     * @return one ratio per result with a baseline; for a latency, one per percentile both have (not the max).
     */
    static List<Ratio> of(final List<Result> results, final List<String> notes)
    {
        final Map<String, Result> byId = new LinkedHashMap<>();
        results.forEach((r) -> byId.putIfAbsent(r.id(), r));
        final List<Ratio> ratios = new ArrayList<>();
        for (final Result result : results)
        {
            if (null == result.baselineId())
            {
                continue;
            }
            final Result baseline = byId.get(result.baselineId());
            if (null == baseline || baseline.kind() != result.kind())
            {
                notes.add(result.label() + ": baseline " + result.baselineId() + " is missing or of another kind.");
                continue;
            }
            if (Kind.LATENCY == result.kind())
            {
                for (final Map.Entry<String, Double> entry : result.latency().percentiles().entrySet())
                {
                    final Double base = baseline.latency().percentiles().get(entry.getKey());
                    if (!Latency.MAX.equals(entry.getKey()) && null != base)
                    {
                        ratios.add(new Ratio(result, baseline, entry.getKey(), entry.getValue() / base, Double.NaN));
                    }
                }
            }
            else
            {
                final double base = Units.convert(baseline.value(), baseline.unit(), result.unit());
                final double baseError = Units.convert(baseline.error(), baseline.unit(), result.unit());
                if (Double.isNaN(base))
                {
                    notes.add(result.label() + ": baseline unit " + baseline.unit() + " is not comparable with " +
                        result.unit() + ".");
                    continue;
                }
                ratios.add(new Ratio(result, baseline, null, result.value() / base,
                    Ratio.ratioError(result.value(), result.error(), base, baseError)));
            }
        }
        return List.copyOf(ratios);
    }
}
