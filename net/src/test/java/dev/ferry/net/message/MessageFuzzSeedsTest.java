package dev.ferry.net.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.MessageType;
import dev.ferry.wal.frame.SeedCorpus;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed corpus of {@link ControlMessageFuzzTest}: frames from each message's production encoder
 * ({@link ControlMessages}). The test checks the checked-in seeds are what the encoders produce today, that every
 * target accepts its seeds, and that every control message type has a target; run as a program (what
 * {@code .ci/fuzz --write-seeds} does) it writes the seeds, e.g. after a protocol change.
 */
class MessageFuzzSeedsTest
{
    /**
     * @return net's seed corpus.
     */
    static SeedCorpus corpus()
    {
        final SeedCorpus corpus = new SeedCorpus(ControlMessageFuzzTest.class);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(ControlMessageFuzzTest.MAX_FRAME_BYTES);
            for (final ControlMessage<?> message : ControlMessages.ALL)
            {
                addSeeds(corpus, message, buffer);
            }
        }
        return corpus;
    }

    @Test
    void shouldMatchTheCheckedInSeeds()
    {
        assertEquals(List.of(), corpus().differences(Path.of("")),
            "the seeds are not what the encoders produce: regenerate them with .ci/fuzz --write-seeds");
    }

    @Test
    void shouldAcceptEverySeed()
    {
        final Map<String, Map<String, byte[]>> seeds = corpus().seeds();
        try (ControlMessageFuzzTest target = new ControlMessageFuzzTest())
        {
            for (final ControlMessage<?> message : ControlMessages.ALL)
            {
                assertNotNull(seeds.get(message.target()), "no seed for " + message.type());
                for (final Map.Entry<String, byte[]> seed : seeds.get(message.target()).entrySet())
                {
                    assertEquals(DecoderContract.Outcome.ACCEPTED, target.decode(message, seed.getValue()),
                        message.target() + "/" + seed.getKey());
                }
            }
        }
    }

    @Test
    void shouldHaveAFuzzTargetForEveryControlMessage() throws ReflectiveOperationException
    {
        for (final MessageType type : MessageType.values())
        {
            assertTrue(ControlMessages.NOT_CONTROL_MESSAGES.contains(type) ||
                ControlMessages.ALL.stream().anyMatch(message -> message.type() == type),
                type + " has no entry in ControlMessages.ALL: add one, and its @FuzzTest in ControlMessageFuzzTest");
        }
        for (final ControlMessage<?> message : ControlMessages.ALL)
        {
            final Method target = ControlMessageFuzzTest.class.getDeclaredMethod(message.target(), byte[].class);
            assertNotNull(target.getAnnotation(FuzzTest.class), target + " is not a @FuzzTest");
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

    private static <F extends MessageFlyweight<F>> void addSeeds(
        final SeedCorpus corpus, final ControlMessage<F> message, final MemorySegment buffer)
    {
        message.seeds().encode(message.flyweight().get(), buffer,
            (name, length) -> corpus.add(message.target(), name, buffer.asSlice(0, length)));
    }
}
