package dev.ferry.report.internal;

import dev.ferry.report.Analysis;
import dev.ferry.report.Comparison;
import dev.ferry.report.Kind;
import dev.ferry.report.Latency;
import dev.ferry.report.ObjectiveOutcome;
import dev.ferry.report.ObjectiveStatus;
import dev.ferry.report.Ratio;
import dev.ferry.report.Result;
import dev.ferry.report.RunInfo;
import dev.ferry.report.Verdict;

import java.awt.Color;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report as one self-contained HTML page: inline CSS and charts as inline PNG images ({@code data:} URIs), no
 * script, no external reference.
 */
public final class HtmlPage
{
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
        .withZone(ZoneOffset.UTC);

    private static final String CSS = """
        :root { --fg: #1f2933; --muted: #5f6b7a; --line: #e3e6ea; --bg: #f6f7f9; --card: #fff;
          --red: #b42318; --red-bg: #fdecea; --green: #1e7b34; --green-bg: #e7f5ea; --grey-bg: #eef0f3;
          --amber: #8a5a00; --amber-bg: #fff4d6; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
        header.top { background: #14202e; color: #fff; }
        header.top > div { max-width: 1120px; margin: 0 auto; padding: 22px 28px 18px; }
        header.top h1 { margin: 0 0 4px; font-size: 24px; font-weight: 650; letter-spacing: .2px; }
        header.top p { margin: 0; color: #b9c4d0; }
        h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
        h3 { font-size: 15px; margin: 22px 0 8px; }
        h3 small, .muted { color: var(--muted); font-weight: normal; }
        code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px;
          margin-top: 4px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
        .card .n { font-size: 26px; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; }
        .card .l { color: var(--muted); font-size: 12.5px; }
        .card.bad .n { color: var(--red); } .card.good .n { color: var(--green); }
        .runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
        .runs h3 { margin: 0 0 2px; }
        .runs .src { color: var(--muted); margin-bottom: 8px; word-break: break-all; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0; }
        dt { color: var(--muted); } dd { margin: 0; word-break: break-word; }
        table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line);
          border-radius: 8px; overflow: hidden; font-size: 13px; margin: 8px 0 4px; }
        th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #f0f2f5; font-weight: 600; font-size: 12.5px; color: #3d4754; }
        tr:last-child td { border-bottom: none; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.base td { background: #fafbfc; color: #4a5563; }
        .sub { display: block; color: var(--muted); font-size: 11.5px; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11.5px; font-weight: 650;
          letter-spacing: .3px; white-space: nowrap; }
        .b-red { background: var(--red-bg); color: var(--red); }
        .b-green { background: var(--green-bg); color: var(--green); }
        .b-grey { background: var(--grey-bg); color: #4a5563; }
        .b-amber { background: var(--amber-bg); color: var(--amber); }
        .tag { display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 4px; font-size: 11px;
          background: var(--grey-bg); color: var(--muted); }
        figure { margin: 8px 0 6px; background: var(--card); border: 1px solid var(--line); border-radius: 8px;
          padding: 10px 10px 4px; }
        figure img { display: block; width: 100%; height: auto; }
        figcaption { color: var(--muted); font-size: 12.5px; padding: 2px 6px 6px; }
        details { margin: 8px 0; } summary { cursor: pointer; color: var(--muted); }
        .note { background: var(--card); border: 1px solid var(--line); border-left: 4px solid #9aa5b1;
          border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
        ul.method { padding-left: 20px; color: #3d4754; } ul.method li { margin: 3px 0; }
        footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
        """;

    private final Analysis analysis;
    private final StringBuilder out = new StringBuilder(256 * 1024);
    private int chartCount;

    private HtmlPage(final Analysis analysis)
    {
        this.analysis = analysis;
    }

    /**
     * @param analysis what to show.
     * @return the page.
     */
    public static String render(final Analysis analysis)
    {
        return new HtmlPage(analysis).page();
    }

    private String page()
    {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .append("<title>Ferry performance report</title>\n<style>\n").append(CSS)
            .append("</style>\n</head>\n<body>\n");
        out.append("<header class=\"top\"><div><h1>Ferry performance report</h1><p>Generated ")
            .append(esc(DATE.format(analysis.generatedAt()))).append(" · ").append(esc(analysis.summaryLine()))
            .append("</p></div></header>\n<main>\n");
        summaryCards();
        runs();
        objectives();
        latency();
        benchThroughput();
        jmh();
        comparison();
        method();
        out.append("<footer>Made by <code>dev.ferry.report.Report</code> from the files named above. ")
            .append("Self-contained: no script, no external reference.</footer>\n</main>\n</body>\n</html>\n");
        return out.toString();
    }

    private void summaryCards()
    {
        out.append("<section class=\"cards\" id=\"summary\">\n");
        card(Integer.toString(analysis.results().size()), "results", "");
        if (null != analysis.baseline())
        {
            final long regressions = analysis.count(Verdict.REGRESSION);
            card(Long.toString(regressions), "results regressed vs committed baseline", regressions > 0 ? "bad" : "");
            final long improvements = analysis.count(Verdict.IMPROVEMENT);
            card(Long.toString(improvements), "results improved", improvements > 0 ? "good" : "");
        }
        else
        {
            card(Format.NONE, "no committed baseline given", "");
        }
        if (!analysis.objectives().isEmpty())
        {
            final long met = analysis.count(ObjectiveStatus.MET);
            final long missed = analysis.count(ObjectiveStatus.MISSED);
            card(met + " / " + analysis.objectives().size(), "objectives met", missed == 0 && met > 0 ? "good" : "");
            card(Long.toString(missed), "objectives missed", missed > 0 ? "bad" : "");
            card(Long.toString(analysis.count(ObjectiveStatus.NOT_RUN)), "objectives not run", "");
        }
        out.append("</section>\n");
    }

    private void card(final String number, final String label, final String cls)
    {
        out.append("<div class=\"card ").append(cls).append("\"><div class=\"n\">").append(esc(number))
            .append("</div><div class=\"l\">").append(esc(label)).append("</div></div>\n");
    }

    private void runs()
    {
        out.append("<h2 id=\"run\">Run</h2>\n<section class=\"runs\">\n");
        for (final RunInfo run : analysis.runs())
        {
            runCard(run);
        }
        out.append("</section>\n");
    }

    private void runCard(final RunInfo run)
    {
        out.append("<div class=\"card\"><h3>").append(esc(run.title())).append("</h3><div class=\"src\"><code>")
            .append(esc(run.source())).append("</code></div><dl>\n");
        for (final Map.Entry<String, String> field : run.fields().entrySet())
        {
            final boolean code = "Command".equals(field.getKey()) || "JVM args".equals(field.getKey());
            out.append("<dt>").append(esc(field.getKey())).append("</dt><dd>")
                .append(code ? "<code>" : "").append(esc(field.getValue())).append(code ? "</code>" : "")
                .append("</dd>\n");
        }
        out.append("</dl></div>\n");
    }

    private void objectives()
    {
        if (analysis.objectives().isEmpty())
        {
            return;
        }
        out.append("<h2 id=\"objectives\">Objectives</h2>\n<table>\n<tr><th>Status</th><th>Objective</th>")
            .append("<th class=\"num\">Measured</th><th class=\"num\">Bound</th><th>From</th></tr>\n");
        for (final ObjectiveOutcome outcome : analysis.objectives())
        {
            final String badge = switch (outcome.status())
            {
                case MET -> "b-green";
                case MISSED -> "b-red";
                case NOT_RUN -> "b-grey";
            };
            out.append("<tr><td><span class=\"badge ").append(badge).append("\">")
                .append(esc(outcome.status().label())).append("</span></td><td>")
                .append(esc(outcome.objective().name())).append("</td><td class=\"num\">")
                .append(esc(Texts.measured(outcome))).append("</td><td class=\"num\">")
                .append(esc(outcome.bounds())).append("</td><td>").append(esc(Texts.objectiveDetail(outcome)))
                .append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void latency()
    {
        final List<Page.LatencyGroup> groups = Page.latencyGroups(analysis);
        if (groups.isEmpty())
        {
            return;
        }
        out.append("<h2 id=\"latency\">Latency</h2>\n<p class=\"muted\">Percentile distributions plotted the ")
            .append("HdrHistogram way: the x axis is the percentile on a log scale of 1/(1−p), the y axis the ")
            .append("latency in µs. Grey is the same-run baseline")
            .append(null == analysis.baseline() ? "" : "; dashed lines are the committed baseline")
            .append(". Under each value, its ratio to the same-run baseline (lower is better).</p>\n");
        for (final Page.LatencyGroup group : groups)
        {
            latencyGroup(group);
        }
    }

    private void latencyGroup(final Page.LatencyGroup group)
    {
        final List<Charts.Line> lines = new ArrayList<>();
        int colour = 0;
        for (final Result subject : group.subjects())
        {
            final Color color = Charts.PALETTE.get(colour++ % Charts.PALETTE.size());
            lines.add(line(subject, subject.label(), color, false));
            final Result committed = analysis.committedResult(subject.id());
            if (null != committed && Kind.LATENCY == committed.kind())
            {
                lines.add(line(committed, subject.label() + " (committed baseline)", color, true));
            }
        }
        if (null != group.baseline())
        {
            final Result baseline = group.baseline();
            lines.add(line(baseline, baseline.label() + " (same-run baseline)", Charts.BASELINE, false));
        }
        final String title = group.subjects().size() == 1 ? group.subjects().getFirst().label() :
            group.subjects().size() + " latency results";
        out.append("<h3>").append(esc(title)).append(null == group.baseline() ? "" :
            " <small>vs " + esc(group.baseline().label()) + "</small>").append("</h3>\n<figure>")
            .append(Charts.latency(nextChartId(), lines)).append("<figcaption>")
            .append(esc(Texts.latencyCaption(group.all()))).append("</figcaption></figure>\n");
        latencyTable(group);
    }

    private Charts.Line line(final Result result, final String label, final Color color, final boolean dashed)
    {
        return new Charts.Line(label, result.latency().curve(), color, dashed, !result.latency().fromHlog());
    }

    private void latencyTable(final Page.LatencyGroup group)
    {
        final List<String> columns = Page.percentileColumns(group);
        out.append("<table>\n<tr><th>Result</th><th class=\"num\">Samples</th>");
        for (final String column : columns)
        {
            out.append("<th class=\"num\">").append(Latency.MAX.equals(column) ? "max" : "p" + esc(column))
                .append(" µs</th>");
        }
        out.append("</tr>\n");
        for (final Result result : group.all())
        {
            final boolean base = result == group.baseline();
            out.append(base ? "<tr class=\"base\">" : "<tr>").append("<td>").append(esc(result.label()))
                .append(base ? "<span class=\"tag\">baseline</span>" : "").append("<span class=\"sub\">")
                .append(esc(Texts.latencySource(result))).append("</span></td><td class=\"num\">")
                .append(result.latency().count() < 0 ? Format.NONE : Format.number(result.latency().count()))
                .append("</td>");
            for (final String column : columns)
            {
                final Double value = result.latency().percentiles().get(column);
                out.append("<td class=\"num\">").append(esc(null == value ? Format.NONE : Format.number(value)));
                final Ratio ratio = Page.ratio(analysis, result, column);
                if (null != ratio)
                {
                    out.append("<span class=\"sub\">").append(esc(Format.ratio(ratio.value()))).append("</span>");
                }
                out.append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private void benchThroughput()
    {
        final Map<String, List<Result>> byUnit = Page.benchThroughputByUnit(analysis);
        if (byUnit.isEmpty())
        {
            return;
        }
        out.append("<h2 id=\"throughput\">Throughput</h2>\n<p class=\"muted\">End-to-end harness results, ")
            .append("value ± margin as measured; grey bars are same-run baselines. Higher is better.</p>\n");
        for (final Map.Entry<String, List<Result>> unit : byUnit.entrySet())
        {
            final List<Charts.Bar> bars = new ArrayList<>();
            for (final Result result : unit.getValue())
            {
                bars.add(new Charts.Bar("value", result.label(), result.value(), result.error(),
                    Page.isBaseline(analysis, result) ? Charts.BASELINE : Charts.PALETTE.getFirst()));
            }
            out.append("<figure>").append(Charts.bars(nextChartId(), unit.getKey() + " (higher is better)", bars))
                .append("</figure>\n");
            out.append("<table>\n<tr><th>Result</th><th class=\"num\">Value</th><th>Unit</th>")
                .append("<th>Same-run baseline</th><th class=\"num\">Ratio <span class=\"sub\">higher is better</span>")
                .append("</th></tr>\n");
            for (final Result result : unit.getValue())
            {
                final Ratio ratio = Page.ratio(analysis, result, null);
                final boolean base = Page.isBaseline(analysis, result);
                out.append(base ? "<tr class=\"base\">" : "<tr>").append("<td>").append(esc(result.label()))
                    .append(base ? "<span class=\"tag\">baseline</span>" : "").append("</td><td class=\"num\">")
                    .append(esc(Format.withError(result.value(), result.error()))).append("</td><td>")
                    .append(esc(result.unit())).append("</td><td>")
                    .append(esc(null == result.baselineId() ? "" : result.baselineId()))
                    .append("</td><td class=\"num\">")
                    .append(esc(null == ratio ? "" : Format.ratio(ratio.value(), ratio.error())))
                    .append("</td></tr>\n");
            }
            out.append("</table>\n");
        }
    }

    private void jmh()
    {
        final Map<String, List<Result>> byClass = Page.jmhByClassAndMode(analysis);
        if (byClass.isEmpty())
        {
            return;
        }
        out.append("<h2 id=\"jmh\">JMH benchmarks</h2>\n<p class=\"muted\">Score ± JMH's 99.9% confidence ")
            .append("half-width. Within a class, a method named <code>raw…</code>, <code>baseline…</code>, ")
            .append("<code>…Baseline</code> or <code>memcpy</code> is the baseline (grey) of the other methods ")
            .append("with the same params. Allocation is JMH's <code>gc.alloc.rate.norm</code>; hot paths should ")
            .append("allocate nothing, so more than ").append(Format.number(Result.ALLOC_LIMIT_BYTES_PER_OP))
            .append(" B/op is marked.</p>\n");
        for (final List<Result> group : byClass.values())
        {
            jmhGroup(group);
        }
    }

    private void jmhGroup(final List<Result> group)
    {
        final Result first = group.getFirst();
        final String constant = Page.constantParams(group);
        out.append("<h3>").append(esc(Page.simpleName(first.group()))).append(" <small>")
            .append(esc(Page.modeText(first))).append(constant.isEmpty() ? "" : " · all with " + esc(constant))
            .append("</small></h3>\n");
        final Set<String> varying = Page.varyingParams(group);
        final List<String> methods = group.stream().map(Result::name).distinct().toList();
        final List<Charts.Bar> bars = new ArrayList<>();
        for (final Result result : group)
        {
            final int index = methods.indexOf(result.name());
            bars.add(new Charts.Bar(result.name(), Page.category(result, varying),
                result.value(), result.error(), Page.isBaseline(analysis, result) ? Charts.BASELINE :
                Charts.PALETTE.get(index % Charts.PALETTE.size())));
        }
        out.append("<figure>").append(Charts.bars(nextChartId(), first.unit() + " (" + first.kind().direction() + ")",
            bars)).append("</figure>\n");
        out.append("<table>\n<tr><th>Method</th><th>Params</th><th class=\"num\">Score</th><th>Unit</th>")
            .append("<th class=\"num\">vs same-run baseline<span class=\"sub\">").append(esc(first.kind().direction()))
            .append("</span></th><th class=\"num\">Alloc B/op</th></tr>\n");
        for (final Result result : group)
        {
            final boolean base = Page.isBaseline(analysis, result);
            final Ratio ratio = Page.ratio(analysis, result, null);
            out.append(base ? "<tr class=\"base\">" : "<tr>").append("<td>").append(esc(result.name()))
                .append(base ? "<span class=\"tag\">baseline</span>" : "").append("</td><td>")
                .append(esc(result.paramsText())).append("</td><td class=\"num\">")
                .append(esc(Format.withError(result.value(), result.error()))).append("</td><td>")
                .append(esc(result.unit())).append("</td><td class=\"num\">")
                .append(esc(null == ratio ? "" : Format.ratio(ratio.value(), ratio.error())))
                .append(null == ratio ? "" : "<span class=\"sub\">vs " + esc(ratio.baseline().name()) + "</span>")
                .append("</td><td class=\"num\">").append(esc(Format.number(result.allocBytesPerOp())))
                .append(result.allocates() ? " <span class=\"badge b-amber\">allocates</span>" : "")
                .append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void comparison()
    {
        out.append("<h2 id=\"comparison\">Against the committed baseline</h2>\n");
        if (null == analysis.baseline())
        {
            out.append("<p class=\"muted\">No committed baseline was given (<code>--baseline DIR</code>).</p>\n");
            return;
        }
        out.append("<p class=\"muted\">Committed results in <code>").append(esc(analysis.baseline()))
            .append("</code>").append(esc(Texts.baselineRuns(analysis))).append(". ")
            .append(esc(Texts.comparisonRule(analysis.tolerance()))).append("</p>\n");
        out.append("<p>Results: ");
        for (final Verdict verdict : Verdict.values())
        {
            final long n = analysis.count(verdict);
            out.append("<span class=\"badge ").append(badge(verdict)).append("\">").append(n)
                .append(' ').append(esc(Texts.verdictWord(verdict, n))).append("</span> ");
        }
        out.append("</p>\n");
        final List<Comparison> flagged = analysis.comparisons().stream()
            .filter((c) -> Verdict.UNCHANGED != c.verdict())
            .sorted((a, b) -> Integer.compare(a.verdict().ordinal(), b.verdict().ordinal()))
            .toList();
        final List<Comparison> unchanged = analysis.comparisons().stream()
            .filter((c) -> Verdict.UNCHANGED == c.verdict())
            .toList();
        if (!flagged.isEmpty())
        {
            comparisonTable(flagged);
        }
        if (!unchanged.isEmpty())
        {
            out.append("<details").append(flagged.isEmpty() ? " open" : "").append("><summary>")
                .append(unchanged.size()).append(" values unchanged within their margins</summary>\n");
            comparisonTable(unchanged);
            out.append("</details>\n");
        }
    }

    private void comparisonTable(final List<Comparison> comparisons)
    {
        out.append("<table>\n<tr><th>Verdict</th><th>Result</th><th>Metric</th><th class=\"num\">This run</th>")
            .append("<th class=\"num\">Committed</th><th class=\"num\">Change</th>")
            .append("<th class=\"num\">Flagged beyond</th>")
            .append("</tr>\n");
        for (final Comparison c : comparisons)
        {
            out.append("<tr><td><span class=\"badge ").append(badge(c.verdict())).append("\">")
                .append(esc(c.verdict().label())).append("</span></td><td>").append(esc(c.label()))
                .append("<span class=\"sub\">").append(esc(c.kind().direction())).append("</span></td><td>")
                .append(esc(c.metric())).append("</td><td class=\"num\">")
                .append(esc(Format.withError(c.current(), c.currentError())))
                .append(Double.isNaN(c.current()) ? "" : "<span class=\"sub\">" + esc(c.unit()) + "</span>")
                .append("</td><td class=\"num\">")
                .append(esc(Format.withError(c.committed(), c.committedError()))).append("</td><td class=\"num\">")
                .append(esc(Format.change(c.change()))).append("</td><td class=\"num\">")
                .append(esc(Texts.threshold(c))).append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void method()
    {
        out.append("<h2 id=\"method\">How to read this</h2>\n<ul class=\"method\">\n");
        for (final String line : Texts.method(analysis.tolerance()))
        {
            out.append("<li>").append(esc(line)).append("</li>\n");
        }
        out.append("</ul>\n");
        for (final String note : analysis.notes())
        {
            out.append("<div class=\"note\">").append(esc(note)).append("</div>\n");
        }
    }

    private static String badge(final Verdict verdict)
    {
        return switch (verdict)
        {
            case REGRESSION -> "b-red";
            case IMPROVEMENT -> "b-green";
            case UNCHANGED, NOT_RUN -> "b-grey";
            case NEW -> "b-amber";
        };
    }

    private String nextChartId()
    {
        return "chart-" + ++chartCount;
    }

    static String esc(final String text)
    {
        if (null == text)
        {
            return "";
        }
        final StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
