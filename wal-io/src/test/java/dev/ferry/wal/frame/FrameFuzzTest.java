package dev.ferry.wal.frame;

import dev.ferry.wal.codec.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile input never escapes as anything but a {@link FrameException}: no other exception, no crash, no hang.
 */
class FrameFuzzTest
{
    private static final int[] INTERESTING_INTS =
    {
        0, 1, -1, 15, 16, 17, Integer.MAX_VALUE, Integer.MIN_VALUE, FrameFixtures.MAX_FRAME_BYTES,
        FrameFixtures.MAX_FRAME_BYTES + 1, BatchFlyweight.maxEntriesLength(FrameFixtures.MAX_FRAME_BYTES),
    };

    private final FrameFixtures fixtures = new FrameFixtures();
    private final MemorySegment buffer = fixtures.frameBuffer;
    private int rejected;
    private int accepted;

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldOnlyThrowFrameExceptionOnRandomBytes()
    {
        final long seed = 0xF3221L;
        final Random random = new Random(seed);
        final byte[] bytes = new byte[200];
        for (int iteration = 0; iteration < 100_000; iteration++)
        {
            final int length = random.nextInt(201);
            random.nextBytes(bytes);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, length);
            final int shape = random.nextInt(3);
            if (shape > 0 && length >= FrameHeader.HEADER_LENGTH)
            {
                // a plausible header so the random body reaches the batch decoder and the codecs
                buffer.set(INT_LE, FrameHeader.LENGTH_OFFSET, length);
                buffer.set(BYTE, FrameHeader.TYPE_OFFSET, (byte)(2 == shape ? 3 : 1 + random.nextInt(12)));
                buffer.set(BYTE, FrameHeader.VERSION_OFFSET, (byte)FrameHeader.VERSION);
                buffer.set(SHORT_LE, FrameHeader.FLAGS_OFFSET, (short)0);
                if (2 == shape && length >= BatchFlyweight.ENTRIES_OFFSET)
                {
                    buffer.set(BYTE, BatchFlyweight.CODEC_OFFSET, (byte)random.nextInt(4));
                    buffer.set(INT_LE, BatchFlyweight.COUNT_OFFSET, random.nextInt(4));
                    buffer.set(INT_LE, BatchFlyweight.UNCOMPRESSED_LENGTH_OFFSET, random.nextInt(400));
                    buffer.set(FrameHeader.LONG_LE, BatchFlyweight.FIRST_OFFSET_OFFSET, random.nextLong() >>> 1);
                }
                FrameFixtures.reseal(buffer, length);
            }
            receive(length, seed, iteration);
        }
        // a third of the inputs have a valid header over a random body of some non-BATCH type, which verify accepts
        assertTrue(rejected > 60_000, "rejected " + rejected);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldOnlyThrowFrameExceptionOnMutatedValidFrames()
    {
        final long seed = 0xBADF00DL;
        final Random random = new Random(seed);
        final MemorySegment[] valid = new MemorySegment[Codec.values().length];
        for (final Codec codec : Codec.values())
        {
            final List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                payloads.add(FrameFixtures.text(random.nextInt(30), i));
            }
            final int length = fixtures.encode(codec, 1000, payloads);
            valid[codec.ordinal()] = fixtures.arena.allocate(length);
            MemorySegment.copy(buffer, 0, valid[codec.ordinal()], 0, length);
        }

        for (int iteration = 0; iteration < 60_000; iteration++)
        {
            final MemorySegment original = valid[iteration % valid.length];
            int length = (int)original.byteSize();
            MemorySegment.copy(original, 0, buffer, 0, length);

            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                final int at = random.nextInt(Math.max(1, length));
                switch (random.nextInt(5))
                {
                    case 0 -> buffer.set(BYTE, at, (byte)(buffer.get(BYTE, at) ^ (1 << random.nextInt(8))));
                    case 1 -> buffer.set(BYTE, at, (byte)random.nextInt());
                    case 2 ->
                    {
                        if (at + 4 <= length)
                        {
                            buffer.set(INT_LE, at, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
                        }
                    }
                    case 3 -> length = Math.max(0, length - 1 - random.nextInt(8));
                    default ->
                    {
                        final int extra = 1 + random.nextInt(8);
                        buffer.asSlice(length, extra).fill((byte)random.nextInt());
                        length += extra;
                    }
                }
            }
            if (length >= FrameHeader.HEADER_LENGTH && random.nextInt(4) > 0)
            {
                // keep the frame layer happy most of the time so the mutations reach the batch layer
                if (random.nextBoolean())
                {
                    buffer.set(INT_LE, FrameHeader.LENGTH_OFFSET, length);
                }
                FrameFixtures.reseal(buffer, length);
            }
            receive(length, seed, iteration);
        }
        assertTrue(rejected > 10_000 && accepted > 1_000, "rejected " + rejected + ", accepted " + accepted);

        // the decoders are still usable after all that
        for (final MemorySegment original : valid)
        {
            assertEquals(6, fixtures.decode(original, (int)original.byteSize()).size());
        }
    }

    private void receive(final int length, final long seed, final int iteration)
    {
        try
        {
            fixtures.receive(buffer, length);
            accepted++;
        }
        catch (final FrameException ex)
        {
            rejected++;
        }
        catch (final RuntimeException | Error ex)
        {
            final byte[] bytes = buffer.asSlice(0, length).toArray(BYTE);
            fail("seed " + seed + " iteration " + iteration + " length " + length + " threw " + ex + " on " +
                HexFormat.of().formatHex(bytes), ex);
        }
    }
}
