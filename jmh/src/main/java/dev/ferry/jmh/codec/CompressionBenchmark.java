package dev.ferry.jmh.codec;

import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The batch compressors memory to memory: {@link Compressor#compress} of {@code size} bytes and
 * {@link Compressor#decompress} back, per {@link CodecLevel} and {@link Data}, against a {@link MemorySegment#copy}
 * of the same {@code size} bytes into the same destination as {@code decompress} (the baseline does not depend on
 * the codec or the data, so its repeats across those parameters show the run's noise). Reported as ns/op; the rate is
 * {@code size * 1000 / score} MB/s (10^6 bytes). The compression ratio is the quotient of the secondary results
 * {@code compress:inputBytes / compress:compressedBytes} (both totals over the measured iterations, see
 * {@link Sizes}). {@code INCOMPRESSIBLE} data shows the price of a failed attempt: a sender then ships the batch as
 * {@code NONE}, so its {@code decompress} row is not a path Ferry takes. Native memory from {@link Arena#ofAuto()};
 * the same segment objects on every call, so the compressors reuse their buffer views. The only thread is the JMH
 * worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CompressionBenchmark
{
    /**
     * The codec and its level.
     */
    public enum CodecLevel
    {
        /** snappy-java. */
        SNAPPY(Codec.SNAPPY, 0),
        /** zstd level 1, the fastest. */
        ZSTD_1(Codec.ZSTD, 1),
        /** zstd level 3, zstd's and Ferry's default. */
        ZSTD_3(Codec.ZSTD, 3),
        /** zstd level 9. */
        ZSTD_9(Codec.ZSTD, 9);

        private final Codec codec;
        private final int level;

        CodecLevel(final Codec codec, final int level)
        {
            this.codec = codec;
            this.level = level;
        }

        Compressor create()
        {
            return Compressors.of(codec, level);
        }
    }

    /**
     * What is compressed.
     */
    public enum Data
    {
        /** Repeating JSON-like records with seeded random field values, like an event log. */
        COMPRESSIBLE,
        /** Seeded random bytes. */
        INCOMPRESSIBLE
    }

    /**
     * Bytes in and out of {@code compress} during one iteration. JMH sums {@code EVENTS} counters over the measured
     * iterations, so each alone scales with the run length; their quotient is the compression ratio.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sizes
    {
        /** Input bytes compressed. */
        public long inputBytes;
        /** Output bytes written. */
        public long compressedBytes;

        /**
         * Start each iteration from zero.
         */
        @Setup(Level.Iteration)
        public void reset()
        {
            inputBytes = 0;
            compressedBytes = 0;
        }
    }

    @Param
    CodecLevel codec;

    @Param
    Data data;

    @Param({"4096", "65536", "1048576"})
    int size;

    private Compressor compressor;
    private MemorySegment src;
    private MemorySegment compressOut;
    private int compressOutCapacity;
    private MemorySegment compressed;
    private int compressedLength;
    private MemorySegment restored;

    /**
     * The input, the output areas, and one compression whose result the {@code decompress} runs read back.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Arena arena = Arena.ofAuto();
        compressor = codec.create();
        src = arena.allocate(size, 64);
        fill(src, data);
        compressOutCapacity = compressor.maxCompressedLength(size);
        compressOut = arena.allocate(compressOutCapacity, 64);
        restored = arena.allocate(size, 64);

        compressedLength = compressor.compress(src, 0, size, compressOut, 0, compressOutCapacity);
        compressed = arena.allocate(compressedLength, 64);
        MemorySegment.copy(compressOut, 0, compressed, 0, compressedLength);
        decompress();
        if (-1 != restored.mismatch(src))
        {
            throw new IllegalStateException(codec + " round trip changed the data");
        }
    }

    /**
     * Free the codec's native contexts.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        compressor.close();
    }

    /**
     * @param sizes where the bytes in and out are counted.
     * @return the compressed length.
     */
    @Benchmark
    public int compress(final Sizes sizes)
    {
        final int length = compressor.compress(src, 0, size, compressOut, 0, compressOutCapacity);
        sizes.inputBytes += size;
        sizes.compressedBytes += length;
        return length;
    }

    /**
     * @return the decompressed length.
     */
    @Benchmark
    public int decompress()
    {
        return compressor.decompress(compressed, 0, compressedLength, restored, 0, size);
    }

    /**
     * Baseline: copy {@code size} bytes into the decompression destination.
     *
     * @return the destination, for JMH to consume.
     */
    @Benchmark
    public MemorySegment memcpy()
    {
        MemorySegment.copy(src, 0, restored, 0, size);
        return restored;
    }

    private static void fill(final MemorySegment segment, final Data data)
    {
        final SplittableRandom random = new SplittableRandom(7);
        final long size = segment.byteSize();
        if (Data.INCOMPRESSIBLE == data)
        {
            for (long i = 0; i < size; i++)
            {
                segment.set(ValueLayout.JAVA_BYTE, i, (byte)random.nextInt());
            }
            return;
        }

        final String[] types = {"deposit", "withdrawal", "transfer", "fee", "refund"};
        final String[] currencies = {"EUR", "USD", "GBP"};
        final StringBuilder records = new StringBuilder((int)size + 256);
        long id = 1_000_000L;
        long timestampMs = 1_700_000_000_000L;
        while (records.length() < size)
        {
            id += 1 + random.nextInt(3);
            timestampMs += random.nextInt(250);
            records.append("{\"id\":").append(id)
                .append(",\"ts\":").append(timestampMs)
                .append(",\"account\":\"acct-").append(1000 + random.nextInt(9000))
                .append("\",\"type\":\"").append(types[random.nextInt(types.length)])
                .append("\",\"amount\":").append(random.nextInt(100_000)).append('.').append(10 + random.nextInt(90))
                .append(",\"currency\":\"").append(currencies[random.nextInt(currencies.length)])
                .append("\",\"status\":\"settled\"}\n");
        }
        final byte[] bytes = records.toString().getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, size);
    }
}
