package dev.ferry.engine.state;

import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.SeedCorpus;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.ferry.engine.state.KvEntryWriter.utf8;
import static dev.ferry.engine.state.KvSnapshotFuzzTest.NOW_MILLIS;
import static dev.ferry.engine.state.KvSnapshotFuzzTest.snapshotOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seed corpus of {@link KvSnapshotFuzzTest}'s two targets: snapshots {@link KvStateMachine#writeSnapshot} writes of
 * a few states (an empty one; keys in two databases, an empty value and a key with bytes above 0x7F among them; keys
 * with expiries, one passed). The test checks the checked-in seeds are what it writes today, that each is accepted,
 * and that each, cut short, with a byte after it or with a byte changed, is refused; run as a program (what
 * {@code .ci/fuzz --write-seeds} does) it writes them.
 */
class KvSnapshotFuzzSeedsTest
{
    /** The targets: each takes the same seeds. */
    private static final List<String> TARGETS = List.of("snapshot", "sealedSnapshot");

    /**
     * @return the key-value snapshot corpus.
     */
    static SeedCorpus corpus()
    {
        final KvEntryWriter writer = new KvEntryWriter(256);

        final KvStateMachine twoDatabases = new KvStateMachine(40);
        twoDatabases.apply(40, writer.reset().put(0, "user:1", "ada").put(0, "user:2", "grace")
            .put(0, "counter", "41").entry());
        twoDatabases.apply(41, writer.reset().put(3, "config", "{\"mode\":\"fast\"}").put(3, "empty", "")
            .delete(0, utf8("counter")).entry());
        twoDatabases.apply(42, writer.reset().put(0, utf8("bin\u00e9\u00ff"), utf8("\u0000\u0001"), 0).entry());

        final KvStateMachine expiry = new KvStateMachine();
        expiry.apply(0, writer.reset().put(1, utf8("session:7"), utf8("token"), NOW_MILLIS + 60_000).entry());
        expiry.apply(1, writer.reset().put(1, "lasting", "v").expire(1, utf8("lasting"), NOW_MILLIS - 1).entry());

        final SeedCorpus corpus = new SeedCorpus(KvSnapshotFuzzTest.class);
        for (final String target : TARGETS)
        {
            corpus.add(target, "empty", snapshotOf(new KvStateMachine()))
                .add(target, "two-databases", snapshotOf(twoDatabases))
                .add(target, "expiry", snapshotOf(expiry));
        }
        return corpus;
    }

    @Test
    void shouldMatchTheCheckedInSeeds()
    {
        assertEquals(List.of(), corpus().differences(Path.of("")),
            "the seeds are not what KvStateMachine writes: regenerate them with .ci/fuzz --write-seeds");
    }

    @Test
    void shouldAcceptEverySeed()
    {
        final KvSnapshotFuzzTest target = new KvSnapshotFuzzTest();
        assertEquals(TARGETS.size(), corpus().seeds().size());
        for (final String method : TARGETS)
        {
            for (final Map.Entry<String, byte[]> seed : corpus().seeds().get(method).entrySet())
            {
                assertEquals(DecoderContract.Outcome.ACCEPTED, target.load(seed.getValue()), seed.getKey());
                assertArrayEquals(seed.getValue(), KvSnapshotFuzzTest.sealed(seed.getValue()),
                    seed.getKey() + " is sealed already");
            }
        }
    }

    @Test
    void shouldRefuseEverySeedCutShortOrChanged()
    {
        final KvSnapshotFuzzTest target = new KvSnapshotFuzzTest();
        for (final Map.Entry<String, byte[]> seed : corpus().seeds().get("snapshot").entrySet())
        {
            final byte[] bytes = seed.getValue();
            for (int length = 0; length < bytes.length; length += Math.max(1, bytes.length / 16))
            {
                assertEquals(DecoderContract.Outcome.REFUSED, target.load(Arrays.copyOf(bytes, length)),
                    seed.getKey() + " cut to " + length + " bytes");
            }
            assertEquals(DecoderContract.Outcome.REFUSED, target.load(Arrays.copyOf(bytes, bytes.length + 1)),
                seed.getKey() + " with a byte after its CRC32C");
            for (int at = 0; at < bytes.length; at++)
            {
                final byte[] changed = bytes.clone();
                changed[at] ^= 0x40;
                assertEquals(DecoderContract.Outcome.REFUSED, target.load(changed),
                    seed.getKey() + " with byte " + at + " changed");
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
}
