package dev.ferry.jmh.wal;

import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A WAL of many {@code TEST_SECONDLY} roll cycles written without waiting: the cycle clock is a
 * {@link SetTimeProvider} moved a second on after each cycle's entries. For benchmarks that read or seek a backlog.
 */
public final class MultiCycleWal
{
    private MultiCycleWal()
    {
    }

    /**
     * @param dir      the WAL's directory.
     * @param cycles   roll cycles to write.
     * @param perCycle 64-byte entries per cycle.
     * @param clock    the cycle clock; left one second past the last cycle.
     * @return the open WAL.
     */
    public static Wal open(final Path dir, final int cycles, final int perCycle, final SetTimeProvider clock)
    {
        final Wal wal = Wal.open(new WalConfig().directory(dir).rollCycle(TestRollCycles.TEST_SECONDLY).cycleClock(clock));
        final MemorySegment payload = MemorySegment.ofArray(new byte[64]);
        for (int c = 0; c < cycles; c++)
        {
            for (int i = 0; i < perCycle; i++)
            {
                wal.append(payload);
            }
            clock.advanceMillis(1000);
        }
        return wal;
    }
}
