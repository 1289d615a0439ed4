package dev.ferry.report.internal;

import dev.ferry.report.Analysis;
import dev.ferry.report.Comparison;
import dev.ferry.report.Kind;
import dev.ferry.report.ObjectiveOutcome;
import dev.ferry.report.ObjectiveStatus;
import dev.ferry.report.Result;
import dev.ferry.report.RunInfo;
import dev.ferry.report.Verdict;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The wording both pages share.
 */
final class Texts
{
    private Texts()
    {
    }

    static String measured(final ObjectiveOutcome outcome)
    {
        if (ObjectiveStatus.NOT_RUN == outcome.status())
        {
            return Format.NONE;
        }
        return null == outcome.reference() ? Format.number(outcome.actual()) + " " + outcome.unit() :
            Format.ratio(outcome.actual());
    }

    static String objectiveDetail(final ObjectiveOutcome outcome)
    {
        if (ObjectiveStatus.NOT_RUN == outcome.status())
        {
            return outcome.reason();
        }
        final String subject = valueText(outcome, outcome.subject(), outcome.value());
        return null == outcome.reference() ? subject :
            subject + " ÷ " + valueText(outcome, outcome.reference(), outcome.refValue());
    }

    private static String valueText(final ObjectiveOutcome outcome, final Result result, final double value)
    {
        final String percentile = Kind.LATENCY == result.kind() ? "p" + outcome.objective().percentile() + " " : "";
        return percentile + result.label() + " = " + Format.number(value) + " " + outcome.unit();
    }

    static String latencySource(final Result result)
    {
        return result.latency().fromHlog() ? "from " + fileName(result.latency().hlog()) :
            "from the percentiles in " + fileName(result.file());
    }

    static String latencyCaption(final List<Result> results)
    {
        return results.stream()
            .map((r) -> r.label() + ": " + (r.latency().count() < 0 ? "" :
                Format.number(r.latency().count()) + " samples ") + latencySource(r))
            .collect(Collectors.joining("; ")) + ".";
    }

    static String baselineRuns(final Analysis analysis)
    {
        if (analysis.baselineRuns().isEmpty())
        {
            return "";
        }
        return analysis.baselineRuns().stream()
            .map(Texts::runSummary)
            .collect(Collectors.joining("; ", " (", ")"));
    }

    private static String runSummary(final RunInfo run)
    {
        return run.title() + " of " + run.fields().getOrDefault("Date", "unknown date") + ", " +
            run.fields().getOrDefault("JVM", "unknown JVM");
    }

    static String comparisonRule(final double tolerance)
    {
        return "A difference is flagged only beyond what was measured: when both values have a margin (JMH's " +
            "confidence half-width, the harness's ±), beyond the sum of both margins; otherwise (latency " +
            "percentiles, single measurements) beyond ±" + Format.percent(tolerance) + " of the committed value. " +
            "Maxima are shown, not compared.";
    }

    static String verdictCounts(final Analysis analysis)
    {
        final StringBuilder text = new StringBuilder();
        for (final Verdict verdict : Verdict.values())
        {
            final long n = analysis.count(verdict);
            text.append(text.isEmpty() ? "" : ", ").append(n).append(' ').append(verdictWord(verdict, n));
        }
        return text.toString();
    }

    static String verdictWord(final Verdict verdict, final long n)
    {
        return switch (verdict)
        {
            case REGRESSION -> 1 == n ? "regression" : "regressions";
            case IMPROVEMENT -> 1 == n ? "improvement" : "improvements";
            default -> verdict.label();
        };
    }

    static String threshold(final Comparison comparison)
    {
        if (Verdict.NEW == comparison.verdict() || Verdict.NOT_RUN == comparison.verdict())
        {
            return Format.NONE;
        }
        if (comparison.byError())
        {
            return "± " + Format.number(comparison.threshold()) + " (margins)";
        }
        return "± " + Format.percent(comparison.threshold() / Math.abs(comparison.committed())) + " (tolerance)";
    }

    static List<String> method(final double tolerance)
    {
        return List.of(
            "Ratios divide a result by its same-run baseline: for throughput (JMH thrpt, harness entries/s) higher " +
                "is better, so 0.80× means 80% of the baseline's rate; for time per operation (JMH avgt) and " +
                "latency lower is better, so 1.25× means 25% slower than the baseline.",
            "A ratio's ± combines both scores' relative margins in quadrature.",
            "Latency curves come from the HdrHistogram interval logs (all intervals added up, nanoseconds shown " +
                "as µs) when the run has them, else from the percentiles the run wrote (points marked).",
            comparisonRule(tolerance),
            "An objective that names a result this run does not have is NOT RUN; the report still succeeds.");
    }

    private static String fileName(final Path path)
    {
        return null == path || null == path.getFileName() ? "" : path.getFileName().toString();
    }
}
