package dev.ferry.jmh.wal;

import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalPretoucher;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread appending {@code size}-byte payloads: Ferry's {@link Wal#append(MemorySegment)} (entry header, CRC32C,
 * offset bookkeeping, lock; and in single-writer mode without the lock) against a raw Chronicle Queue append of the same payload, each into a fresh queue per
 * iteration on the same file system. Both pay the same page faults on fresh mapped pages. The only thread is the
 * JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WalAppendBenchmark
{
    @Param({"64", "1024"})
    int size;

    private MemorySegment payload;
    private BytesStore<?, ?> rawPayload;
    private Path dir;
    private Wal wal;
    private Wal singleWriterWal;
    private SingleChronicleQueue rawQueue;
    private ExcerptAppender rawAppender;

    /**
     * Payloads, allocated once.
     */
    @Setup(Level.Trial)
    public void setUpPayload()
    {
        payload = Arena.ofAuto().allocate(size, 64);
        for (int i = 0; i < size; i++)
        {
            payload.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte)i);
        }
        rawPayload = BytesStore.nativeStoreWithFixedCapacity(size);
        for (int i = 0; i < size; i++)
        {
            rawPayload.writeByte(i, (byte)i);
        }
    }

    /**
     * A fresh WAL and a fresh raw queue for each iteration, so the disk holds one iteration's data at a time.
     */
    @Setup(Level.Iteration)
    public void setUp()
    {
        dir = BenchDirs.create("wal-append");
        wal = Wal.open(new WalConfig().directory(dir.resolve("ferry")).rollCycle(LargeRollCycles.LARGE_DAILY));
        singleWriterWal = Wal.open(new WalConfig().directory(dir.resolve("ferry-single-writer"))
            .rollCycle(LargeRollCycles.LARGE_DAILY).singleWriter(true));
        rawQueue = SingleChronicleQueueBuilder.binary(dir.resolve("raw")).rollCycle(LargeRollCycles.LARGE_DAILY).build();
        rawAppender = rawQueue.createAppender();
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Iteration)
    public void tearDown()
    {
        wal.close();
        singleWriterWal.close();
        rawAppender.close();
        rawQueue.close();
        BenchDirs.delete(dir);
    }

    /**
     * Free the payload.
     */
    @TearDown(Level.Trial)
    public void tearDownPayload()
    {
        rawPayload.releaseLast();
    }

    /**
     * @return the offset, consumed by JMH.
     */
    @Benchmark
    public long ferryAppend()
    {
        return wal.append(payload);
    }

    /**
     * Ferry's append in single-writer mode ({@link WalConfig#singleWriter(boolean)}): one thread appends, as with a
     * raw Chronicle appender, so no lock of Ferry's own is taken. The like-for-like comparison with
     * {@link #rawChronicleAppend()}.
     *
     * @return the offset, consumed by JMH.
     */
    @Benchmark
    public long ferryAppendSingleWriter()
    {
        return singleWriterWal.append(payload);
    }

    /**
     * Ferry's append with a {@link WalPretoucher} running on a second thread (the one extra thread: it touches the
     * pages ahead of the write position so the appending thread does not take their page faults).
     *
     * @param pretouched the WAL with its pretoucher thread.
     * @return the offset.
     */
    @Benchmark
    public long ferryAppendPretouched(final PretouchedWal pretouched)
    {
        return pretouched.wal.append(payload);
    }

    /**
     * A WAL with a pretoucher thread, fresh per iteration.
     */
    @State(Scope.Thread)
    public static class PretouchedWal
    {
        Wal wal;
        private Path dir;
        private Thread toucher;
        private volatile boolean running;

        /**
         * Open the WAL and start the pretoucher thread (it parks 20 µs when far enough ahead).
         */
        @Setup(Level.Iteration)
        public void setUp()
        {
            dir = BenchDirs.create("wal-append-pretouched");
            wal = Wal.open(new WalConfig().directory(dir).rollCycle(LargeRollCycles.LARGE_DAILY));
            wal.append(new byte[8]);
            running = true;
            toucher = Thread.ofPlatform().name("pretoucher").daemon(true).start(() ->
            {
                try (WalPretoucher pretoucher = new WalPretoucher(wal, WalPretoucher.DEFAULT_AHEAD_BYTES))
                {
                    while (running)
                    {
                        if (pretoucher.doWork() == 0)
                        {
                            LockSupport.parkNanos(20_000);
                        }
                    }
                }
            });
        }

        /**
         * Stop the pretoucher, close and delete.
         *
         * @throws InterruptedException if interrupted while joining.
         */
        @TearDown(Level.Iteration)
        public void tearDown() throws InterruptedException
        {
            running = false;
            toucher.join();
            wal.close();
            BenchDirs.delete(dir);
        }
    }

    /**
     * Baseline: Chronicle's own document append of the same bytes.
     */
    @Benchmark
    public void rawChronicleAppend()
    {
        try (DocumentContext dc = rawAppender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            bytes.write(rawPayload, 0L, (long)size);
        }
    }
}
