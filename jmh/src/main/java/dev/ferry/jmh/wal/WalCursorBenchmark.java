package dev.ferry.jmh.wal;

import dev.ferry.wal.EntryHandler;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalEntry;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
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
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reading the WAL: a zero-copy cursor read of the next 64-byte entry against a raw Chronicle tailer read of the same
 * document, over a WAL of {@value #CYCLES} roll cycles written once per trial (seeks are measured in
 * {@code backlog.OffsetBacklogBenchmark}). Only the JMH worker thread runs, nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WalCursorBenchmark
{
    static final int CYCLES = 16;
    static final int PER_CYCLE = 50_000;

    private Path dir;
    private Wal wal;
    private WalCursor cursor;
    private ExcerptTailer rawTailer;
    private SingleChronicleQueue rawQueue;
    private Blackhole blackhole;
    private final EntryHandler handler = this::onEntry;

    /**
     * Fill a WAL over {@value #CYCLES} roll cycles.
     *
     * @param blackhole JMH's sink.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        this.blackhole = blackhole;
        dir = BenchDirs.create("wal-cursor");
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        wal = MultiCycleWal.open(dir.resolve("ferry"), CYCLES, PER_CYCLE, clock);
        cursor = wal.cursor();
        rawQueue = SingleChronicleQueueBuilder.binary(dir.resolve("ferry")).readOnly(true)
            .rollCycle(TestRollCycles.TEST_SECONDLY).build();
        rawTailer = rawQueue.createTailer();
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        cursor.close();
        rawTailer.close();
        rawQueue.close();
        wal.close();
        BenchDirs.delete(dir);
    }

    private boolean onEntry(final WalEntry entry)
    {
        blackhole.consume(entry.offset());
        blackhole.consume(entry.payloadByte(0));
        return true;
    }

    /**
     * Read the next entry through a Ferry cursor, wrapping to the start at the end.
     */
    @Benchmark
    public void ferryReadNext()
    {
        if (cursor.poll(handler, 1) == 0)
        {
            cursor.seek(wal.oldestOffset());
        }
    }

    /**
     * Baseline: read the next document through a raw Chronicle tailer, wrapping to the start at the end.
     */
    @Benchmark
    public void rawChronicleReadNext()
    {
        try (DocumentContext dc = rawTailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                rawTailer.toStart();
                return;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            blackhole.consume(bytes.readLong(bytes.readPosition()));
            blackhole.consume(bytes.readByte(bytes.readPosition() + 20));
        }
    }
}
