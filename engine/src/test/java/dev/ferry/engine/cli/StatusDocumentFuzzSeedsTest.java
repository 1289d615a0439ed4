package dev.ferry.engine.cli;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.status.StatusJson;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.SeedCorpus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seed corpus of {@link StatusDocumentFuzzTest}: status documents as a primary writes them ({@link StatusJson}).
 * The test checks the checked-in seeds are what {@link StatusJson} writes today and that each is accepted; run as a
 * program (what {@code .ci/fuzz --write-seeds} does) it writes them.
 */
class StatusDocumentFuzzSeedsTest
{
    /**
     * @return the status document corpus.
     */
    static SeedCorpus corpus()
    {
        final String historyId = "0123456789abcdef7edcba9876543210";
        final ReplicaStatus streaming = new ReplicaStatus("r1", "10.0.0.7:51234", SlotState.STREAMING, 1_000, 990, true,
            980, 0, 0, 0, 12, 71.7, 3_401.7, 7_065.6, 63_720, 0, 0, 0, 0, 0, 0, 0, false, false, 812, 57, 233_472, 2,
            321, 40);
        final ReplicaStatus gone = new ReplicaStatus("r\u00e9-2", "[::1]:40000", SlotState.DISCONNECTED, 500, 0,
            false, 500, 500, 1L << 20, 1_500, -1, 0.0, 0.0, 0.0, 0);
        return new SeedCorpus(StatusDocumentFuzzTest.class)
            .add("statusDocument", "two-replicas", utf8(StatusJson.write(
                new PrimaryStatus(1_000, 100, historyId, 2, "batch", 1_000, List.of(streaming, gone), 990))))
            .add("statusDocument", "no-replica", utf8(StatusJson.write(
                new PrimaryStatus(0, 0, historyId, 0, "none", 0, List.of(), 0))));
    }

    @Test
    void shouldMatchTheCheckedInSeeds()
    {
        assertEquals(List.of(), corpus().differences(Path.of("")),
            "the seeds are not what StatusJson writes: regenerate them with .ci/fuzz --write-seeds");
    }

    @Test
    void shouldAcceptEverySeed()
    {
        try (StatusDocumentFuzzTest target = new StatusDocumentFuzzTest())
        {
            for (final Map.Entry<String, byte[]> seed : corpus().seeds().get("statusDocument").entrySet())
            {
                assertEquals(DecoderContract.Outcome.ACCEPTED, target.decode(seed.getValue()), seed.getKey());
            }
        }
    }

    /**
     * Writes the seeds into the module's test resources.
     *
     * @param args the module directory, or none for the working directory.
     */
    public static void main(final String[] args)
    {
        final SeedCorpus corpus = corpus();
        System.out.println(corpus.write(Path.of(args.length > 0 ? args[0] : "")) + " seeds for " +
            corpus.fuzzTestClass().getSimpleName());
    }

    private static byte[] utf8(final String json)
    {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
