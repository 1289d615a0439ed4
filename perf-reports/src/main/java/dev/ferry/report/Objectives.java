package dev.ferry.report;

import dev.ferry.report.input.Objective;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Evaluates objectives against one run. A result or reference that is not in the run makes the objective
 * {@link ObjectiveStatus#NOT_RUN}, never an error. Where a JMH objective's params match several results (a param it
 * does not fix), each must meet it and the outcome shown is the one closest to (or furthest past) its bound.
 */
final class Objectives
{
    private Objectives()
    {
    }

    /**
     * @param objectives the objectives.
     * @param results    the run's results.
     * @return one outcome per objective, in order.
     */
    static List<ObjectiveOutcome> evaluate(final List<Objective> objectives, final List<Result> results)
    {
        final List<ObjectiveOutcome> outcomes = new ArrayList<>();
        for (final Objective objective : objectives)
        {
            outcomes.add(evaluate(objective, results));
        }
        return List.copyOf(outcomes);
    }

    static ObjectiveOutcome evaluate(final Objective objective, final List<Result> results)
    {
        final boolean jmh = null != objective.jmh();
        final String subjectName = jmh ? objective.jmh() : objective.metric();
        final List<Result> subjects = results.stream()
            .filter((r) -> jmh ? Source.JMH == r.source() && r.benchmark().equals(subjectName) &&
                paramsMatch(objective.params(), r.params()) :
                Source.BENCH == r.source() && r.name().equals(subjectName))
            .toList();
        if (subjects.isEmpty())
        {
            return notRun(objective, subjectName + (jmh && null != objective.params() ? " " + objective.params() : "") +
                " is not in this run");
        }
        ObjectiveOutcome worst = null;
        double worstMargin = Double.POSITIVE_INFINITY;
        for (final Result subject : subjects)
        {
            final ObjectiveOutcome outcome = evaluate(objective, subject, results);
            if (ObjectiveStatus.NOT_RUN == outcome.status())
            {
                return outcome;
            }
            final double margin = margin(objective, outcome.actual());
            if (null == worst || margin < worstMargin)
            {
                worst = outcome;
                worstMargin = margin;
            }
        }
        return worst;
    }

    private static ObjectiveOutcome evaluate(
        final Objective objective,
        final Result subject,
        final List<Result> results)
    {
        final double value = valueOf(objective, subject);
        if (Double.isNaN(value))
        {
            return notRun(objective, objective.onAllocation() ? subject.label() + " has no gc.alloc.rate.norm (run it " +
                "with the GC profiler)" : Kind.LATENCY == subject.kind() && null == objective.percentile() ?
                subject.label() + " is a latency; the objective names no percentile" :
                subject.label() + " has no p" + objective.percentile());
        }
        final String unit = objective.onAllocation() ? "B/op" : Kind.LATENCY == subject.kind() ? "µs" : subject.unit();
        Result reference = null;
        double refValue = Double.NaN;
        double actual = value;
        if (null != objective.ratioTo())
        {
            reference = results.stream()
                .filter((r) -> r.source() == subject.source() && r.benchmark().equals(objective.ratioTo()) &&
                    (Source.BENCH == r.source() || r.mode().equals(subject.mode()) &&
                    paramsMatch(r.params(), subject.params())))
                .findFirst()
                .orElse(null);
            if (null == reference)
            {
                return notRun(objective, objective.ratioTo() +
                    (Source.JMH == subject.source() && !subject.params().isEmpty() ? " " + subject.params() : "") +
                    " is not in this run");
            }
            refValue = Units.convert(valueOf(objective, reference),
                Kind.LATENCY == reference.kind() ? "µs" : reference.unit(), unit);
            if (Double.isNaN(refValue))
            {
                return notRun(objective, reference.label() + " has no comparable value");
            }
            actual = value / refValue;
        }
        final boolean met = (null == objective.max() || actual <= objective.max()) &&
            (null == objective.min() || actual >= objective.min());
        return new ObjectiveOutcome(objective, met ? ObjectiveStatus.MET : ObjectiveStatus.MISSED, actual, subject,
            value, reference, refValue, unit, null);
    }

    private static double valueOf(final Objective objective, final Result result)
    {
        if (objective.onAllocation())
        {
            return result.allocBytesPerOp(); // NaN when the GC profiler did not run: not run
        }
        if (Kind.LATENCY == result.kind())
        {
            if (null == objective.percentile())
            {
                return Double.NaN;
            }
            try
            {
                return result.latency().valueAt(objective.percentile());
            }
            catch (final IllegalArgumentException ex)
            {
                return Double.NaN;
            }
        }
        return result.value();
    }

    private static double margin(final Objective objective, final double actual)
    {
        double margin = Double.POSITIVE_INFINITY;
        if (null != objective.max())
        {
            margin = Math.min(margin, objective.max() - actual);
        }
        if (null != objective.min())
        {
            margin = Math.min(margin, actual - objective.min());
        }
        return margin;
    }

    private static boolean paramsMatch(final Map<String, String> wanted, final Map<String, String> actual)
    {
        return null == wanted || actual.entrySet().containsAll(wanted.entrySet());
    }

    private static ObjectiveOutcome notRun(final Objective objective, final String reason)
    {
        return new ObjectiveOutcome(objective, ObjectiveStatus.NOT_RUN, Double.NaN, null, Double.NaN, null,
            Double.NaN, null, reason);
    }
}
