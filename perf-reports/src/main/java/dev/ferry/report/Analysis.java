package dev.ferry.report;

import java.time.Instant;
import java.util.List;

/**
 * Everything a report shows, computed from its inputs; see {@link ReportBuilder#analyse()}.
 *
 * @param generatedAt  when the report was made.
 * @param runs         the metadata of each input run.
 * @param results      this run's results, in input order.
 * @param ratios       each result with a same-run baseline as a ratio to it.
 * @param objectives   each objective's outcome, empty without an objectives file.
 * @param baseline     the committed baseline directory, or {@code null} when none was given.
 * @param baselineRuns the metadata of the committed baseline's runs.
 * @param committed    the committed baseline's results.
 * @param comparisons  this run against the committed baseline, empty without one.
 * @param tolerance    the relative tolerance for values without an error, 0.25 for 25%.
 * @param notes        what the reader should know: clashes, unusable baselines.
 */
public record Analysis(
    Instant generatedAt,
    List<RunInfo> runs,
    List<Result> results,
    List<Ratio> ratios,
    List<ObjectiveOutcome> objectives,
    String baseline,
    List<RunInfo> baselineRuns,
    List<Result> committed,
    List<Comparison> comparisons,
    double tolerance,
    List<String> notes)
{
    /**
     * A result's verdict over all its compared values: a regression if any value regressed, else an improvement if
     * any improved, else unchanged (or new, or not run).
     *
     * @param id a result id.
     * @return its verdict, or {@code null} when it was not compared.
     */
    public Verdict verdictOf(final String id)
    {
        Verdict verdict = null;
        for (final Comparison comparison : comparisons)
        {
            if (comparison.id().equals(id) && (null == verdict || comparison.verdict().ordinal() < verdict.ordinal()))
            {
                verdict = comparison.verdict();
            }
        }
        return verdict;
    }

    /**
     * @param verdict a verdict.
     * @return the number of results (not values: a latency has several) with that overall verdict, see
     * {@link #verdictOf(String)}.
     */
    public long count(final Verdict verdict)
    {
        return comparisons.stream().map(Comparison::id).distinct().filter((id) -> verdictOf(id) == verdict).count();
    }

    /**
     * @param status an objective status.
     * @return the number of objectives with it.
     */
    public long count(final ObjectiveStatus status)
    {
        return objectives.stream().filter((o) -> o.status() == status).count();
    }

    /**
     * @param result a result.
     * @return its ratios to its same-run baseline: none, one, or one per percentile for a latency.
     */
    public List<Ratio> ratiosOf(final Result result)
    {
        return ratios.stream().filter((r) -> r.result() == result).toList();
    }

    /**
     * @param id a result id.
     * @return this run's result with that id, or {@code null}.
     */
    public Result result(final String id)
    {
        return results.stream().filter((r) -> r.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * @param id a result id.
     * @return the committed baseline's result with that id, or {@code null}.
     */
    public Result committedResult(final String id)
    {
        return committed.stream().filter((r) -> r.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * @return e.g. {@code 14 results, 1 regression, 2 improvements; objectives: 2 met, 1 missed, 0 not run}, counting
     * results, not values.
     */
    public String summaryLine()
    {
        final long regressions = count(Verdict.REGRESSION);
        final long improvements = count(Verdict.IMPROVEMENT);
        return results.size() + " result" + (1 == results.size() ? "" : "s") + ", " +
            (null == baseline ? "no committed baseline" :
            regressions + " regression" + (1 == regressions ? "" : "s") + ", " +
            improvements + " improvement" + (1 == improvements ? "" : "s")) +
            (objectives.isEmpty() ? "; no objectives" : "; objectives: " + count(ObjectiveStatus.MET) + " met, " +
            count(ObjectiveStatus.MISSED) + " missed, " + count(ObjectiveStatus.NOT_RUN) + " not run");
    }
}
