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
 * with the kernel's read-around, {@link WalConfig#readAround(boolean)}, and in single-writer mode,
 * {@link WalConfig#singleWriter(boolean)}), each round into a fresh queue. JMH runs one
 * benchmark after the other, so a slow spell of a shared machine lands on one side of a ratio only (its raw baseline
 * here ranged from 2.3 to 5.5 ops/us between runs); pairing rounds that are a fraction of a second apart and taking
 * the median of the per-round ratios keeps that out. One thread; nothing else runs.
 */
final class AppendPairs
{
    /** What one round runs. */
    enum Variant
    {
        /** A raw Chronicle append of the same payload: the baseline. */
        RAW,
        /** {@code Wal.append} as configured by default. */
        FERRY,
        /** The same with the kernel's read-around. */
        FERRY_READ_AROUND,
        /** The same in single-writer mode: no lock of Ferry's own, like the raw appender. */
        FERRY_SINGLE_WRITER
    }

    private static final Variant[] VARIANTS = Variant.values();

    /** Per variant and round, ns per append. */
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
        this.nsPerAppend = new double[VARIANTS.length][rounds];
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
                for (final Variant variant : VARIANTS)
                {
                    final Path dir = scratch.resolve("append-pairs-" + variant.ordinal());
                    final long ns = variant == Variant.RAW ? raw(dir, rawPayload) : ferry(dir, payload,
                        new WalConfig().readAround(variant == Variant.FERRY_READ_AROUND)
                            .singleWriter(variant == Variant.FERRY_SINGLE_WRITER));
                    Host.deleteTree(dir);
                    pause();
                    if (round >= 0)
                    {
                        nsPerAppend[variant.ordinal()][round] = (double)ns / appendsPerRound;
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

    /**
     * @param variant what was run.
     * @return its median ns per append.
     */
    double ns(final Variant variant)
    {
        return BenchOutput.median(nsPerAppend[variant.ordinal()]);
    }

    /**
     * @param variant what was run.
     * @return the median of the per-round ratios raw / variant (a throughput ratio: 1 means as fast as raw).
     */
    double ratio(final Variant variant)
    {
        final double[] raw = nsPerAppend[Variant.RAW.ordinal()];
        final double[] ratios = new double[raw.length];
        for (int round = 0; round < ratios.length; round++)
        {
            ratios[round] = raw[round] / nsPerAppend[variant.ordinal()][round];
        }
        return BenchOutput.median(ratios);
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

    private long ferry(final Path dir, final MemorySegment payload, final WalConfig config)
    {
        try (Wal wal = Wal.open(config.directory(dir).rollCycle(LargeRollCycles.LARGE_DAILY)))
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
