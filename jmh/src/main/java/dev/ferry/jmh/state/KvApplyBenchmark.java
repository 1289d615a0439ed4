package dev.ferry.jmh.state;

import dev.ferry.engine.state.KvEntry;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.jmh.wal.BenchDirs;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What applying one key-value entry costs the node's Ferry thread: a PUT of a {@code valueSize}-byte value to one of
 * {@value #KEYS} existing keys (the steady state of {@code ferry primary --generate} under {@code --state kv}: a value
 * of the same length overwritten in place), and the validation of an entry alone. The entries are built once; the
 * state holds every key before measuring. {@link #apply} goes through the keys in the order the generator writes them
 * ({@code key:0}, {@code key:1}, ...), so each PUT finds its key's map node, key and value out of the CPU's caches, as
 * in the product run (it cycled over 4,096 keys before, which stay cached); {@link #walAppend} and {@link #validate}
 * take the first 4,096 entries, as the generator's reused buffer is always cached. Compare with {@code WalAppendBenchmark} in the same run: applying is paid
 * on top of the append on the primary and on top of {@code appendAt} on each replica; {@link #walAppend} is that append
 * of the same entries, in the same run (objective: applying costs no more than appending, so a state machine keeps up
 * with the log it applies). {@code gc.alloc.rate.norm} is the allocation per apply (objective: 0 B in steady state).
 * The only thread is the JMH worker.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class KvApplyBenchmark
{
    static final int KEYS = 100_000;
    private static final int ENTRIES = 1 << 17; // every key, and some twice
    private static final int HOT_ENTRIES = 4096;

    @Param({"64", "1024"})
    int valueSize;

    private final MemorySegment[] entries = new MemorySegment[ENTRIES];
    private KvStateMachine state;
    private Path dir;
    private Wal wal;
    private long offset;
    private int next;
    private int nextHot;

    /**
     * Build {@value #ENTRIES} PUT entries over the keys and apply one to every key.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final KvEntryWriter writer = new KvEntryWriter(64 + valueSize);
        final byte[] value = new byte[valueSize];
        for (int i = 0; i < ENTRIES; i++)
        {
            final byte[] key = ("key:" + i % KEYS).getBytes(StandardCharsets.US_ASCII);
            value[0] = (byte)i;
            final MemorySegment entry = writer.reset().put(0, MemorySegment.ofArray(key), MemorySegment.ofArray(value), 0)
                .entry();
            entries[i] = Arena.ofAuto().allocate(entry.byteSize(), 8).copyFrom(entry); // native, as WAL memory is
        }
        state = new KvStateMachine();
        for (int k = 0; k < KEYS; k++)
        {
            state.apply(offset++, MemorySegment.ofArray(writer.reset()
                .put(0, MemorySegment.ofArray(("key:" + k).getBytes(StandardCharsets.US_ASCII)),
                    MemorySegment.ofArray(value), 0).entry().toArray(ValueLayout.JAVA_BYTE)));
        }
    }

    /**
     * A fresh single-writer WAL per iteration, for {@link #walAppend}, so the disk holds one iteration's entries.
     */
    @Setup(Level.Iteration)
    public void openWal()
    {
        dir = BenchDirs.create("kv-apply");
        wal = Wal.open(new WalConfig().directory(dir).rollCycle(LargeRollCycles.LARGE_DAILY).singleWriter(true));
    }

    /**
     * Close and delete it.
     */
    @TearDown(Level.Iteration)
    public void closeWal()
    {
        wal.close();
        BenchDirs.delete(dir);
    }

    /**
     * @return the applied offset (consumed by JMH).
     */
    @Benchmark
    public long apply()
    {
        state.apply(offset, entries[next]);
        next = (next + 1) & (ENTRIES - 1);
        return ++offset;
    }

    /**
     * @return the offset (consumed by JMH): the append of the same entries, what the primary's writer pays per entry.
     */
    @Benchmark
    public long walAppend()
    {
        final long appended = wal.append(entries[nextHot]);
        nextHot = (nextHot + 1) & (HOT_ENTRIES - 1);
        return appended;
    }

    /**
     * @return the number of operations (consumed by JMH): the validation pass alone.
     */
    @Benchmark
    public int validate()
    {
        final int count = KvEntry.validate(entries[nextHot], offset);
        nextHot = (nextHot + 1) & (HOT_ENTRIES - 1);
        return count;
    }
}
