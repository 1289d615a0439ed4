package dev.ferry.jmh.frame;

import dev.ferry.wal.Crc32c;
import dev.ferry.wal.frame.BatchFlyweight;
import dev.ferry.wal.frame.FrameHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * The entries of one benchmark batch, built once per trial: {@code entries} payloads of {@code payloadSize} seeded
 * random bytes, laid out back to back in one native segment (as in a mapped WAL file), each with its own slice object
 * (made here, reused by every invocation), its CRC32C and its timestamp.
 */
final class BatchFixture
{
    /** The frame size limit both ends agree on: Ferry's default, room for the largest batch here (256 x 1 KiB). */
    static final int MAX_FRAME_BYTES = FrameHeader.MAX_FRAME_BYTES_DEFAULT;
    /** The offset of the first entry of the batch. */
    static final long FIRST_OFFSET = 1_000_000L;

    private static final long TIMESTAMP_NS = 1_700_000_000_000_000_000L;
    private static final long SEED = 0x5EEDF00DL;

    final int entries;
    final int payloadSize;
    final MemorySegment[] payloads;
    final int[] crc32cs;
    final long[] timestampsNs;

    BatchFixture(final Arena arena, final int entries, final int payloadSize)
    {
        this.entries = entries;
        this.payloadSize = payloadSize;
        final MemorySegment source = arena.allocate((long)entries * payloadSize, 64);
        final SplittableRandom random = new SplittableRandom(SEED);
        for (long i = 0; i < source.byteSize(); i++)
        {
            source.set(ValueLayout.JAVA_BYTE, i, (byte)random.nextInt());
        }

        payloads = new MemorySegment[entries];
        crc32cs = new int[entries];
        timestampsNs = new long[entries];
        for (int i = 0; i < entries; i++)
        {
            payloads[i] = source.asSlice((long)i * payloadSize, payloadSize);
            crc32cs[i] = Crc32c.compute(payloads[i], 0, payloadSize);
            timestampsNs[i] = TIMESTAMP_NS + i * 1_000L;
        }
    }

    /**
     * @return the uncompressed frame length of the whole batch.
     */
    int frameLength()
    {
        return BatchFlyweight.ENTRIES_OFFSET + entries * (BatchFlyweight.ENTRY_HEADER_LENGTH + payloadSize);
    }

    /**
     * @param index an entry index.
     * @return where that entry's payload starts in the frame.
     */
    long payloadOffset(final int index)
    {
        return BatchFlyweight.ENTRIES_OFFSET +
            (long)index * (BatchFlyweight.ENTRY_HEADER_LENGTH + payloadSize) + BatchFlyweight.ENTRY_HEADER_LENGTH;
    }
}
