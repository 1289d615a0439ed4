package dev.ferry.wal.frame;

import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.codec.Codec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seed corpus of wal-io's fuzz targets ({@link FrameDecoderFuzzTest}, {@link BatchDecoderFuzzTest}): real frames
 * from {@link BatchEncoder} with every codec. The test checks the checked-in seeds are what the encoders produce today
 * and that every target accepts its seeds; run as a program (what {@code .ci/fuzz --write-seeds} does) it writes them,
 * e.g. after a protocol change.
 */
class FrameFuzzSeedsTest
{
    private static final int ENTRIES_FIRST_OFFSET = 1_000;

    /**
     * @return wal-io's seed corpora.
     */
    static List<SeedCorpus> corpora()
    {
        try (FrameFixtures fixtures = new FrameFixtures(BatchDecoderFuzzTest.MAX_FRAME_BYTES))
        {
            final SeedCorpus batches = new SeedCorpus(BatchDecoderFuzzTest.class);
            batches.add("none", "empty", batch(fixtures, Codec.NONE, 0, List.of()));
            for (final Codec codec : Codec.values())
            {
                final String method = codec.name().toLowerCase(Locale.ROOT);
                batches.add(method, "one-entry", batch(fixtures, codec, 0, List.of(FrameFixtures.text(100, 1))));
                batches.add(method, "entries", batch(fixtures, codec, ENTRIES_FIRST_OFFSET, entries()));
                batches.add(method, "highest-offsets", batch(fixtures, codec, Long.MAX_VALUE - 3,
                    List.of(FrameFixtures.text(64, 7), FrameFixtures.text(64, 8), FrameFixtures.text(64, 9))));
            }

            final SeedCorpus frames = new SeedCorpus(FrameDecoderFuzzTest.class);
            for (final Codec codec : Codec.values())
            {
                frames.add("frames", "batch-" + codec.name().toLowerCase(Locale.ROOT),
                    batch(fixtures, codec, ENTRIES_FIRST_OFFSET, entries()));
            }
            final byte[] oneEntry = batch(fixtures, Codec.NONE, 0, List.of(FrameFixtures.text(100, 1)));
            frames.add("frames", "stream-of-three", concat(
                oneEntry, frame(MessageType.STATUS_REQUEST, 0), frame(MessageType.HEARTBEAT, 16)));
            frames.add("frames", "stream-cut-short", concat(
                frame(MessageType.STATUS_REQUEST, 0), Arrays.copyOf(oneEntry, oneEntry.length / 2)));

            return List.of(batches, frames);
        }
    }

    @Test
    void shouldMatchTheCheckedInSeeds()
    {
        for (final SeedCorpus corpus : corpora())
        {
            assertEquals(List.of(), corpus.differences(Path.of("")),
                "the seeds are not what the encoders produce: regenerate them with .ci/fuzz --write-seeds");
        }
    }

    @Test
    void shouldAcceptEverySeed()
    {
        final List<SeedCorpus> corpora = corpora();
        try (BatchDecoderFuzzTest batches = new BatchDecoderFuzzTest())
        {
            for (final Map.Entry<String, Map<String, byte[]>> method : corpora.get(0).seeds().entrySet())
            {
                final Codec codec = Codec.valueOf(method.getKey().toUpperCase(Locale.ROOT));
                for (final Map.Entry<String, byte[]> seed : method.getValue().entrySet())
                {
                    assertEquals(DecoderContract.Outcome.ACCEPTED, batches.decode(codec, seed.getValue()),
                        method.getKey() + "/" + seed.getKey());
                }
            }
        }
        try (FrameDecoderFuzzTest frames = new FrameDecoderFuzzTest())
        {
            for (final Map.Entry<String, byte[]> seed : corpora.get(1).seeds().get("frames").entrySet())
            {
                assertEquals(DecoderContract.Outcome.ACCEPTED, frames.decode(seed.getValue()), seed.getKey());
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
        final Path moduleDir = Path.of(args.length > 0 ? args[0] : "");
        for (final SeedCorpus corpus : corpora())
        {
            System.out.println(corpus.write(moduleDir) + " seeds for " + corpus.fuzzTestClass().getSimpleName());
        }
    }

    private static List<byte[]> entries()
    {
        return List.of(
            FrameFixtures.text(40, 2), new byte[0], FrameFixtures.text(300, 3), FrameFixtures.text(16, 4),
            FrameFixtures.text(1000, 5));
    }

    private static byte[] batch(
        final FrameFixtures fixtures, final Codec codec, final long firstOffset, final List<byte[]> payloads)
    {
        final int length = fixtures.encode(codec, firstOffset, payloads);
        final MemorySegment frame = fixtures.frameBuffer.asSlice(0, length);
        final int codecId = frame.get(FrameHeader.BYTE, BatchFlyweight.CODEC_OFFSET);
        if (codecId != codec.id())
        {
            throw new IllegalStateException("a " + codec + " seed came out as codec " + codecId + ": compressible?");
        }
        return frame.toArray(FrameHeader.BYTE);
    }

    /**
     * @return a frame of {@code type} with a zero body of {@code bodyLength} bytes: what the frame decoder sees of a
     * control message (it does not read bodies).
     */
    private static byte[] frame(final MessageType type, final int bodyLength)
    {
        final byte[] frame = new byte[FrameHeader.HEADER_LENGTH + bodyLength];
        FrameHeader.seal(new CRC32C(), new ByteBufferView(), MemorySegment.ofArray(frame), 0, type, frame.length);
        return frame;
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
