package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page-cache release: what every cursor has read of the file being written leaves the page cache (checked with
 * {@code mincore}, which reports a file's pages cached or not), what a cursor has not read stays, and no byte changes.
 */
class PageCacheReleaseTest
{
    private static final int ENTRY = 1000;
    private static final int ENTRIES = 48_000; // ~48 MiB: past Chronicle's first index array and into later chunks

    @TempDir
    Path dir;

    private Wal open(final boolean release)
    {
        return Wal.open(new WalConfig().directory(dir.resolve("wal")).syncPolicy(SyncPolicy.PER_BATCH)
            .releaseCache(release));
    }

    @Test
    void shouldReleaseWhatEveryCursorHasReadAndKeepTheRest() throws Throwable
    {
        try (Wal wal = open(true); WalPretoucher pretoucher = new WalPretoucher(wal, 4 << 20);
            WalCursor reader = wal.cursor(); WalCursor audit = wal.cursor().holdsCache(false))
        {
            final WalCursor behind = wal.cursor(); // closed half-way; the WAL's close would close it otherwise
            final long[] sum = new long[2];
            final EntryHandler check = e ->
            {
                assertTrue(e.crcMatches(), "entry " + e.offset());
                assertEquals((byte)e.offset(), e.payload().get(ValueLayout.JAVA_BYTE, ENTRY - 1));
                sum[0] += e.offset();
                return true;
            };
            appendAndFollow(wal, pretoucher, reader, check, 0, 64);
            assertEquals(1, behind.poll(check, 1)); // holds from its first entry on
            assertEquals(1, audit.poll(check, 1)); // does not hold
            appendAndFollow(wal, pretoucher, reader, check, 64, ENTRIES / 2);
            // the cursor "behind" held everything after its first entry: nothing was released
            assertEquals(0, pretoucher.bytesReleased(), "a cursor holding the cache keeps what it has not read");
            behind.close();
            appendAndFollow(wal, pretoucher, reader, check, ENTRIES / 2, ENTRIES);
            final File file = wal.writeFile();
            final long written = wal.writePosition();
            final double releasedPart = residentPart(file, written / 8, written - (8L << 20));
            assertTrue(pretoucher.bytesReleased() > written / 2, pretoucher.bytesReleased() + " of " + written + " released");
            assertTrue(releasedPart < 0.2, "the part every cursor read is mostly out of the page cache: " + releasedPart);
            assertTrue(residentPart(file, written - (1L << 20), written) > 0.9, "the part near the head stays cached");
            assertTrue(residentPart(file, 0, 4096) == 1.0, "Chronicle's header stays cached");
            // every byte is still there: read back from disk, checked by CRC and content
            try (WalCursor again = wal.cursor())
            {
                sum[0] = 0;
                while (again.poll(check, 10_000) > 0)
                {
                    // read all
                }
                assertEquals((long)ENTRIES * (ENTRIES - 1) / 2, sum[0]);
            }
        }
    }

    /**
     * Dropping a dirty page starts its write-back on the calling thread (a primary's sender), among the replicas'
     * syncs: only what a sync made clean is released.
     */
    @Test
    void shouldReleaseOnlyWhatASyncMadeClean() throws Throwable
    {
        try (Wal wal = open(true); WalPretoucher pretoucher = new WalPretoucher(wal, 4 << 20); WalCursor reader = wal.cursor())
        {
            final byte[] payload = new byte[ENTRY];
            for (int i = 0; i < ENTRIES / 2; i++)
            {
                wal.append(payload); // PER_BATCH, but no flush: nothing is synced
                if (i % 64 == 63)
                {
                    reader.poll(e -> true, 1_000);
                    pretoucher.doWork(64);
                }
            }
            assertEquals(0, pretoucher.bytesReleased(), "nothing synced, nothing released");
            wal.flush();
            for (int i = 0; i < 8; i++)
            {
                pretoucher.doWork(64);
            }
            assertTrue(pretoucher.bytesReleased() > (8L << 20), "released once synced: " + pretoucher.bytesReleased());
        }
    }

    @Test
    void shouldReleaseNothingWhenTurnedOff() throws Throwable
    {
        try (Wal wal = open(false); WalPretoucher pretoucher = new WalPretoucher(wal, 4 << 20); WalCursor reader = wal.cursor())
        {
            appendAndFollow(wal, pretoucher, reader, e -> true, 0, ENTRIES / 2);
            assertEquals(0, pretoucher.bytesReleased());
            final long written = wal.writePosition();
            assertTrue(residentPart(wal.writeFile(), written / 8, written - (8L << 20)) > 0.9, "all cached");
        }
    }

    private static void appendAndFollow(
        final Wal wal, final WalPretoucher pretoucher, final WalCursor reader, final EntryHandler handler, final int from,
        final int to)
    {
        final byte[] payload = new byte[ENTRY];
        for (int i = from; i < to; i++)
        {
            payload[ENTRY - 1] = (byte)i;
            wal.append(payload);
            if (i % 64 == 63)
            {
                wal.flush();
                reader.poll(handler, 1_000);
                pretoucher.doWork(64);
            }
        }
        wal.flush();
        reader.poll(handler, 1_000);
    }

    /** The part of {@code [from, to)} of the file that is in the page cache, by {@code mincore}. */
    @SuppressWarnings("restricted")
    private static double residentPart(final File file, final long from, final long to) throws Throwable
    {
        final long start = from & -4096L;
        final MethodHandle mincore = LinuxCalls.find("mincore",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        assertNotNull(mincore);
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ); Arena arena = Arena.ofConfined())
        {
            final MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, start, to - start, arena);
            final int pages = (int)((to - start + 4095) / 4096);
            final MemorySegment vector = arena.allocate(pages);
            assertEquals(0, (int)mincore.invokeExact(mapped, to - start, vector));
            int resident = 0;
            for (int i = 0; i < pages; i++)
            {
                resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident / (double)pages;
        }
    }
}
