package dev.ferry.report;

import dev.ferry.report.input.BenchSummary;
import dev.ferry.report.input.Inputs;
import dev.ferry.report.input.JmhResult;
import dev.ferry.report.input.ReportInputException;
import dev.ferry.report.internal.HtmlPage;
import dev.ferry.report.internal.MarkdownPage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a report from result files: give the inputs, then {@link #analyse()} for the numbers or
 * {@link #write(Path)} for the pages.
 * <pre>{@code
 * ReportFiles files = new ReportBuilder()
 *     .jmh(Path.of("jmh-result.json"))
 *     .bench(Path.of("bench-out"))
 *     .baseline(Path.of("perf-reports/baseline"))
 *     .objectives(Path.of("perf-reports/objectives.json"))
 *     .write(Path.of("perf-reports/target/report"));
 * }</pre>
 */
public final class ReportBuilder
{
    /** The relative tolerance for values without an error: 25%. */
    public static final double DEFAULT_TOLERANCE = 0.25;

    private final List<Path> jmh = new ArrayList<>();
    private final List<Path> bench = new ArrayList<>();
    private Path baseline;
    private Path objectives;
    private double tolerance = DEFAULT_TOLERANCE;
    private Instant generatedAt;

    /**
     * A builder with no inputs yet and the {@link #DEFAULT_TOLERANCE}.
     */
    public ReportBuilder()
    {
    }

    /**
     * @param file a JMH {@code -rf json} result file.
     * @return this.
     */
    public ReportBuilder jmh(final Path file)
    {
        jmh.add(file);
        return this;
    }

    /**
     * @param dir the harness's output directory (or its {@code summary.json}).
     * @return this.
     */
    public ReportBuilder bench(final Path dir)
    {
        bench.add(dir);
        return this;
    }

    /**
     * @param dir a directory of committed results ({@code jmh*.json} files, harness directories) to compare with.
     * @return this.
     */
    public ReportBuilder baseline(final Path dir)
    {
        this.baseline = dir;
        return this;
    }

    /**
     * @param file a JSON array of objectives.
     * @return this.
     */
    public ReportBuilder objectives(final Path file)
    {
        this.objectives = file;
        return this;
    }

    /**
     * @param relative the tolerance for values without an error, 0.25 for 25%.
     * @return this.
     * @throws IllegalArgumentException if negative or not finite.
     */
    public ReportBuilder tolerance(final double relative)
    {
        if (!Double.isFinite(relative) || relative < 0)
        {
            throw new IllegalArgumentException("tolerance must be a fraction >= 0, e.g. 0.25; got " + relative);
        }
        this.tolerance = relative;
        return this;
    }

    /**
     * @param time the time the report states it was made, for reproducible output; default now.
     * @return this.
     */
    public ReportBuilder generatedAt(final Instant time)
    {
        this.generatedAt = time;
        return this;
    }

    /**
     * Read the inputs and compute ratios, comparisons and objectives.
     *
     * @return the analysis.
     * @throws ReportInputException naming the file when an input is missing or malformed.
     * @throws IllegalStateException when no JMH file or harness directory was given.
     */
    public Analysis analyse()
    {
        if (jmh.isEmpty() && bench.isEmpty())
        {
            throw new IllegalStateException("nothing to report: give at least one JMH file or harness directory");
        }
        final List<String> notes = new ArrayList<>();
        final List<RunInfo> runs = new ArrayList<>();
        final List<Result> results = read(jmh, bench, runs, notes);

        final List<RunInfo> baselineRuns = new ArrayList<>();
        List<Result> committed = List.of();
        List<Comparison> comparisons = List.of();
        if (null != baseline)
        {
            final Inputs.ResultFiles files = Inputs.scan(baseline);
            if (files.isEmpty())
            {
                notes.add("The committed baseline " + baseline + " holds no jmh*.json file and no summary.json.");
            }
            committed = read(files.jmh(), files.bench(), baselineRuns, new ArrayList<>());
            comparisons = Comparisons.of(results, committed, tolerance);
        }

        final List<ObjectiveOutcome> outcomes = null == objectives ? List.of() :
            Objectives.evaluate(Inputs.readObjectives(objectives), results);
        final List<Ratio> ratios = Ratios.of(results, notes);
        return new Analysis(
            null == generatedAt ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : generatedAt,
            List.copyOf(runs),
            List.copyOf(results),
            ratios,
            outcomes,
            null == baseline ? null : baseline.toString(),
            List.copyOf(baselineRuns),
            List.copyOf(committed),
            comparisons,
            tolerance,
            List.copyOf(notes));
    }

    /**
     * Analyse, then write {@value ReportFiles#HTML} and {@value ReportFiles#MARKDOWN} into a directory.
     *
     * @param outDir the directory, created if missing.
     * @return the files written and the analysis.
     * @throws ReportInputException naming the file when an input is missing or malformed.
     * @throws UncheckedIOException when the output cannot be written.
     */
    public ReportFiles write(final Path outDir)
    {
        return write(analyse(), outDir);
    }

    /**
     * Write an analysis as {@value ReportFiles#HTML} and {@value ReportFiles#MARKDOWN}.
     *
     * @param analysis the analysis.
     * @param outDir   the directory, created if missing.
     * @return the files written.
     * @throws UncheckedIOException when the output cannot be written.
     */
    public static ReportFiles write(final Analysis analysis, final Path outDir)
    {
        final Path html = outDir.resolve(ReportFiles.HTML);
        final Path markdown = outDir.resolve(ReportFiles.MARKDOWN);
        try
        {
            Files.createDirectories(outDir);
            Files.writeString(html, HtmlPage.render(analysis), StandardCharsets.UTF_8);
            Files.writeString(markdown, MarkdownPage.render(analysis), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the report to " + outDir + ": " + ex.getMessage(), ex);
        }
        return new ReportFiles(html, markdown, analysis);
    }

    private static List<Result> read(
        final List<Path> jmhFiles,
        final List<Path> benchDirs,
        final List<RunInfo> runs,
        final List<String> notes)
    {
        final List<Result> results = new ArrayList<>();
        for (final Path dir : benchDirs)
        {
            final BenchSummary summary = Inputs.readBench(dir);
            runs.add(RunInfos.ofBench(dir, summary));
            Results.addAll(results, Results.fromBench(dir, summary), name(dir), notes);
        }
        for (final Path file : jmhFiles)
        {
            final List<JmhResult> records = Inputs.readJmh(file);
            runs.add(RunInfos.ofJmh(file, records));
            Results.addAll(results, Results.fromJmh(file, records), name(file), notes);
        }
        return results;
    }

    private static String name(final Path path)
    {
        final Path name = path.toAbsolutePath().normalize().getFileName();
        return null == name ? path.toString() : name.toString();
    }
}
