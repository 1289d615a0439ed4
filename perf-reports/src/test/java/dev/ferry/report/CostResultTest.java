package dev.ferry.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A harness cost per entry (kind {@code time}, e.g. CPU nanoseconds per replicated entry): lower is better, held to
 * an objective as a ratio to its same-run baseline, shown with the other harness results of its unit.
 */
class CostResultTest
{
    @TempDir
    Path dir;

    private Analysis analyse(final double replicatedNs) throws IOException
    {
        final Path bench = Files.createDirectories(dir.resolve("bench-" + (long)replicatedNs));
        Files.writeString(bench.resolve("summary.json"), """
            {"kind": "ferry-bench", "version": 1, "results": [
              {"name": "cpu.rawChronicleAppend.64B", "kind": "time", "unit": "ns/entry", "value": 250.0, "error": 0.0},
              {"name": "cpu.replicated.64B", "kind": "time", "unit": "ns/entry", "value": %s, "error": 0.0,
               "baseline": "cpu.rawChronicleAppend.64B"}]}
            """.formatted(replicatedNs));
        final Path objectives = dir.resolve("objectives.json");
        Files.writeString(objectives, """
            [{"name": "CPU per replicated entry <= 2.5x raw", "metric": "cpu.replicated.64B",
              "ratioTo": "cpu.rawChronicleAppend.64B", "max": 2.5}]
            """);
        return new ReportBuilder().bench(bench).objectives(objectives).analyse();
    }

    @Test
    void shouldReadACostAsLowerIsBetter() throws IOException
    {
        final Result cost = analyse(500).result("cpu.replicated.64B");
        assertEquals(Kind.TIME, cost.kind());
        assertEquals("ns/entry", cost.unit());
        assertEquals(500.0, cost.value());
    }

    @Test
    void shouldMeetTheObjectiveAtOrUnderTheRatio() throws IOException
    {
        final ObjectiveOutcome outcome = analyse(500).objectives().getFirst();
        assertEquals(ObjectiveStatus.MET, outcome.status());
        assertEquals(2.0, outcome.actual(), 1e-12);
    }

    @Test
    void shouldMissTheObjectiveOverTheRatio() throws IOException
    {
        final ObjectiveOutcome outcome = analyse(1_500).objectives().getFirst();
        assertEquals(ObjectiveStatus.MISSED, outcome.status());
        assertEquals(6.0, outcome.actual(), 1e-12);
    }
}
