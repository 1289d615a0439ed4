package dev.ferry.report.internal;

import dev.ferry.report.Analysis;
import dev.ferry.report.Kind;
import dev.ferry.report.Ratio;
import dev.ferry.report.Result;
import dev.ferry.report.Source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How both pages group the results: latency charts by same-run baseline, harness throughput by unit, JMH by class
 * and mode.
 */
final class Page
{
    private static final String NO_BASELINE = "\u0000";

    private Page()
    {
    }

    /**
     * A latency chart: the results that share a same-run baseline, and that baseline.
     *
     * @param subjects the results.
     * @param baseline their baseline, or {@code null}.
     */
    record LatencyGroup(List<Result> subjects, Result baseline)
    {
        List<Result> all()
        {
            final List<Result> all = new ArrayList<>(subjects);
            if (null != baseline)
            {
                all.add(baseline);
            }
            return all;
        }
    }

    static List<LatencyGroup> latencyGroups(final Analysis analysis)
    {
        final List<Result> latencies = analysis.results().stream().filter((r) -> Kind.LATENCY == r.kind()).toList();
        final Set<String> baselineIds = new LinkedHashSet<>();
        latencies.forEach((r) ->
        {
            if (null != r.baselineId())
            {
                baselineIds.add(r.baselineId());
            }
        });
        final Map<String, List<Result>> byBaseline = new LinkedHashMap<>();
        for (final Result result : latencies)
        {
            if (!baselineIds.contains(result.id()) || null != result.baselineId())
            {
                final String key = null == result.baselineId() ? NO_BASELINE + result.id() : result.baselineId();
                byBaseline.computeIfAbsent(key, (k) -> new ArrayList<>()).add(result);
            }
        }
        final List<LatencyGroup> groups = new ArrayList<>();
        byBaseline.forEach((key, subjects) -> groups.add(
            new LatencyGroup(List.copyOf(subjects), key.startsWith(NO_BASELINE) ? null : analysis.result(key))));
        return groups;
    }

    static Map<String, List<Result>> benchThroughputByUnit(final Analysis analysis)
    {
        final Map<String, List<Result>> byUnit = new LinkedHashMap<>();
        analysis.results().stream()
            .filter((r) -> Source.BENCH == r.source() && Kind.LATENCY != r.kind())
            .forEach((r) -> byUnit.computeIfAbsent(String.valueOf(r.unit()), (k) -> new ArrayList<>()).add(r));
        return byUnit;
    }

    static Map<String, List<Result>> jmhByClassAndMode(final Analysis analysis)
    {
        final Map<String, List<Result>> byClass = new LinkedHashMap<>();
        analysis.results().stream()
            .filter((r) -> Source.JMH == r.source())
            .forEach((r) -> byClass.computeIfAbsent(r.group() + " " + r.mode() + " " + r.unit(),
                (k) -> new ArrayList<>()).add(r));
        return byClass;
    }

    static boolean isBaseline(final Analysis analysis, final Result result)
    {
        return analysis.results().stream().anyMatch((r) -> result.id().equals(r.baselineId()));
    }

    static Ratio ratio(final Analysis analysis, final Result result, final String percentile)
    {
        for (final Ratio ratio : analysis.ratiosOf(result))
        {
            if (null == percentile ? null == ratio.percentile() : percentile.equals(ratio.percentile()))
            {
                return ratio;
            }
        }
        return null;
    }

    static List<String> percentileColumns(final LatencyGroup group)
    {
        final Set<String> keys = new LinkedHashSet<>();
        group.all().forEach((r) -> keys.addAll(r.latency().percentiles().keySet()));
        final List<String> ordered = new ArrayList<>(keys);
        ordered.sort((a, b) -> Double.compare(order(a), order(b)));
        return ordered;
    }

    /**
     * @param group JMH results of one class.
     * @return the param names whose values differ within the group, in first-seen order.
     */
    static Set<String> varyingParams(final List<Result> group)
    {
        final Map<String, Set<String>> values = new LinkedHashMap<>();
        group.forEach((r) -> r.params().forEach(
            (k, v) -> values.computeIfAbsent(k, (x) -> new LinkedHashSet<>()).add(v)));
        final Set<String> varying = new LinkedHashSet<>();
        values.forEach((k, v) ->
        {
            if (v.size() > 1 || group.stream().anyMatch((r) -> !r.params().containsKey(k)))
            {
                varying.add(k);
            }
        });
        return varying;
    }

    /**
     * @param group JMH results of one class.
     * @return the params all of them share, as {@code k=v, k=v}; empty when none, or when no param varies (then each
     * chart category shows them all).
     */
    static String constantParams(final List<Result> group)
    {
        final Set<String> varying = varyingParams(group);
        if (varying.isEmpty())
        {
            return "";
        }
        final StringBuilder text = new StringBuilder();
        group.getFirst().params().forEach((k, v) ->
        {
            if (!varying.contains(k))
            {
                text.append(text.isEmpty() ? "" : ", ").append(k).append('=').append(v);
            }
        });
        return text.toString();
    }

    /**
     * @param result  a JMH result.
     * @param varying the params to show.
     * @return its category label in a chart: the varying params only, or all when none varies.
     */
    static String category(final Result result, final Set<String> varying)
    {
        final StringBuilder text = new StringBuilder();
        result.params().forEach((k, v) ->
        {
            if (varying.contains(k))
            {
                text.append(text.isEmpty() ? "" : ", ").append(k).append('=').append(v);
            }
        });
        if (text.isEmpty())
        {
            return result.params().isEmpty() ? "(no params)" : result.paramsText();
        }
        return text.toString();
    }

    static String simpleName(final String className)
    {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    static String modeText(final Result result)
    {
        return result.mode() + ", " + result.unit() + ", " + result.kind().direction();
    }

    private static double order(final String key)
    {
        return "max".equals(key) ? Double.MAX_VALUE : Double.parseDouble(key);
    }
}
