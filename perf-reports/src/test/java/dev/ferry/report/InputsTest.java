package dev.ferry.report;

import dev.ferry.report.input.BenchResult;
import dev.ferry.report.input.BenchSummary;
import dev.ferry.report.input.Inputs;
import dev.ferry.report.input.JmhResult;
import dev.ferry.report.input.Objective;
import dev.ferry.report.input.ReportInputException;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadJmhResultsWithParamsNanErrorAndUnknownFields()
    {
        final List<JmhResult> results = Inputs.readJmh(Fixtures.runJmh());
        assertEquals(9, results.size());

        final JmhResult first = results.getFirst();
        assertEquals("dev.ferry.jmh.wal.WalAppendBenchmark.ferryAppend", first.benchmark());
        assertEquals("dev.ferry.jmh.wal.WalAppendBenchmark", first.benchmarkClass());
        assertEquals("ferryAppend", first.method());
        assertEquals("thrpt", first.mode());
        assertEquals(Map.of("size", "64"), first.params());
        assertEquals(2.10, first.primaryMetric().score());
        assertEquals(0.08, first.primaryMetric().error());
        assertEquals("ops/us", first.primaryMetric().scoreUnit());
        assertEquals(0.0, first.allocBytesPerOp());
        assertEquals("25.0.1", first.jdkVersion());

        final JmhResult crc = results.getLast();
        assertTrue(Double.isNaN(crc.primaryMetric().error()), "JMH writes \"NaN\" for a single measurement");
        assertTrue(Double.isNaN(crc.allocBytesPerOp()), "no GC profiler");
    }

    @Test
    void shouldReadTheHarnessSummaryLeniently()
    {
        final BenchSummary summary = Inputs.readBench(Fixtures.runBench());
        assertEquals(BenchSummary.KIND, summary.kind());
        assertEquals(2, summary.host().cores());
        assertEquals("25.0.1", summary.host().java());
        assertEquals(7, summary.results().size());

        final BenchResult replicated = summary.results().getFirst();
        assertEquals("throughput.replicated.64B", replicated.name());
        assertEquals(1234567.0, replicated.value());
        assertEquals(12000.0, replicated.error());
        assertEquals("throughput.rawChronicleAppend.64B", replicated.baseline());

        final BenchResult latency = summary.results().get(5);
        assertEquals(BenchResult.LATENCY, latency.kind());
        assertNull(latency.hlog());
        assertEquals(41.0, latency.percentiles().get("99"));
    }

    @Test
    void shouldReadObjectives()
    {
        final List<Objective> objectives = Inputs.readObjectives(Fixtures.objectives());
        assertEquals(4, objectives.size());
        assertEquals("99", objectives.getFirst().percentile());
        assertEquals(3.0, objectives.getFirst().max());
        assertEquals(Map.of("size", "64"), objectives.get(2).params());
        assertEquals(0.9, objectives.get(2).min());
    }

    @Test
    void shouldAddUpEveryIntervalOfTheCommittedHlogFixtures()
    {
        for (final HlogFixtures.Spec spec : HlogFixtures.ALL)
        {
            final Histogram read = Inputs.readHlog(Fixtures.resource(spec.path()));
            assertEquals((long)spec.intervals() * spec.perInterval(), read.getTotalCount(), spec.path());
            assertEquals(HlogFixtures.total(spec), read, spec.path() + " no longer matches HlogFixtures; regenerate");
        }
    }

    @Test
    void shouldShowNanosecondLogsInMicroseconds()
    {
        final Path hlog = Fixtures.resource(HlogFixtures.RUN_PINGPONG.path());
        final Latency latency = Latency.ofHistogram(Inputs.readHlog(hlog), hlog);
        assertTrue(latency.fromHlog());
        assertEquals(20_000, latency.count());
        assertEquals(HlogFixtures.RUN_PINGPONG.medianMicros(), latency.valueAt("50"), 0.2);
        assertEquals(latency.percentiles().get("99"), latency.valueAt("p99"));
        assertEquals(List.of("50", "90", "99", "99.9", "99.99", "max"), List.copyOf(latency.percentiles().keySet()));
        assertTrue(latency.curve().size() > 20, "the HdrHistogram percentile iteration, not just the table");
        assertTrue(latency.curve().stream().allMatch((p) -> p.percentile() < 100.0));
    }

    @Test
    void shouldReadPercentileTablesInAnyTimeUnit()
    {
        final Latency latency = Latency.ofPercentiles(Map.of("p50", 20_000.0, "99.90", 150_000.0, "100", 900_000.0),
            "ns", 10L);
        assertEquals(List.of("50", "99.9", "max"), List.copyOf(latency.percentiles().keySet()));
        assertEquals(20.0, latency.valueAt("50"));
        assertEquals(150.0, latency.valueAt("99.9"));
        assertEquals(900.0, latency.valueAt("max"));
        assertTrue(Double.isNaN(latency.valueAt("99")), "not recorded, not interpolated");
        assertFalse(latency.fromHlog());
        assertThrows(IllegalArgumentException.class, () -> Latency.ofPercentiles(Map.of("50", 1.0), "parsecs", 1L));
        assertThrows(IllegalArgumentException.class, () -> Latency.canonical("median"));
        assertThrows(IllegalArgumentException.class, () -> Latency.canonical("101"));
    }

    @Test
    void shouldNameTheFileOfMalformedJson() throws IOException
    {
        final Path file = write("jmh-truncated.json", "[ { \"benchmark\": \"a.B.c\", \"mode\": ");
        final ReportInputException ex = assertThrows(ReportInputException.class, () -> Inputs.readJmh(file));
        assertTrue(ex.getMessage().startsWith(file + ": malformed JSON at line 1"), ex.getMessage());
        assertEquals(file.toString(), ex.file());
    }

    @Test
    void shouldNameTheFileAndResultWithoutAScore() throws IOException
    {
        final Path file = write("jmh-noscore.json",
            "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"primaryMetric\": {}}]");
        final ReportInputException ex = assertThrows(ReportInputException.class, () -> Inputs.readJmh(file));
        assertEquals(file + ": JMH result #1 (a.B.c) has no primaryMetric.score", ex.getMessage());
    }

    @Test
    void shouldRejectAnObjectWhereJmhWritesAnArray() throws IOException
    {
        final Path file = write("jmh-object.json", "{\"benchmark\": \"a.B.c\"}");
        final ReportInputException ex = assertThrows(ReportInputException.class, () -> Inputs.readJmh(file));
        assertTrue(ex.getMessage().contains("expected a JSON array of JMH results"), ex.getMessage());
    }

    @Test
    void shouldRejectAHarnessResultOfUnknownKindOrBaseline() throws IOException
    {
        write("bad-kind/summary.json", """
            {"kind": "ferry-bench", "results": [{"name": "x", "kind": "speed", "value": 1}]}""");
        final ReportInputException kind = assertThrows(ReportInputException.class,
            () -> Inputs.readBench(dir.resolve("bad-kind")));
        assertEquals(dir.resolve("bad-kind/summary.json") +
            ": result #1 (x) has kind \"speed\", expected \"throughput\", \"time\" or \"latency\"", kind.getMessage());

        write("bad-baseline/summary.json", """
            {"results": [{"name": "x", "kind": "throughput", "value": 1, "baseline": "y"}]}""");
        final ReportInputException baseline = assertThrows(ReportInputException.class,
            () -> Inputs.readBench(dir.resolve("bad-baseline")));
        assertTrue(baseline.getMessage().endsWith("x: baseline y is not a result of this run"), baseline.getMessage());

        write("other/summary.json", "{\"kind\": \"something-else\", \"results\": []}");
        assertThrows(ReportInputException.class, () -> Inputs.readBench(dir.resolve("other")));
    }

    @Test
    void shouldNameTheHlogThatIsNotAnHdrHistogramLog() throws IOException
    {
        write("run/summary.json", """
            {"results": [{"name": "lat", "kind": "latency", "unit": "us", "hlog": "broken.hlog"}]}""");
        final Path hlog = write("run/broken.hlog", "0.000,1.000,0.100,HISTFAAAnot-base64-at-all!!\n");
        final ReportInputException ex = assertThrows(ReportInputException.class,
            () -> new ReportBuilder().bench(dir.resolve("run")).analyse());
        assertTrue(ex.getMessage().startsWith(hlog + ": "), ex.getMessage());
    }

    @Test
    void shouldNameAMissingHlogOrFile()
    {
        final Path missing = dir.resolve("nowhere.json");
        final ReportInputException ex = assertThrows(ReportInputException.class, () -> Inputs.readJmh(missing));
        assertEquals(missing + ": missing or not readable", ex.getMessage());
        assertThrows(ReportInputException.class, () -> Inputs.readHlog(dir.resolve("nowhere.hlog")));
        assertThrows(ReportInputException.class, () -> Inputs.readBench(dir.resolve("no-run-here")));
    }

    @Test
    void shouldRejectAnIncompleteObjective() throws IOException
    {
        final Path file = write("objectives.json", "[{\"name\": \"fast\", \"metric\": \"x\"}]");
        final ReportInputException ex = assertThrows(ReportInputException.class, () -> Inputs.readObjectives(file));
        assertEquals(file + ": objective #1 (fast) needs \"max\" or \"min\"", ex.getMessage());
    }

    @Test
    void shouldFindJmhFilesAndHarnessRunsInABaselineDirectory()
    {
        final Inputs.ResultFiles files = Inputs.scan(Fixtures.baseline());
        assertEquals(List.of(Fixtures.baseline().resolve("jmh-result.json")), files.jmh());
        assertEquals(List.of(Fixtures.baseline().resolve("bench")), files.bench());
    }

    private Path write(final String name, final String content) throws IOException
    {
        final Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }
}
