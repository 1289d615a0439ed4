package dev.ferry.report.internal;

import dev.ferry.report.Analysis;
import dev.ferry.report.Comparison;
import dev.ferry.report.Latency;
import dev.ferry.report.ObjectiveOutcome;
import dev.ferry.report.Ratio;
import dev.ferry.report.Result;
import dev.ferry.report.RunInfo;
import dev.ferry.report.Verdict;

import java.util.List;
import java.util.Map;

/**
 * The report as Markdown tables (GitHub flavour), for a pull request or a CI summary; the charts are in the HTML page.
 */
public final class MarkdownPage
{
    private final Analysis analysis;
    private final StringBuilder out = new StringBuilder(64 * 1024);

    private MarkdownPage(final Analysis analysis)
    {
        this.analysis = analysis;
    }

    /**
     * @param analysis what to show.
     * @return the Markdown.
     */
    public static String render(final Analysis analysis)
    {
        return new MarkdownPage(analysis).page();
    }

    private String page()
    {
        out.append("# Ferry performance report\n\n")
            .append("Generated ").append(HtmlPage.DATE.format(analysis.generatedAt())).append(". **")
            .append(cell(analysis.summaryLine())).append("**. Charts: `index.html` beside this file.\n");
        runs();
        objectives();
        latency();
        benchThroughput();
        jmh();
        comparison();
        if (!analysis.notes().isEmpty())
        {
            out.append("\n## Notes\n\n");
            analysis.notes().forEach((note) -> out.append("- ").append(note).append('\n'));
        }
        return out.toString();
    }

    private void runs()
    {
        out.append("\n## Run\n");
        for (final RunInfo run : analysis.runs())
        {
            out.append("\n**").append(run.title()).append("** `").append(run.source()).append("`\n\n");
            for (final Map.Entry<String, String> field : run.fields().entrySet())
            {
                out.append("- ").append(field.getKey()).append(": ").append(cell(field.getValue())).append('\n');
            }
        }
    }

    private void objectives()
    {
        if (analysis.objectives().isEmpty())
        {
            return;
        }
        out.append("\n## Objectives\n\n| Status | Objective | Measured | Bound | From |\n|---|---|--:|--:|---|\n");
        for (final ObjectiveOutcome outcome : analysis.objectives())
        {
            row("**" + outcome.status().label() + "**", outcome.objective().name(), Texts.measured(outcome),
                outcome.bounds(), Texts.objectiveDetail(outcome));
        }
    }

    private void latency()
    {
        final List<Page.LatencyGroup> groups = Page.latencyGroups(analysis);
        if (groups.isEmpty())
        {
            return;
        }
        out.append("\n## Latency (µs)\n\nRatio to the same-run baseline in parentheses; lower is better.\n");
        for (final Page.LatencyGroup group : groups)
        {
            final List<String> columns = Page.percentileColumns(group);
            out.append("\n| Result | Samples |");
            columns.forEach((c) -> out.append(Latency.MAX.equals(c) ? " max |" : " p" + c + " |"));
            out.append("\n|---|--:|");
            columns.forEach((c) -> out.append("--:|"));
            out.append('\n');
            for (final Result result : group.all())
            {
                out.append("| ").append(cell(result.label()))
                    .append(result == group.baseline() ? " *(baseline)*" : "").append(" | ")
                    .append(result.latency().count() < 0 ? Format.NONE : Format.number(result.latency().count()))
                    .append(" |");
                for (final String column : columns)
                {
                    final Double value = result.latency().percentiles().get(column);
                    final Ratio ratio = Page.ratio(analysis, result, column);
                    out.append(' ').append(null == value ? Format.NONE : Format.number(value))
                        .append(null == ratio ? "" : " (" + Format.ratio(ratio.value()) + ")").append(" |");
                }
                out.append('\n');
            }
        }
    }

    private void benchThroughput()
    {
        final Map<String, List<Result>> byUnit = Page.benchThroughputByUnit(analysis);
        if (byUnit.isEmpty())
        {
            return;
        }
        out.append("\n## Throughput\n\n| Result | Value | Unit | Same-run baseline | Ratio (higher is better) |\n")
            .append("|---|--:|---|---|--:|\n");
        for (final List<Result> results : byUnit.values())
        {
            for (final Result result : results)
            {
                final Ratio ratio = Page.ratio(analysis, result, null);
                row(result.label(), Format.withError(result.value(), result.error()), result.unit(),
                    null == result.baselineId() ? "" : result.baselineId(),
                    null == ratio ? "" : Format.ratio(ratio.value(), ratio.error()));
            }
        }
    }

    private void jmh()
    {
        final Map<String, List<Result>> byClass = Page.jmhByClassAndMode(analysis);
        if (byClass.isEmpty())
        {
            return;
        }
        out.append("\n## JMH benchmarks\n");
        for (final List<Result> group : byClass.values())
        {
            final Result first = group.getFirst();
            out.append("\n### ").append(Page.simpleName(first.group())).append(" (")
                .append(Page.modeText(first)).append(")\n\n")
                .append("| Method | Params | Score | Unit | vs same-run baseline | Alloc B/op |\n")
                .append("|---|---|--:|---|--:|--:|\n");
            for (final Result result : group)
            {
                final Ratio ratio = Page.ratio(analysis, result, null);
                row(result.name() + (Page.isBaseline(analysis, result) ? " *(baseline)*" : ""), result.paramsText(),
                    Format.withError(result.value(), result.error()), result.unit(),
                    null == ratio ? "" : Format.ratio(ratio.value(), ratio.error()) + " vs " + ratio.baseline().name(),
                    Format.number(result.allocBytesPerOp()) + (result.allocates() ? " ⚠ allocates" : ""));
            }
        }
    }

    private void comparison()
    {
        out.append("\n## Against the committed baseline\n\n");
        if (null == analysis.baseline())
        {
            out.append("No committed baseline was given.\n");
            return;
        }
        out.append("Committed results in `").append(analysis.baseline()).append('`')
            .append(Texts.baselineRuns(analysis)).append(". ").append(Texts.comparisonRule(analysis.tolerance()))
            .append("\n\n");
        out.append("Results: ").append(Texts.verdictCounts(analysis))
            .append(".\n\n| Verdict | Result | Metric | This run | Committed | Change | Flagged beyond |\n")
            .append("|---|---|---|--:|--:|--:|--:|\n");
        analysis.comparisons().stream()
            .sorted((a, b) -> Integer.compare(a.verdict().ordinal(), b.verdict().ordinal()))
            .forEach(this::comparisonRow);
    }

    private void comparisonRow(final Comparison c)
    {
        final String verdict = Verdict.REGRESSION == c.verdict() || Verdict.IMPROVEMENT == c.verdict() ?
            "**" + c.verdict().label() + "**" : c.verdict().label();
        row(verdict, c.label(), c.metric(),
            Format.withError(c.current(), c.currentError()) + (Double.isNaN(c.current()) ? "" : " " + c.unit()),
            Format.withError(c.committed(), c.committedError()), Format.change(c.change()), Texts.threshold(c));
    }

    private void row(final String... cells)
    {
        out.append('|');
        for (final String cell : cells)
        {
            out.append(' ').append(cell(cell)).append(" |");
        }
        out.append('\n');
    }

    private static String cell(final String text)
    {
        return null == text ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
