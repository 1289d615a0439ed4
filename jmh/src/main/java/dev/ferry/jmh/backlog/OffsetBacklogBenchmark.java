package dev.ferry.jmh.backlog;

import dev.ferry.jmh.wal.BenchDirs;
import dev.ferry.jmh.wal.MultiCycleWal;
import dev.ferry.wal.RetentionPolicy;
import dev.ferry.wal.RetentionResult;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The questions the primary asks of its replication backlog (the WAL itself) on every decision: where the head is
 * ({@link Wal#nextOffset()}), where the oldest retained entry is ({@link Wal#oldestOffset()}), where a replica's
 * resume offset is ({@link WalCursor#seek(long)} to an offset in the newest and in the oldest of {@value #CYCLES}
 * roll cycles), and what a retention pass costs when the slowest replica's floor lets it delete nothing
 * ({@link Wal#retain}: a policy that would delete every old cycle, held by a floor at the oldest offset, so every
 * pass lists the cycle files, sizes them, probes the next cycle's first offset and stops). The baseline is a plain
 * volatile read, what {@code head} and {@code oldest} should cost. The WAL ({@value #PER_CYCLE} entries of 64 B per
 * {@code TEST_SECONDLY} cycle) is written once per trial, rolled by a {@link SetTimeProvider} cycle clock instead of
 * waiting. The only thread is the JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class OffsetBacklogBenchmark
{
    static final int CYCLES = 16;
    static final int PER_CYCLE = 10_000;

    /** Over one byte is too much: the policy alone would delete every cycle but the current one. */
    private static final RetentionPolicy DELETE_ALL_OLD = new RetentionPolicy(null, 1);

    private Path dir;
    private Wal wal;
    private WalCursor cursor;
    private long recent;
    private long old;
    private long floor;
    private long nowMillis;
    private volatile long volatileHead;

    /**
     * Fill a WAL over {@value #CYCLES} roll cycles and check that a retention pass deletes nothing.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        dir = BenchDirs.create("offset-backlog");
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        wal = MultiCycleWal.open(dir, CYCLES, PER_CYCLE, clock);
        cursor = wal.cursor();
        recent = wal.nextOffset() - 100;
        old = wal.oldestOffset() + 100;
        floor = wal.oldestOffset();
        nowMillis = clock.currentTimeMillis();
        volatileHead = wal.nextOffset();

        if (SeekResult.FOUND != seekRecent() || SeekResult.FOUND != seekOld())
        {
            throw new IllegalStateException("seeks did not find their offsets in " + wal);
        }
        final RetentionResult result = retainNoop();
        if (0 != result.cyclesDeleted() || !result.heldByFloor() || floor != result.oldestOffset())
        {
            throw new IllegalStateException("the retention pass was not a held no-op: " + result);
        }
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        cursor.close();
        wal.close();
        BenchDirs.delete(dir);
    }

    /**
     * @return the head: the next offset to be appended.
     */
    @Benchmark
    public long head()
    {
        return wal.nextOffset();
    }

    /**
     * @return the oldest retained offset.
     */
    @Benchmark
    public long oldest()
    {
        return wal.oldestOffset();
    }

    /**
     * @return the seek answer for an offset in the newest cycle.
     */
    @Benchmark
    public SeekResult seekRecent()
    {
        return cursor.seek(recent);
    }

    /**
     * @return the seek answer for an offset in the oldest cycle.
     */
    @Benchmark
    public SeekResult seekOld()
    {
        return cursor.seek(old);
    }

    /**
     * A retention pass that the floor stops before it deletes anything.
     *
     * @return what the pass did: nothing.
     */
    @Benchmark
    public RetentionResult retainNoop()
    {
        return wal.retain(DELETE_ALL_OLD, floor, nowMillis);
    }

    /**
     * Baseline: one volatile read of a field of this state.
     *
     * @return the value read.
     */
    @Benchmark
    public long rawVolatileReadBaseline()
    {
        return volatileHead;
    }
}
