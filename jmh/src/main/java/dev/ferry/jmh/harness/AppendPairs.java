package dev.ferry.jmh.harness;

import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code Wal.append} against a raw Chronicle append of the same payload, in rounds that alternate the two (and Ferry
 * with the kernel's read-around, {@link WalConfig#readAround(boolean)}), each round into a fresh queue. JMH runs one
 * benchmark after the other, so a slow spell of a shared machine lands on one side of a ratio only (its raw baseline
 * here ranged from 2.3 to 5.5 ops/us between runs); pairing rounds that are a fraction of a second apart and taking
 * the median of the per-round ratios keeps that out. One thread; nothing else runs.
 */
final class AppendPairs
{
    /** Per-round ns per append of raw Chronicle, Ferry, and Ferry with read-around. */
    private final double[][] nsPerAppend;
    private final int size;
    private final int appendsPerRound;
    private final long pauseMs;

    /**
     * @param size            payload bytes.
     * @param rounds          measured rounds (after 3 unrecorded ones).
     * @param appendsPerRound appends per variant and round.
     * @param pauseMs         a pause after each variant's run: a few seconds lets a VM's balloon hand the memory the
     *                        deleted queue freed back to the host, so the next run faults in "cold" memory.
     */
    AppendPairs(final int size, final int rounds, final int appendsPerRound, final long pauseMs)
    {
        this.pauseMs = pauseMs;
        this.size = size;
        this.appendsPerRound = appendsPerRound;
        this.nsPerAppend = new double[3][rounds];
    }

    /**
     * Run every round in {@code scratch} (each queue deleted after its round).
     *
     * @param scratch a directory on the file system under test.
     * @return this.
     * @throws IOException if a directory cannot be created or deleted.
     */
    AppendPairs run(final Path scratch) throws IOException
    {
        final MemorySegment payload = Arena.ofAuto().allocate(size, 64);
        final BytesStore<?, ?> rawPayload = BytesStore.nativeStoreWithFixedCapacity(size);
        try
        {
            final int rounds = nsPerAppend[0].length;
            for (int round = -3; round < rounds; round++)
            {
                for (int variant = 0; variant < 3; variant++)
                {
                    final Path dir = scratch.resolve("append-pairs-" + variant);
                    final long ns = variant == 0 ? raw(dir, rawPayload) : ferry(dir, payload, variant == 2);
                    Bench.deleteTree(dir);
                    pause();
                    if (round >= 0)
                    {
                        nsPerAppend[variant][round] = (double)ns / appendsPerRound;
                    }
                }
            }
        }
        finally
        {
            rawPayload.releaseLast();
        }
        return this;
    }

    /** @return median ns per raw Chronicle append. */
    double rawNs()
    {
        return Bench.median(nsPerAppend[0]);
    }

    /** @return median ns per Ferry append (default configuration). */
    double ferryNs()
    {
        return Bench.median(nsPerAppend[1]);
    }

    /** @return median ns per Ferry append with the kernel's read-around. */
    double ferryReadAroundNs()
    {
        return Bench.median(nsPerAppend[2]);
    }

    /** @return the median of the per-round ratios raw / Ferry (a throughput ratio: 1 means as fast as raw). */
    double ferryRatio()
    {
        return medianRatio(1);
    }

    /** @return the same with the kernel's read-around. */
    double ferryReadAroundRatio()
    {
        return medianRatio(2);
    }

    private double medianRatio(final int variant)
    {
        final double[] ratios = new double[nsPerAppend[0].length];
        for (int round = 0; round < ratios.length; round++)
        {
            ratios[round] = nsPerAppend[0][round] / nsPerAppend[variant][round];
        }
        return Bench.median(ratios);
    }

    private void pause()
    {
        // between timed runs, never inside one
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime())
        {
            LockSupport.parkNanos(left);
        }
    }

    private long raw(final Path dir, final BytesStore<?, ?> payload)
    {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(LargeRollCycles.LARGE_DAILY).build();
             ExcerptAppender appender = queue.createAppender())
        {
            final long start = System.nanoTime();
            for (int i = 0; i < appendsPerRound; i++)
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    final Bytes<?> bytes = dc.wire().bytes();
                    bytes.write(payload, 0L, (long)size);
                }
            }
            return System.nanoTime() - start;
        }
    }

    private long ferry(final Path dir, final MemorySegment payload, final boolean readAround)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir).rollCycle(LargeRollCycles.LARGE_DAILY).readAround(readAround)))
        {
            final long start = System.nanoTime();
            for (int i = 0; i < appendsPerRound; i++)
            {
                wal.append(payload);
            }
            return System.nanoTime() - start;
        }
    }
}
