package dev.ferry.jmh.wal;

import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The chained checksum's cost on append (issue 17): {@link Wal#append(MemorySegment)} in single-writer mode as
 * shipped, against the same append in a JVM started with {@code -Dferry.wal.chain=false}, where the entry writer skips
 * the fold and stores 0 in the chain field (a measurement switch only: such a WAL cannot be content-verified). Both
 * write the same bytes, so the ratio is the fold's CPU; the 4 bytes the field adds to each entry are in both (see
 * {@link WalAppendBenchmark} against a raw Chronicle append for the whole header's cost). Fresh WAL per iteration;
 * the only thread is the JMH worker.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class ChainedChecksumBenchmark
{
    @Param({"64", "1024"})
    int size;

    private MemorySegment payload;
    private Path dir;
    private Wal wal;

    /**
     * The payload, allocated once.
     */
    @Setup(Level.Trial)
    public void setUpPayload()
    {
        payload = Arena.ofAuto().allocate(size, 64);
        for (int i = 0; i < size; i++)
        {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte)i);
        }
    }

    /**
     * A fresh single-writer WAL for each iteration.
     */
    @Setup(Level.Iteration)
    public void setUp()
    {
        dir = BenchDirs.create("wal-chain");
        wal = Wal.open(new WalConfig().directory(dir).rollCycle(LargeRollCycles.LARGE_DAILY).singleWriter(true));
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Iteration)
    public void tearDown()
    {
        wal.close();
        BenchDirs.delete(dir);
    }

    /**
     * @return the offset, consumed by JMH.
     */
    @Benchmark
    @Fork(1)
    public long append()
    {
        return wal.append(payload);
    }

    /**
     * The baseline: the same append without the fold.
     *
     * @return the offset, consumed by JMH.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dferry.wal.chain=false")
    public long appendUnchained()
    {
        return wal.append(payload);
    }
}
