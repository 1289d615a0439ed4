package dev.ferry.jmh.frame;

import dev.ferry.wal.frame.BatchEncoder;
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
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static dev.ferry.wal.frame.BatchFlyweight.ENTRIES_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_HEADER_LENGTH;

/**
 * The sender's framing cost per batch: {@link BatchEncoder} writing {@code entries} entries of {@code payloadSize}
 * bytes into one reused native buffer, codec {@code NONE}, then sealing the frame (batch header, frame header, frame
 * CRC32C over the whole frame). Measured with the payload CRC32Cs passed in, as the sender has them from the WAL, and
 * with the encoder computing them. The baseline copies the same payload bytes to the same places in the same buffer
 * with {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}, so {@code encode / copyBaseline} is
 * the framing overhead. Native memory comes from {@link Arena#ofAuto()}: JMH can hand a state to a different worker
 * thread between iterations (with a non-fixed {@code jmh.executor}), which a confined arena would refuse. The only
 * thread is the JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BatchEncodeBenchmark
{
    @Param({"1", "16", "256"})
    int entries;

    @Param({"64", "1024"})
    int payloadSize;

    private MemorySegment[] payloads;
    private int[] crc32cs;
    private long[] timestampsNs;
    private MemorySegment buffer;
    private BatchEncoder encoder;

    /**
     * Payloads with their CRC32Cs, and a buffer exactly one batch long wrapped once by the encoder.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Arena arena = Arena.ofAuto();
        final BatchFixture fixture = new BatchFixture(arena, entries, payloadSize);
        payloads = fixture.payloads;
        crc32cs = fixture.crc32cs;
        timestampsNs = fixture.timestampsNs;
        buffer = arena.allocate(fixture.frameLength(), 64);
        encoder = new BatchEncoder(BatchFixture.MAX_FRAME_BYTES).wrap(buffer, 0, fixture.frameLength());
        if (encode() != fixture.frameLength() || encodeComputingCrc() != fixture.frameLength())
        {
            throw new IllegalStateException("batch does not fill its buffer exactly");
        }
    }

    /**
     * One batch with the payload CRC32Cs given, as on the sender path.
     *
     * @return the frame length.
     */
    @Benchmark
    public int encode()
    {
        final BatchEncoder encoder = this.encoder.reset().firstOffset(BatchFixture.FIRST_OFFSET);
        final MemorySegment[] payloads = this.payloads;
        final int[] crc32cs = this.crc32cs;
        final long[] timestampsNs = this.timestampsNs;
        for (int i = 0; i < payloads.length; i++)
        {
            if (!encoder.tryAppend(timestampsNs[i], crc32cs[i], payloads[i]))
            {
                throw new IllegalStateException("entry " + i + " does not fit");
            }
        }
        return encoder.commit();
    }

    /**
     * One batch with the encoder computing each payload's CRC32C.
     *
     * @return the frame length.
     */
    @Benchmark
    public int encodeComputingCrc()
    {
        final BatchEncoder encoder = this.encoder.reset().firstOffset(BatchFixture.FIRST_OFFSET);
        final MemorySegment[] payloads = this.payloads;
        final long[] timestampsNs = this.timestampsNs;
        for (int i = 0; i < payloads.length; i++)
        {
            if (!encoder.tryAppend(timestampsNs[i], payloads[i]))
            {
                throw new IllegalStateException("entry " + i + " does not fit");
            }
        }
        return encoder.commit();
    }

    /**
     * Baseline: copy each payload to where the encoder puts it, nothing else.
     *
     * @return the end of the last payload.
     */
    @Benchmark
    public long copyBaseline()
    {
        final MemorySegment[] payloads = this.payloads;
        final MemorySegment buffer = this.buffer;
        final int payloadSize = this.payloadSize;
        long position = ENTRIES_OFFSET;
        for (int i = 0; i < payloads.length; i++)
        {
            position += ENTRY_HEADER_LENGTH;
            MemorySegment.copy(payloads[i], 0, buffer, position, payloadSize);
            position += payloadSize;
        }
        return position;
    }
}
