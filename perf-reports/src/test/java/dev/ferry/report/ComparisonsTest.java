package dev.ferry.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonsTest
{
    private static final double TOLERANCE = 0.25;

    @Test
    void shouldCallADifferenceInsideTheErrorsUnchanged()
    {
        assertEquals(Verdict.UNCHANGED, compare(2.10, 0.08, 2.05, 0.07).verdict());
        final Comparison wide = compare(1.30, 0.30, 1.00, 0.10);
        assertEquals(Verdict.UNCHANGED, wide.verdict(), "30% apart, beyond the tolerance, but inside 0.3 + 0.1");
        assertTrue(wide.byError());
        assertEquals(0.40, wide.threshold(), 1e-12);
        assertEquals(0.30, wide.change(), 1e-12);
    }

    @Test
    void shouldFlagAThroughputChangeBeyondTheErrorsByDirection()
    {
        final Comparison slower = compare(1.20, 0.05, 1.45, 0.05);
        assertEquals(Verdict.REGRESSION, slower.verdict());
        assertEquals(0.10, slower.threshold(), 1e-12);
        assertEquals(Verdict.IMPROVEMENT, compare(1.60, 0.05, 1.45, 0.05).verdict());
        assertEquals(Verdict.UNCHANGED, compare(1.5, 0.125, 1.25, 0.125).verdict(), "exactly errA + errB apart");
    }

    @Test
    void shouldFlagATimeChangeBeyondTheErrorsLowerIsBetter()
    {
        final List<Result> current = Results.fromJmh(Path.of("a.json"), List.of(
            Fixtures.jmh("a.B.fast", "avgt", Map.of(), 250, 8, "ns/op"),
            Fixtures.jmh("a.B.slow", "avgt", Map.of(), 350, 8, "ns/op")));
        final List<Result> committed = Results.fromJmh(Path.of("b.json"), List.of(
            Fixtures.jmh("a.B.fast", "avgt", Map.of(), 300, 10, "ns/op"),
            Fixtures.jmh("a.B.slow", "avgt", Map.of(), 300, 10, "ns/op")));
        final List<Comparison> comparisons = Comparisons.of(current, committed, TOLERANCE);
        assertEquals(Verdict.IMPROVEMENT, comparisons.get(0).verdict());
        assertEquals(Verdict.REGRESSION, comparisons.get(1).verdict());
    }

    @Test
    void shouldUseTheToleranceWhereNoErrorWasMeasured()
    {
        final Comparison close = compare(2_500_000, 0.0, 2_400_000, 0.0);
        assertEquals(Verdict.UNCHANGED, close.verdict());
        assertFalse(close.byError());
        assertEquals(600_000, close.threshold(), 1e-6);
        assertEquals(Verdict.IMPROVEMENT, compare(3_100_000, 0.0, 2_400_000, 0.0).verdict());
        assertEquals(Verdict.REGRESSION, compare(1_700_000, 12_000, 2_400_000, Double.NaN).verdict(),
            "one side without an error: the tolerance");
        final Comparison strict = Comparisons.compare(Fixtures.throughput("t", 2_500_000, 0.0), "value",
            2_500_000, 0.0, 2_400_000, 0.0, true, 0.01);
        assertEquals(Verdict.IMPROVEMENT, strict.verdict(), "a 1% tolerance flags +4%");
    }

    @Test
    void shouldCompareLatencyPercentilesWithTheToleranceButNotTheMax()
    {
        final Analysis analysis = Fixtures.everything().analyse();
        final Map<String, Verdict> byMetric = new LinkedHashMap<>();
        analysis.comparisons().stream()
            .filter((c) -> "latency.appendToAck.100000perSec".equals(c.id()))
            .forEach((c) -> byMetric.put(c.metric(), c.verdict()));
        assertEquals(List.of("p50", "p90", "p99", "p99.9", "p99.99"), List.copyOf(byMetric.keySet()));
        assertEquals(Verdict.UNCHANGED, byMetric.get("p50"));
        assertEquals(Verdict.UNCHANGED, byMetric.get("p90"), "+19.5%, inside 25%");
        assertEquals(Verdict.REGRESSION, byMetric.get("p99"), "+37.6%");
        assertEquals(Verdict.REGRESSION, analysis.verdictOf("latency.appendToAck.100000perSec"));
        assertEquals(Verdict.UNCHANGED, analysis.verdictOf("latency.appendToAck.10000perSec"));
    }

    @Test
    void shouldConvertJmhTimeUnitsBeforeComparing()
    {
        final Analysis analysis = Fixtures.everything().analyse();
        final Comparison encode = analysis.comparisons().stream()
            .filter((c) -> c.id().equals(Result.jmhId("dev.ferry.jmh.frame.BatchEncodeBenchmark.encode",
                Map.of("batch", "16", "size", "1024"), "avgt")))
            .findFirst()
            .orElseThrow();
        assertEquals(900.0, encode.committed(), 1e-9, "0.9 us/op committed, shown in this run's ns/op");
        assertEquals(30.0, encode.committedError(), 1e-9);
        assertEquals(Verdict.UNCHANGED, encode.verdict());
        assertEquals(1000.0, Units.convert(1.0, "ops/us", "ops/ms"));
        assertEquals(1000.0, Units.convert(1.0, "us/op", "ns/op"));
        assertTrue(Double.isNaN(Units.convert(1.0, "ops/us", "ns/op")));
    }

    @Test
    void shouldListNewResultsAndCommittedOnesNotRun()
    {
        final Analysis analysis = Fixtures.everything().analyse();
        assertEquals(Verdict.NEW, analysis.verdictOf(
            Result.jmhId("dev.ferry.jmh.frame.CrcBenchmark.crc32c", Map.of("size", "64"), "avgt")));
        assertEquals(Verdict.NOT_RUN, analysis.verdictOf(
            Result.jmhId("dev.ferry.jmh.frame.CrcBenchmark.jdkCrc32c", Map.of("size", "64"), "avgt")));
    }

    @Test
    void shouldCountResultsNotValues()
    {
        final Analysis analysis = Fixtures.everything().analyse();
        assertEquals(3, analysis.count(Verdict.REGRESSION),
            "replicated.1024B, ferryAppend size=1024 and appendToAck p99/p99.9/p99.99 as one");
        assertEquals(2, analysis.count(Verdict.IMPROVEMENT), "encode size=64 and ping-pong p99.9");
        assertEquals(1, analysis.count(Verdict.NEW));
        assertEquals(1, analysis.count(Verdict.NOT_RUN));
        assertEquals(Verdict.REGRESSION, analysis.verdictOf("throughput.replicated.1024B"));
        assertEquals(Verdict.UNCHANGED, analysis.verdictOf("throughput.replicated.64B"), "-1.2% inside the errors");
    }

    private static Comparison compare(final double value, final double error, final double base,
        final double baseError)
    {
        return Comparisons.compare(Fixtures.throughput("t", value, error), "value", value, error, base, baseError,
            true, TOLERANCE);
    }
}
