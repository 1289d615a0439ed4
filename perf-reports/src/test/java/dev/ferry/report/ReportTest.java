package dev.ferry.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void shouldWriteBothPagesAndExitZeroDespiteRegressions() throws IOException
    {
        final Path outDir = dir.resolve("report");
        final int exit = run("--jmh", Fixtures.runJmh().toString(), "--bench", Fixtures.runBench().toString(),
            "--baseline", Fixtures.baseline().toString(), "--objectives=" + Fixtures.objectives(),
            "--out", outDir.toString());

        assertEquals(0, exit, stderr());
        assertEquals("", stderr());
        assertEquals(List.of(outDir.resolve("index.html").toString(), outDir.resolve("report.md").toString(),
            "16 results, 3 regressions, 2 improvements; objectives: 2 met, 1 missed, 1 not run"), stdoutLines());
        final String html = Files.readString(outDir.resolve("index.html"));
        final String markdown = Files.readString(outDir.resolve("report.md"));
        for (final String page : List.of(html, markdown))
        {
            for (final String expected : List.of("2.42×", "0.49×", "0.93×", "MISSED", "NOT RUN", "1,234,567 ± 12,000",
                "49.34", "20.41", "2026-11-22 01:50:00 UTC", "Java 25.0.1", "./ferry bench --duration 5",
                "OpenJDK 64-Bit Server VM 25.0.1+8-LTS", "1.39× ± 0.06", "+37.6%", "-25.0%", "24 ", "allocates"))
            {
                assertTrue(page.contains(expected), "missing " + expected);
            }
        }
    }

    @Test
    void shouldWriteOneSelfContainedPage() throws IOException
    {
        final String html = Files.readString(Fixtures.everything().write(dir).html());
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        final List<ChartImages.Chart> charts = ChartImages.of(html);
        assertEquals(5, charts.size(), "1 latency, 1 harness throughput and 3 JMH charts");
        assertEquals(charts.size(), count(html, "<img "), "every image is a chart with an inline PNG");
        assertEquals(List.of("chart-1", "chart-2", "chart-3", "chart-4", "chart-5"),
            charts.stream().map(ChartImages.Chart::id).toList(), "each chart's id is its own");
        assertEquals(420, charts.getFirst().height(), "the latency chart's height");
        assertTrue(charts.getFirst().alt().startsWith("Latency in µs by percentile: latency.appendToAck.100000perSec"),
            charts.getFirst().alt());
        assertFalse(html.contains("<svg"), "no inline SVG");
        for (final String external : List.of("http://", "https://", "<script", "<link", "@import", "srcset=", "href="))
        {
            assertFalse(html.contains(external), "references something outside: " + external);
        }
        assertEquals(charts.size(), count(html, " src="), "a src other than a chart's");
        assertEquals(charts.size(), count(html, " src=\"" + ChartImages.DATA_PNG), "a src that is not an inline PNG");
        assertFalse(Pattern.compile("url\\((?!#)").matcher(html).find(), "a url() to something outside the page");
    }

    @Test
    void shouldBeReproducibleForTheSameInputs() throws IOException
    {
        final ReportFiles first = Fixtures.everything().write(dir.resolve("a"));
        final ReportFiles second = Fixtures.everything().write(dir.resolve("b"));
        assertEquals(Files.readString(first.html()), Files.readString(second.html()));
        assertEquals(Files.readString(first.markdown()), Files.readString(second.markdown()));
    }

    @Test
    void shouldExitTwoForAnUnknownFlag()
    {
        assertEquals(Report.EXIT_USAGE, run("--jmh", Fixtures.runJmh().toString(), "--bogus"));
        assertEquals("report: unknown flag --bogus (see 'ferry report --help')\n", stderr());
        assertEquals("", stdout());
    }

    @Test
    void shouldExitTwoForAMissingOrBadValue()
    {
        assertEquals(Report.EXIT_USAGE, run("--jmh"));
        assertEquals("report: --jmh needs a value (see 'ferry report --help')\n", stderr());
        err.reset();
        assertEquals(Report.EXIT_USAGE, run("--jmh", Fixtures.runJmh().toString(), "--tolerance", "a lot"));
        assertTrue(stderr().startsWith("report: --tolerance needs a fraction"), stderr());
        err.reset();
        assertEquals(Report.EXIT_USAGE, run("--jmh", Fixtures.runJmh().toString(), "--tolerance=-1"));
        assertTrue(stderr().startsWith("report: tolerance must be a fraction >= 0"), stderr());
    }

    @Test
    void shouldExitTwoWithNothingToReport()
    {
        assertEquals(Report.EXIT_USAGE, run("--baseline", Fixtures.baseline().toString()));
        assertTrue(stderr().startsWith("report: nothing to report"), stderr());
    }

    @Test
    void shouldExitTwoAndNameTheMalformedFile() throws IOException
    {
        final Path broken = dir.resolve("jmh-broken.json");
        Files.writeString(broken, "[{\"benchmark\": ");
        final Path outDir = dir.resolve("never");
        assertEquals(Report.EXIT_USAGE, run("--jmh", broken.toString(), "--out", outDir.toString()));
        final String message = stderr();
        assertTrue(message.startsWith("report: " + broken + ": malformed JSON"), message);
        assertEquals(1, message.lines().count(), "one line");
        assertFalse(Files.exists(outDir), "nothing written");
    }

    @Test
    void shouldExitTwoForAMissingBenchDirectory()
    {
        final Path missing = dir.resolve("no-bench");
        assertEquals(Report.EXIT_USAGE, run("--bench", missing.toString(), "--out", dir.toString()));
        assertEquals("report: " + missing.resolve("summary.json") + ": missing or not readable\n", stderr());
    }

    @Test
    void shouldPrintHelp()
    {
        assertEquals(0, run("--help"));
        assertTrue(stdout().startsWith("Usage: ferry report"), stdout());
        assertTrue(stdout().contains("--jmh FILE"));
    }

    @Test
    void shouldReadTheCommittedBaselineAndObjectives()
    {
        final Path moduleDir = Path.of("").toAbsolutePath();
        final Analysis analysis = new ReportBuilder()
            .jmh(Fixtures.runJmh())
            .bench(Fixtures.runBench())
            .baseline(moduleDir.resolve("baseline"))
            .objectives(moduleDir.resolve("objectives.json"))
            .analyse();
        assertFalse(analysis.committed().isEmpty(), "perf-reports/baseline holds results");
        assertFalse(analysis.baselineRuns().isEmpty());
        assertEquals(26, analysis.objectives().size(), "perf-reports/objectives.json");
    }

    private int run(final String... args)
    {
        return Report.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> stdoutLines()
    {
        return stdout().lines().toList();
    }

    private String stderr()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static int count(final String text, final String part)
    {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1))
        {
            n++;
        }
        return n;
    }
}
