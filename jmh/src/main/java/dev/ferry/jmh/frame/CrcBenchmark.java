package dev.ferry.jmh.frame;

import dev.ferry.wal.Crc32c;
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
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * {@link Crc32c#compute(MemorySegment, long, long)} over {@code size} bytes of native memory (a new {@link CRC32C},
 * a slice and a buffer view per call, which escape analysis is expected to remove) against the JDK's
 * {@link CRC32C#update(ByteBuffer)} on a reused instance and a reused direct buffer view of the same memory: the
 * intrinsic alone. Native memory from {@link Arena#ofAuto()}. The only thread is the JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class CrcBenchmark
{
    @Param({"64", "1024", "65536"})
    int size;

    private MemorySegment data;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer dataBuffer;

    /**
     * Seeded random bytes and their buffer view, made once.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        data = Arena.ofAuto().allocate(size, 64);
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < size; i++)
        {
            data.set(ValueLayout.JAVA_BYTE, i, (byte)random.nextInt());
        }
        dataBuffer = data.asByteBuffer();
        if (crc32c() != jdkCrc32c())
        {
            throw new IllegalStateException("Crc32c.compute differs from java.util.zip.CRC32C");
        }
    }

    /**
     * @return the CRC32C through Ferry's helper.
     */
    @Benchmark
    public int crc32c()
    {
        return Crc32c.compute(data, 0, size);
    }

    /**
     * Baseline: the JDK's CRC32C with nothing made per call.
     *
     * @return the CRC32C.
     */
    @Benchmark
    public int jdkCrc32c()
    {
        final CRC32C crc = this.crc;
        final ByteBuffer dataBuffer = this.dataBuffer;
        crc.reset();
        dataBuffer.clear();
        crc.update(dataBuffer);
        return (int)crc.getValue();
    }
}
