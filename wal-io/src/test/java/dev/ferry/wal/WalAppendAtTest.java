package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Wal#appendAt} as a replica applies a primary's entries: a repeat of an entry the WAL holds is a no-op that
 * says so, a gap and a different entry at an offset it holds are refused, and a refusal writes nothing.
 */
class WalAppendAtTest
{
    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
    private Wal wal;

    @AfterEach
    void close()
    {
        if (wal != null)
        {
            wal.close();
        }
    }

    private Wal open()
    {
        wal = Wal.open(new WalConfig().directory(dir.resolve("wal")).rollCycle("TEST_SECONDLY").cycleClock(clock)
            .minFreeBytes(0));
        return wal;
    }

    private static MemorySegment payload(final long offset)
    {
        return MemorySegment.ofArray(WalTest.payload(offset));
    }

    private static int crc(final MemorySegment payload)
    {
        return Crc32c.compute(payload, 0, payload.byteSize());
    }

    /** Offsets 100-129 over three roll cycles, as a replica receives them. */
    private Wal filled()
    {
        final Wal wal = open();
        for (long offset = 100; offset < 130; offset++)
        {
            if (offset % 10 == 0)
            {
                clock.advanceMillis(1_000);
            }
            final MemorySegment p = payload(offset);
            assertEquals(Wal.APPENDED, wal.appendAt(offset, offset, crc(p), p));
        }
        return wal;
    }

    @Test
    void shouldTreatARepeatOfAnEntryItHoldsAsANoOpThatSaysSo()
    {
        final Wal wal = filled();
        for (final long offset : new long[] {100, 109, 110, 115, 128, 129})
        {
            final MemorySegment p = payload(offset);
            assertEquals(Wal.DUPLICATE, wal.appendAt(offset, 0, crc(p), p), "repeat of " + offset);
        }
        final MemorySegment frame = MemorySegment.ofArray(new byte[64]);
        final MemorySegment p = payload(120);
        MemorySegment.copy(p, 0, frame, 7, p.byteSize());
        assertEquals(Wal.DUPLICATE, wal.appendAt(120, 0, crc(p), frame, 7, p.byteSize()), "the slice form too");

        assertEquals(130, wal.nextOffset(), "nothing written by a repeat");
        final MemorySegment next = payload(130);
        assertEquals(Wal.APPENDED, wal.appendAt(130, 130, crc(next), next));
        assertEntries(wal, 100, 131);
    }

    @Test
    void shouldRefuseADifferentEntryAtAnOffsetItHolds()
    {
        final Wal wal = filled();
        final MemorySegment other = payload(999);
        final WalException differentCrc = assertThrows(WalException.class, () -> wal.appendAt(115, 0, crc(other), other));
        assertEquals(ErrorCode.DIVERGED, differentCrc.code());
        assertTrue(differentCrc.getMessage().contains("115"), differentCrc.getMessage());

        final MemorySegment p = payload(115);
        final MemorySegment longer = MemorySegment.ofArray(new byte[(int)p.byteSize() + 1]);
        MemorySegment.copy(p, 0, longer, 0, p.byteSize());
        assertEquals(ErrorCode.DIVERGED, assertThrows(WalException.class,
            () -> wal.appendAt(115, 0, crc(p), longer)).code(), "same CRC32C, different length");

        assertEquals(130, wal.nextOffset(), "nothing written by a refusal");
        assertEntries(wal, 100, 130);
    }

    @Test
    void shouldRefuseAGapAndWriteNothing()
    {
        final Wal wal = filled();
        final MemorySegment p = payload(131);
        final WalException gap = assertThrows(WalException.class, () -> wal.appendAt(131, 0, crc(p), p));
        assertEquals(ErrorCode.SEQUENCE_GAP, gap.code());
        assertEquals(130, wal.nextOffset(), "nothing written by a refusal");
        assertEntries(wal, 100, 130);
    }

    @Test
    void shouldRefuseARepeatOfAnEntryRetentionDeleted()
    {
        final Wal wal = filled();
        assertTrue(wal.retain(new RetentionPolicy(Duration.ZERO, 0), 120, clock.currentTimeMillis()).cyclesDeleted() > 0);
        assertEquals(120, wal.oldestOffset());
        final MemorySegment p = payload(105);
        assertEquals(ErrorCode.RETENTION, assertThrows(WalException.class, () -> wal.appendAt(105, 0, crc(p), p)).code());
        final MemorySegment kept = payload(120);
        assertEquals(Wal.DUPLICATE, wal.appendAt(120, 0, crc(kept), kept));
    }

    @Test
    void shouldCheckRepeatsAfterAReopen()
    {
        filled().close();
        final Wal wal = open();
        final MemorySegment p = payload(125);
        assertEquals(Wal.DUPLICATE, wal.appendAt(125, 0, crc(p), p));
        final MemorySegment other = payload(126);
        assertEquals(ErrorCode.DIVERGED, assertThrows(WalException.class, () -> wal.appendAt(125, 0, crc(other), other)).code());
    }

    /**
     * A repeat is answered from the stored header: after a warm-up, less than a byte a call (an object a call would be
     * 16 or more). Repeats of a resend are consecutive offsets, in one roll cycle at a time: a switch of cycle costs
     * Chronicle's tailer ~50 us and ~500 B (measured), once per cycle.
     */
    @Test
    void shouldAnswerARepeatWithoutAllocating()
    {
        final Wal wal = filled();
        final int first = 120; // the current cycle
        final MemorySegment[] payloads = new MemorySegment[10];
        final int[] crcs = new int[payloads.length];
        for (int i = 0; i < payloads.length; i++)
        {
            payloads[i] = payload(first + i);
            crcs[i] = crc(payloads[i]);
        }
        final int repeats = 20_000;
        repeat(wal, first, payloads, crcs, repeats);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        final int duplicates = repeat(wal, first, payloads, crcs, repeats);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(repeats, duplicates);
        assertTrue(allocated < repeats, allocated + " bytes allocated by " + repeats + " repeats");
    }

    private static int repeat(
        final Wal wal, final int first, final MemorySegment[] payloads, final int[] crcs, final int count)
    {
        int duplicates = 0;
        for (int i = 0; i < count; i++)
        {
            final int j = i % payloads.length;
            duplicates += wal.appendAt(first + j, 0, crcs[j], payloads[j]) == Wal.DUPLICATE ? 1 : 0;
        }
        return duplicates;
    }

    private static void assertEntries(final Wal wal, final long from, final long to)
    {
        try (WalCursor cursor = wal.cursor())
        {
            final long[] next = {from};
            cursor.poll(e ->
            {
                final long offset = next[0]++;
                assertEquals(offset, e.offset());
                assertEquals(offset, e.timestampNs(), "the first write's timestamp kept");
                assertArrayEquals(WalTest.payload(offset), e.payload().toArray(ValueLayout.JAVA_BYTE));
                return true;
            }, Integer.MAX_VALUE);
            assertEquals(to, next[0]);
        }
    }
}
