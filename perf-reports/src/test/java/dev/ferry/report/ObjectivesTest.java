package dev.ferry.report;

import dev.ferry.report.input.Objective;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectivesTest
{
    private static final String WAL = "dev.ferry.jmh.wal.WalAppendBenchmark";

    private final Analysis analysis = new ReportBuilder()
        .jmh(Fixtures.runJmh())
        .bench(Fixtures.runBench())
        .objectives(Fixtures.objectives())
        .analyse();

    @Test
    void shouldMeetALatencyPercentileRatio()
    {
        final ObjectiveOutcome outcome = analysis.objectives().get(0);
        assertEquals(ObjectiveStatus.MET, outcome.status());
        final double append = analysis.result("latency.appendToAck.100000perSec").latency().valueAt("99");
        final double pingPong = analysis.result("latency.loopbackPingPong").latency().valueAt("99");
        assertEquals(append, outcome.value());
        assertEquals(pingPong, outcome.refValue());
        assertEquals(append / pingPong, outcome.actual(), 1e-12);
        assertTrue(outcome.actual() <= 3.0);
        assertEquals("µs", outcome.unit());
        assertEquals("≤ 3×", outcome.bounds());
    }

    @Test
    void shouldMissAThroughputRatio()
    {
        final ObjectiveOutcome outcome = analysis.objectives().get(1);
        assertEquals(ObjectiveStatus.MISSED, outcome.status());
        assertEquals(1234567.0 / 2500000.0, outcome.actual(), 1e-12);
        assertEquals("≥ 0.7×", outcome.bounds());
    }

    @Test
    void shouldMeetAJmhRatioForTheGivenParams()
    {
        final ObjectiveOutcome outcome = analysis.objectives().get(2);
        assertEquals(ObjectiveStatus.MET, outcome.status());
        assertEquals(2.10 / 2.25, outcome.actual(), 1e-12);
        assertEquals(Map.of("size", "64"), outcome.subject().params());
        assertEquals(Map.of("size", "64"), outcome.reference().params());
    }

    @Test
    void shouldNotRunAnObjectiveWhoseMetricIsMissing()
    {
        final ObjectiveOutcome outcome = analysis.objectives().get(3);
        assertEquals(ObjectiveStatus.NOT_RUN, outcome.status());
        assertEquals("latency.appendToAck.200000perSec is not in this run", outcome.reason());
        assertTrue(Double.isNaN(outcome.actual()));
        assertNull(outcome.subject());
    }

    @Test
    void shouldNotRunAnObjectiveWhoseReferenceIsMissing()
    {
        final ObjectiveOutcome outcome = Objectives.evaluate(objective("throughput.replicated.64B", null, null,
            "throughput.rawChronicleAppend.4096B", null, 0.7), analysis.results());
        assertEquals(ObjectiveStatus.NOT_RUN, outcome.status());
        assertEquals("throughput.rawChronicleAppend.4096B is not in this run", outcome.reason());
    }

    @Test
    void shouldNotRunALatencyObjectiveWithoutAPercentileOrWithAnUnrecordedOne()
    {
        final ObjectiveOutcome none = Objectives.evaluate(objective("latency.loopbackPingPong", null, null, null,
            100.0, null), analysis.results());
        assertEquals(ObjectiveStatus.NOT_RUN, none.status());
        assertTrue(none.reason().contains("names no percentile"), none.reason());

        final ObjectiveOutcome unrecorded = Objectives.evaluate(objective("latency.appendToAck.10000perSec", null,
            "99.999", null, 100.0, null), analysis.results());
        assertEquals(ObjectiveStatus.NOT_RUN, unrecorded.status(), "a percentile table has only what it has");
    }

    @Test
    void shouldCompareAnAbsoluteLatencyInMicroseconds()
    {
        final ObjectiveOutcome within = Objectives.evaluate(objective("latency.appendToAck.10000perSec", null, "99",
            null, 41.0, null), analysis.results());
        assertEquals(ObjectiveStatus.MET, within.status(), "the bound is inclusive");
        assertEquals(41.0, within.actual());
        assertNull(within.reference());
        final ObjectiveOutcome beyond = Objectives.evaluate(objective("latency.appendToAck.10000perSec", null, "99",
            null, 40.0, null), analysis.results());
        assertEquals(ObjectiveStatus.MISSED, beyond.status());
    }

    @Test
    void shouldHoldEveryMatchingJmhResultToTheObjective()
    {
        final ObjectiveOutcome both = Objectives.evaluate(objective(null, WAL + ".ferryAppend", null,
            WAL + ".rawChronicleAppend", null, 0.9), analysis.results());
        assertEquals(ObjectiveStatus.MET, both.status());
        assertEquals(Map.of("size", "1024"), both.subject().params(), "the one closest to its bound is shown");

        final ObjectiveOutcome one = Objectives.evaluate(objective(null, WAL + ".ferryAppend", null,
            WAL + ".rawChronicleAppend", null, 0.93), analysis.results());
        assertEquals(ObjectiveStatus.MISSED, one.status());
        assertEquals(1.20 / 1.30, one.actual(), 1e-12);
        assertSame(analysis.result(Result.jmhId(WAL + ".ferryAppend", Map.of("size", "1024"), "thrpt")),
            one.subject());
    }

    @Test
    void shouldHoldTheBytesAllocatedPerOperationToAnAllocationObjective()
    {
        final Objective noAllocation = new Objective("no allocation", null, WAL + ".rawChronicleAppend",
            Map.of("size", "64"), null, null, 0.01, null, Objective.ALLOC);
        final ObjectiveOutcome missed = Objectives.evaluate(noAllocation, analysis.results());
        assertEquals(ObjectiveStatus.MISSED, missed.status(), "0.02 B/op, not its score of 2.25 ops/us");
        assertEquals(0.02, missed.actual(), 1e-12);
        assertEquals("B/op", missed.unit());

        final Objective tighter = new Objective("no allocation", null, WAL + ".ferryAppend",
            Map.of("size", "64"), null, null, 0.5, null, Objective.ALLOC);
        final ObjectiveOutcome met = Objectives.evaluate(tighter, analysis.results());
        assertEquals(ObjectiveStatus.MET, met.status());
        assertEquals(0.0, met.actual());

        final Objective unprofiled = new Objective("no allocation", null, "dev.ferry.jmh.frame.CrcBenchmark.crc32c",
            null, null, null, 0.5, null, Objective.ALLOC);
        assertEquals(ObjectiveStatus.NOT_RUN, Objectives.evaluate(unprofiled, analysis.results()).status(),
            "without the GC profiler there is nothing to hold it to");
    }

    @Test
    void shouldCountOutcomesInTheSummaryLine()
    {
        assertEquals(List.of(ObjectiveStatus.MET, ObjectiveStatus.MISSED, ObjectiveStatus.MET, ObjectiveStatus.NOT_RUN),
            analysis.objectives().stream().map(ObjectiveOutcome::status).toList());
        assertEquals("16 results, no committed baseline; objectives: 2 met, 1 missed, 1 not run",
            analysis.summaryLine());
    }

    private static Objective objective(final String metric, final String jmh, final String percentile,
        final String ratioTo, final Double max, final Double min)
    {
        return new Objective("test", metric, jmh, null, percentile, ratioTo, max, min);
    }
}
