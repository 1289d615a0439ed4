package dev.ferry.jmh.frame;

import dev.ferry.wal.Crc32c;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.BatchEncoder;
import dev.ferry.wal.frame.BatchEntryHandler;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.MessageType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The receiver's cost per batch: {@link FrameDecoder#verify} (header checks and the frame CRC32C over the whole frame)
 * then {@link BatchDecoder#decode} (batch header checks, entry walk, each payload's CRC32C, one consumer call per
 * entry) of the batch {@link BatchEncodeBenchmark} writes: {@code entries} entries of {@code payloadSize} bytes,
 * codec {@code NONE}, in one reused native frame segment. The consumer hands each entry's offset and payload length to
 * the {@link Blackhole}; it is the only consumer class in the fork, so the payload slice the decoder makes per entry
 * can be scalar-replaced (a megamorphic consumer site would allocate it). The baseline is {@link Crc32c#compute} over
 * each payload in the same frame: the part a receiver checking every entry cannot avoid. The frame CRC32C in
 * {@code verify} covers the same bytes a second time, so {@code verifyAndDecode / crcBaseline} cannot go much below 2
 * for large batches. Native memory from {@link Arena#ofAuto()}. The only thread is the JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BatchDecodeBenchmark
{
    @Param({"1", "16", "256"})
    int entries;

    @Param({"64", "1024"})
    int payloadSize;

    private MemorySegment frame;
    private int frameLength;
    private long[] payloadOffsets;
    private FrameDecoder frameDecoder;
    private BatchDecoder batchDecoder;
    private Blackhole blackhole;
    private final BatchEntryHandler consumer = this::onEntry;

    /**
     * Encode the batch once into a frame segment that every invocation reuses.
     *
     * @param blackhole JMH's sink, for the consumer.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        this.blackhole = blackhole;
        final Arena arena = Arena.ofAuto();
        final BatchFixture fixture = new BatchFixture(arena, entries, payloadSize);
        frame = arena.allocate(fixture.frameLength(), 64);
        final BatchEncoder encoder = new BatchEncoder(BatchFixture.MAX_FRAME_BYTES)
            .wrap(frame, 0, fixture.frameLength())
            .firstOffset(BatchFixture.FIRST_OFFSET);
        for (int i = 0; i < entries; i++)
        {
            if (!encoder.tryAppend(fixture.timestampsNs[i], fixture.crc32cs[i], fixture.payloads[i]))
            {
                throw new IllegalStateException("entry " + i + " does not fit");
            }
        }
        frameLength = encoder.commit();
        if (frameLength != frame.byteSize())
        {
            throw new IllegalStateException("frame of " + frameLength + " bytes does not fill its segment");
        }

        payloadOffsets = new long[entries];
        for (int i = 0; i < entries; i++)
        {
            payloadOffsets[i] = fixture.payloadOffset(i);
        }
        frameDecoder = new FrameDecoder(BatchFixture.MAX_FRAME_BYTES);
        batchDecoder = new BatchDecoder(BatchFixture.MAX_FRAME_BYTES);
        if (verifyAndDecode() != entries)
        {
            throw new IllegalStateException("decoded entry count differs from " + entries);
        }
    }

    /**
     * Free the decoder.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        batchDecoder.close();
    }

    private void onEntry(final long offset, final long timestampNs, final MemorySegment payload)
    {
        blackhole.consume(offset);
        blackhole.consume(payload.byteSize());
    }

    /**
     * Verify the frame, then decode the batch and deliver every entry.
     *
     * @return the number of entries delivered.
     */
    @Benchmark
    public int verifyAndDecode()
    {
        final MemorySegment frame = this.frame;
        if (MessageType.BATCH != frameDecoder.verify(frame, 0, frameLength))
        {
            throw new IllegalStateException("not a batch frame");
        }
        return batchDecoder.decode(frame, null, consumer);
    }

    /**
     * Baseline: the CRC32C of each payload in the frame, nothing else.
     *
     * @return the CRC32Cs folded together.
     */
    @Benchmark
    public int crcBaseline()
    {
        final MemorySegment frame = this.frame;
        final long[] payloadOffsets = this.payloadOffsets;
        final int payloadSize = this.payloadSize;
        int crcs = 0;
        for (int i = 0; i < payloadOffsets.length; i++)
        {
            crcs ^= Crc32c.compute(frame, payloadOffsets[i], payloadSize);
        }
        return crcs;
    }
}
