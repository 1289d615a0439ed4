package dev.ferry.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatiosTest
{
    private static final String WAL = "dev.ferry.jmh.wal.WalAppendBenchmark";
    private static final String ENCODE = "dev.ferry.jmh.frame.BatchEncodeBenchmark";

    @Test
    void shouldKnowBaselinesByName()
    {
        for (final String name : List.of("rawChronicleAppend", "raw", "baseline", "baselineCopy", "copyBaseline",
            "crcBaseline", "memcpy"))
        {
            assertTrue(Results.isBaselineMethod(name), name);
        }
        for (final String name : List.of("ferryAppend", "rawr", "baselines", "Baseline", "encode", "memcpyTwice"))
        {
            assertFalse(Results.isBaselineMethod(name), name);
        }
    }

    @Test
    void shouldPairEachMethodWithTheBaselineOfItsClassAndParams()
    {
        final Analysis analysis = new ReportBuilder().jmh(Fixtures.runJmh()).analyse();
        final Result ferry1024 = analysis.result(Result.jmhId(WAL + ".ferryAppend", Map.of("size", "1024"), "thrpt"));
        assertEquals(Result.jmhId(WAL + ".rawChronicleAppend", Map.of("size", "1024"), "thrpt"),
            ferry1024.baselineId());
        final Result encode64 = analysis.result(
            Result.jmhId(ENCODE + ".encode", Map.of("batch", "16", "size", "64"), "avgt"));
        assertEquals(Result.jmhId(ENCODE + ".copyBaseline", Map.of("size", "64", "batch", "16"), "avgt"),
            encode64.baselineId());
        assertNull(analysis.result(Result.jmhId(WAL + ".rawChronicleAppend", Map.of("size", "64"), "thrpt"))
            .baselineId(), "a baseline has no baseline");
        assertNull(analysis.result(Result.jmhId("dev.ferry.jmh.frame.CrcBenchmark.crc32c", Map.of("size", "64"),
            "avgt")).baselineId(), "no baseline method in its class");
        assertEquals(4, analysis.ratios().stream().filter((r) -> Source.JMH == r.result().source()).count());
    }

    @Test
    void shouldDivideThroughputByItsBaselineHigherIsBetter()
    {
        final Analysis analysis = new ReportBuilder().jmh(Fixtures.runJmh()).analyse();
        final Result ferry64 = analysis.result(Result.jmhId(WAL + ".ferryAppend", Map.of("size", "64"), "thrpt"));
        final Ratio ratio = analysis.ratiosOf(ferry64).getFirst();
        assertEquals(2.10 / 2.25, ratio.value(), 1e-12);
        final double expectedError = ratio.value() * Math.hypot(0.08 / 2.10, 0.06 / 2.25);
        assertEquals(expectedError, ratio.error(), 1e-12);
        assertTrue(ferry64.kind().higherIsBetter());
        assertFalse(ratio.better(), "below 1 for a throughput is slower than the baseline");
    }

    @Test
    void shouldDivideTimePerOperationByItsBaselineLowerIsBetter()
    {
        final Analysis analysis = new ReportBuilder().jmh(Fixtures.runJmh()).analyse();
        final Result encode = analysis.result(
            Result.jmhId(ENCODE + ".encode", Map.of("batch", "16", "size", "64"), "avgt"));
        final Ratio ratio = analysis.ratiosOf(encode).getFirst();
        assertEquals(250.0 / 180.0, ratio.value(), 1e-12);
        assertEquals(Kind.TIME, encode.kind());
        assertEquals("lower is better", encode.kind().direction());
        assertFalse(ratio.better(), "above 1 for a time is slower than the baseline");

        final List<Result> faster = Results.fromJmh(Path.of("x.json"), List.of(
            Fixtures.jmh("a.B.fast", "avgt", Map.of(), 50, 1, "ns/op"),
            Fixtures.jmh("a.B.copyBaseline", "avgt", Map.of(), 100, 1, "ns/op")));
        final Ratio fast = Ratios.of(faster, new ArrayList<>()).getFirst();
        assertEquals(0.5, fast.value());
        assertTrue(fast.better());
    }

    @Test
    void shouldPreferTheBaselineWithTheSameParamsThenTheClosestName()
    {
        final List<Result> results = Results.fromJmh(Path.of("x.json"), List.of(
            Fixtures.jmh("a.Cursor.ferryReadNext", "avgt", Map.of("size", "64"), 10, 1, "ns/op"),
            Fixtures.jmh("a.Cursor.rawChronicleReadNext", "avgt", Map.of("size", "64"), 8, 1, "ns/op"),
            Fixtures.jmh("a.Cursor.rawChronicleSeek", "avgt", Map.of("size", "64"), 80, 1, "ns/op"),
            Fixtures.jmh("a.Cursor.ferryReadNext", "avgt", Map.of("size", "1024"), 20, 1, "ns/op"),
            Fixtures.jmh("a.Cursor.memcpy", "avgt", Map.of(), 5, 1, "ns/op")));
        assertEquals(Result.jmhId("a.Cursor.rawChronicleReadNext", Map.of("size", "64"), "avgt"),
            results.getFirst().baselineId());
        assertEquals(Result.jmhId("a.Cursor.memcpy", Map.of(), "avgt"), results.get(3).baselineId(),
            "a baseline without the param serves every value of it");
    }

    @Test
    void shouldDivideEachLatencyPercentileByTheBaselines()
    {
        final Analysis analysis = new ReportBuilder().bench(Fixtures.runBench()).analyse();
        final Result append = analysis.result("latency.appendToAck.100000perSec");
        final Result pingPong = analysis.result("latency.loopbackPingPong");
        final List<Ratio> ratios = analysis.ratiosOf(append);
        assertEquals(List.of("50", "90", "99", "99.9", "99.99"), ratios.stream().map(Ratio::percentile).toList(),
            "every tabled percentile but the max");
        final Ratio p99 = ratios.get(2);
        assertEquals(append.latency().valueAt("99") / pingPong.latency().valueAt("99"), p99.value(), 1e-12);
        assertTrue(Double.isNaN(p99.error()), "percentiles have no error bars");

        final Result replicated = analysis.result("throughput.replicated.64B");
        assertEquals(1234567.0 / 2500000.0, analysis.ratiosOf(replicated).getFirst().value(), 1e-12);
        assertTrue(Double.isNaN(analysis.ratiosOf(replicated).getFirst().error()),
            "the baseline's error is 0: not measured");
    }
}
