package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(LeakCheck.class)
class WalTest
{
    private static final long SECOND = 1000;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private WalConfig config()
    {
        return new WalConfig().directory(dir.resolve("wal")).rollCycle("TEST_SECONDLY").cycleClock(clock).minFreeBytes(0);
    }

    private Wal open()
    {
        return track(Wal.open(config()));
    }

    private <T extends AutoCloseable> T track(final T closeable)
    {
        toClose.add(closeable);
        return closeable;
    }

    static byte[] payload(final long offset)
    {
        return ("entry-" + offset).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Long> readAll(final WalCursor cursor)
    {
        final List<Long> offsets = new ArrayList<>();
        cursor.poll(e ->
        {
            assertArrayEquals(payload(e.offset()), e.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertTrue(e.crcMatches());
            offsets.add(e.offset());
            return true;
        }, Integer.MAX_VALUE);
        return offsets;
    }

    private static long readOne(final WalCursor cursor)
    {
        final long[] got = {-1};
        assertEquals(1, cursor.poll(e -> (got[0] = e.offset()) >= 0, 1));
        return got[0];
    }

    /** Appends {@code count} entries per cycle for each cycle gap given, advancing the cycle clock between groups. */
    private void fill(final Wal wal, final int count, final int... cycleGaps)
    {
        for (final int gap : cycleGaps)
        {
            clock.advanceMillis(gap * SECOND);
            for (int i = 0; i < count; i++)
            {
                final long next = wal.nextOffset();
                assertEquals(next, wal.append(payload(next)));
            }
        }
    }

    @Test
    void shouldAnswerEverySeekOutcomeOnAnEmptyWal()
    {
        final Wal wal = open();
        assertEquals(0, wal.nextOffset());
        assertEquals(0, wal.oldestOffset());
        assertTrue(wal.isEmpty());
        try (WalCursor cursor = wal.cursor())
        {
            assertEquals(SeekResult.CAUGHT_UP, cursor.seek(0));
            assertEquals(SeekResult.FUTURE, cursor.seek(1));
            assertEquals(0, cursor.poll(e -> true, 10));
            wal.append(payload(0));
            assertEquals(0, readOne(cursor));
        }
    }

    @Test
    void shouldAnswerEverySeekOutcomeAtEveryBoundaryAcrossCyclesAndReopen()
    {
        Wal wal = open();
        fill(wal, 5, 0, 1, 3); // three cycles, one skipped twice
        assertEquals(15, wal.nextOffset());
        wal.close();

        wal = open();
        assertEquals(15, wal.nextOffset());
        assertEquals(0, wal.oldestOffset());
        try (WalCursor cursor = wal.cursor())
        {
            for (long offset = 0; offset < 15; offset++)
            {
                assertEquals(SeekResult.FOUND, cursor.seek(offset), "offset " + offset);
                assertEquals(offset, cursor.nextOffset());
                assertEquals(offset, readOne(cursor));
            }
            assertEquals(SeekResult.CAUGHT_UP, cursor.seek(15));
            assertEquals(SeekResult.FUTURE, cursor.seek(16));
            assertEquals(SeekResult.FUTURE, cursor.seek(Long.MAX_VALUE));
            assertEquals(15, cursor.nextOffset(), "FUTURE does not move the cursor");
            assertThrows(WalException.class, () -> cursor.seek(-1));

            clock.advanceMillis(SECOND);
            assertEquals(15, wal.append(payload(15)), "offsets continue after reopen in a new cycle");
            assertEquals(15, readOne(cursor), "a CAUGHT_UP cursor sees the next append");
        }
    }

    @Test
    void shouldReportTooOldForOffsetsEvictedByRetention()
    {
        final Wal wal = open();
        fill(wal, 4, 0, 1, 1, 1); // cycles c0..c3, offsets 0-3, 4-7, 8-11, 12-15
        final RetentionResult result = wal.retain(new RetentionPolicy(Duration.ZERO, 0), Long.MAX_VALUE,
            clock.currentTimeMillis());
        assertEquals(3, result.cyclesDeleted(), "all but the current cycle");
        assertEquals(12, result.oldestOffset());
        assertEquals(12, wal.oldestOffset());
        try (WalCursor cursor = wal.cursor())
        {
            assertEquals(SeekResult.TOO_OLD, cursor.seek(0));
            assertEquals(SeekResult.TOO_OLD, cursor.seek(11));
            assertEquals(SeekResult.FOUND, cursor.seek(12));
            assertEquals(List.of(12L, 13L, 14L, 15L), readAll(cursor));
            assertEquals(SeekResult.CAUGHT_UP, cursor.seek(16));
        }
        wal.close();
        final Wal reopened = open();
        assertEquals(12, reopened.oldestOffset(), "oldest survives reopen");
        assertEquals(16, reopened.nextOffset());
    }

    @Test
    void shouldNeverDeleteACycleHoldingTheFloorOrAbove()
    {
        final Wal wal = open();
        fill(wal, 4, 0, 1, 1, 1); // 0-3, 4-7, 8-11, 12-15
        final RetentionResult result = wal.retain(new RetentionPolicy(Duration.ZERO, 0), 6, clock.currentTimeMillis());
        assertEquals(1, result.cyclesDeleted(), "only the cycle entirely below floor 6");
        assertTrue(result.heldByFloor());
        assertEquals(4, wal.oldestOffset());
        final RetentionResult again = wal.retain(new RetentionPolicy(Duration.ZERO, 0), 8, clock.currentTimeMillis());
        assertEquals(1, again.cyclesDeleted(), "floor 8: the cycle 4-7 is wholly below it");
        assertEquals(8, wal.oldestOffset());
    }

    @Test
    void shouldRunTheBeforeDeleteHookOnceBeforeDeletingAndNeverWhenNothingGoes()
    {
        final Wal wal = open();
        fill(wal, 4, 0, 1, 1, 1); // 0-3, 4-7, 8-11, 12-15
        final int[] calls = {0};
        final RetentionPolicy all = new RetentionPolicy(Duration.ZERO, 0);
        assertEquals(0, wal.retain(all, 3, clock.currentTimeMillis(), () -> calls[0]++).cyclesDeleted());
        assertEquals(0, calls[0], "the floor keeps every cycle: no hook");

        final WalException refused = assertThrows(WalException.class, () -> wal.retain(all, 12, clock.currentTimeMillis(),
            () ->
            {
                throw new WalException(ErrorCode.STORAGE, "cannot save the slots");
            }));
        assertEquals(ErrorCode.STORAGE, refused.code());
        assertEquals(0, wal.oldestOffset(), "a failing hook deletes nothing");

        assertEquals(3, wal.retain(all, 12, clock.currentTimeMillis(), () -> calls[0]++).cyclesDeleted());
        assertEquals(1, calls[0], "once for three deletions, before the first");
        assertEquals(12, wal.oldestOffset());
    }

    @Test
    void shouldKeepCyclesYoungerThanMaxAgeAndDeleteBySize()
    {
        final Wal wal = open();
        fill(wal, 4, 0, 1, 1, 1);
        final long now = clock.currentTimeMillis();
        assertEquals(0, wal.retain(new RetentionPolicy(Duration.ofHours(1), 0), Long.MAX_VALUE, now).cyclesDeleted());
        assertEquals(0, wal.retain(RetentionPolicy.KEEP_ALL, Long.MAX_VALUE, now).cyclesDeleted());
        final RetentionResult bySize = wal.retain(new RetentionPolicy(null, 1), Long.MAX_VALUE, now);
        assertEquals(3, bySize.cyclesDeleted(), "size limit below one file: all but the current cycle");
        assertTrue(bySize.bytesDeleted() > 0);
        assertEquals(12, wal.oldestOffset());
    }

    @Test
    void shouldFailACursorWhoseEntriesRetentionDeleted()
    {
        final Wal wal = open();
        fill(wal, 4, 0, 1, 1);
        try (WalCursor cursor = wal.cursor())
        {
            assertEquals(SeekResult.FOUND, cursor.seek(1));
            wal.retain(new RetentionPolicy(Duration.ZERO, 0), Long.MAX_VALUE, clock.currentTimeMillis());
            assertEquals(8, wal.oldestOffset());
            final WalException ex = assertThrows(WalException.class, () -> readAll(cursor));
            assertEquals(ErrorCode.RETENTION, ex.code());
        }
    }

    @Test
    void shouldResumeANamedCursorAfterReopen()
    {
        Wal wal = open();
        fill(wal, 10, 0);
        try (WalCursor cursor = wal.cursor("replica-1"))
        {
            assertEquals(0, cursor.nextOffset());
            assertEquals(4, cursor.poll(e -> true, 4));
        }
        wal.close();
        wal = open();
        try (WalCursor cursor = wal.cursor("replica-1"); WalCursor other = wal.cursor("replica-2"))
        {
            assertEquals(4, cursor.nextOffset(), "position kept across reopen");
            assertEquals(4, readOne(cursor));
            assertEquals(0, other.nextOffset(), "each name has its own position");
        }
        assertThrows(WalException.class, () -> open().cursor("bad name!"));
    }

    @Test
    void shouldKeepTheLongestCursorNameAcrossReopenAndRefuseALongerOne()
    {
        final String longest = "c".repeat(Wal.MAX_CURSOR_NAME_LENGTH);
        Wal wal = open();
        fill(wal, 10, 0);
        try (WalCursor cursor = wal.cursor(longest))
        {
            assertEquals(3, cursor.poll(e -> true, 3));
        }
        wal.close();
        wal = open();
        try (WalCursor cursor = wal.cursor(longest))
        {
            assertEquals(3, cursor.nextOffset(), "position kept across reopen");
        }
        final Wal opened = wal;
        assertThrows(WalException.class, () -> opened.cursor(longest + "c"));
    }

    @Test
    void shouldAppendAtThePrimarysOffsetsAndRefuseGaps()
    {
        final Wal wal = open();
        final MemorySegment p = MemorySegment.ofArray(payload(100));
        final int crc = Crc32c.compute(p, 0, p.byteSize());
        wal.appendAt(100, 42L, crc, p); // an empty WAL takes any first offset
        assertEquals(100, wal.oldestOffset());
        assertEquals(101, wal.nextOffset());
        final WalException gap = assertThrows(WalException.class,
            () -> wal.appendAt(102, 1, crc, p));
        assertEquals(ErrorCode.SEQUENCE_GAP, gap.code());
        assertEquals(Wal.DUPLICATE, wal.appendAt(100, 1, crc, p), "a repeat of the entry held is a no-op");
        assertEquals(101, wal.nextOffset(), "nothing written by a refused or repeated appendAt");
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(WalException.class, () -> wal.appendAt(-1, 1, crc, p)).code());
        try (WalCursor cursor = wal.cursor())
        {
            cursor.poll(e ->
            {
                assertEquals(100, e.offset());
                assertEquals(42L, e.timestampNs());
                assertEquals(crc, e.crc32c());
                return true;
            }, 1);
        }
    }

    @Test
    void shouldGiveDenseUniqueOffsetsToConcurrentAppenders() throws Exception
    {
        final Wal wal = open();
        final int threads = 4;
        final int perThread = 5_000;
        final long[][] got = new long[threads][perThread];
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            workers.add(Thread.ofPlatform().start(() ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    got[id][i] = wal.append(new byte[] {(byte)id, (byte)i});
                }
            }));
        }
        for (final Thread worker : workers)
        {
            worker.join(60_000);
            assertFalse(worker.isAlive());
        }
        final boolean[] seen = new boolean[threads * perThread];
        for (final long[] offsets : got)
        {
            for (int i = 0; i < perThread; i++)
            {
                assertFalse(seen[(int)offsets[i]], "offset " + offsets[i] + " given twice");
                seen[(int)offsets[i]] = true;
                if (i > 0)
                {
                    assertTrue(offsets[i] > offsets[i - 1], "a thread's offsets increase");
                }
            }
        }
        assertEquals(threads * perThread, wal.nextOffset());
        try (WalCursor cursor = wal.cursor())
        {
            final long[] expect = {0};
            final int read = cursor.poll(e -> expect[0]++ == e.offset(), Integer.MAX_VALUE);
            assertEquals(threads * perThread, read, "read back in offset order");
        }
    }

    @Test
    void shouldLetOnlyTheFirstWritingThreadWriteASingleWriterWal() throws Exception
    {
        final Wal wal = track(Wal.open(config().singleWriter(true))); // SyncPolicy.NONE: flush would not even sync
        fill(wal, 3, 0, 1); // this thread is the writer: 0-2, 3-5 across a roll
        final MemorySegment p = MemorySegment.ofArray(payload(6));
        final int crc = Crc32c.compute(p, 0, p.byteSize());
        final List<WalException> refused = new ArrayList<>();
        final Thread other = Thread.ofPlatform().name("not-the-writer").start(() ->
        {
            final List<Runnable> writes = List.of(() -> wal.append(p), () -> wal.appendAt(6, 1, crc, p), wal::sync,
                wal::flush, () -> wal.truncateAfter(2));
            for (final Runnable write : writes)
            {
                try
                {
                    write.run();
                }
                catch (final WalException ex)
                {
                    refused.add(ex);
                }
            }
        });
        other.join(60_000);
        assertFalse(other.isAlive());
        assertEquals(5, refused.size(), "append, appendAt, sync, flush and truncateAfter are each refused");
        for (final WalException ex : refused)
        {
            assertEquals(ErrorCode.CONFIGURATION, ex.code());
            assertTrue(ex.getMessage().contains("'not-the-writer'") &&
                ex.getMessage().contains("'" + Thread.currentThread().getName() + "'"), ex.getMessage());
        }
        assertEquals(6, wal.nextOffset(), "nothing written by a refused thread");
        assertEquals(6, wal.append(payload(6)), "the writer goes on");
        wal.sync();
        assertEquals(6, wal.syncedOffset());
        try (WalCursor cursor = wal.cursor())
        {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), readAll(cursor));
        }
    }

    @Test
    void shouldHandASingleWriterWalToWhicheverThreadWritesFirstAndCloseItFromAnother() throws Exception
    {
        final Wal wal = Wal.open(config().singleWriter(true));
        final Thread writer = Thread.ofPlatform().start(() -> fill(wal, 1_000, 0));
        writer.join(60_000);
        assertFalse(writer.isAlive());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(WalException.class, () -> wal.append(payload(1_000))).code(),
            "the opening thread is not the writer: the first thread to write is");
        wal.close(); // any thread, once the writer has stopped
        final Wal reopened = track(Wal.open(config().singleWriter(true)));
        assertEquals(1_000, reopened.nextOffset());
        assertEquals(1_000, reopened.append(payload(1_000)), "a reopened WAL takes a new writer");
        try (WalCursor cursor = reopened.cursor())
        {
            assertEquals(1_001, readAll(cursor).size());
        }
    }

    @Test
    void shouldKeepTheSingleWriterModeAcrossTruncation()
    {
        final Wal wal = Wal.open(config().singleWriter(true));
        fill(wal, 5, 0);
        final Wal truncated = track(wal.truncateAfter(2));
        assertTrue(truncated.config().singleWriter());
        assertEquals(3, truncated.append(payload(3)));
        assertEquals(4, truncated.nextOffset());
    }

    @Test
    void shouldTruncateAfterAnOffsetAndContinueFromThere() throws Exception
    {
        Wal wal = Wal.open(config());
        fill(wal, 5, 0, 1, 1); // 0-4, 5-9, 10-14
        final WalCursor openCursor = wal.cursor();
        final Wal w = wal;
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(WalException.class, () -> w.truncateAfter(3)).code());
        openCursor.close();
        Files.writeString(wal.directory().resolve("owner-notes.txt"), "kept");
        wal = track(wal.truncateAfter(6));
        assertEquals("kept", Files.readString(wal.directory().resolve("owner-notes.txt")), "side files carried over");
        assertEquals(7, wal.nextOffset());
        assertEquals(0, wal.oldestOffset());
        try (WalCursor cursor = wal.cursor())
        {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), readAll(cursor));
            assertEquals(SeekResult.FOUND, cursor.seek(5));
            assertEquals(SeekResult.CAUGHT_UP, cursor.seek(7));
            assertEquals(SeekResult.FUTURE, cursor.seek(8));
        }
        assertEquals(7, wal.append(payload(7)));
        assertFalse(Files.exists(Truncation.staging(wal.directory())));
        assertFalse(Files.exists(Truncation.old(wal.directory())));
    }

    @Test
    void shouldTruncateToEmptyKeepingTheNextOffset()
    {
        final Wal wal = Wal.open(config());
        fill(wal, 3, 0);
        final Wal emptied = track(wal.truncateAfter(-1));
        assertTrue(emptied.isEmpty());
        assertEquals(0, emptied.nextOffset());
        assertEquals(0, emptied.append(payload(0)));
    }

    @Test
    void shouldSyncAccordingToPolicy()
    {
        final Wal none = track(Wal.open(config().syncPolicy(SyncPolicy.NONE)));
        none.append(payload(0));
        assertFalse(none.flush());
        assertEquals(-1, none.syncedOffset());
        none.sync();
        assertEquals(0, none.syncedOffset(), "an explicit sync always syncs");
        none.close();

        final Wal perBatch = track(Wal.open(config().syncPolicy(SyncPolicy.PER_BATCH)));
        perBatch.append(payload(1));
        perBatch.append(payload(2));
        assertTrue(perBatch.flush());
        assertEquals(2, perBatch.syncedOffset());
        perBatch.close();

        final Wal interval = track(Wal.open(config().syncPolicy(SyncPolicy.INTERVAL).syncIntervalNs(Duration.ofHours(1).toNanos())));
        assertEquals(2, interval.syncedOffset(), "what was there is synced at open");
        interval.append(payload(3));
        assertFalse(interval.flush(), "interval not yet passed");
        assertEquals(2, interval.syncedOffset());
    }

    @Test
    void shouldLetAReadOnlyWalFollowAWriter()
    {
        final Wal writer = open();
        fill(writer, 3, 0);
        final Wal reader = track(Wal.open(config().readOnly(true)));
        assertEquals(3, reader.nextOffset());
        writer.append(payload(3));
        reader.refresh();
        assertEquals(4, reader.nextOffset());
        try (WalCursor cursor = reader.cursor())
        {
            assertEquals(List.of(0L, 1L, 2L, 3L), readAll(cursor));
        }
        assertEquals(ErrorCode.STORAGE, assertThrows(WalException.class, () -> reader.append(payload(9))).code());
    }

    @Test
    void shouldGiveClearErrorsForBadDirectoriesAndArguments() throws Exception
    {
        final WalException missing = assertThrows(WalException.class,
            () -> Wal.open(config().directory(dir.resolve("nope")).readOnly(true)));
        assertEquals(ErrorCode.STORAGE, missing.code());
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        final Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(ErrorCode.STORAGE, assertThrows(WalException.class, () -> Wal.open(config().directory(file))).code());
        assertEquals(ErrorCode.STORAGE,
            assertThrows(WalException.class, () -> Wal.open(config().directory(file.resolve("sub")))).code());

        final Wal wal = open();
        final WalException locked = assertThrows(WalException.class, () -> Wal.open(config()));
        assertEquals(ErrorCode.STORAGE, locked.code());
        assertTrue(locked.getMessage().contains("already open"), locked.getMessage());

        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(WalException.class, () -> wal.append(new byte[WalConfig.MAX_PAYLOAD_BYTES_DEFAULT + 1])).code());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(WalException.class, () -> config().rollCycle("HOURLYISH")).code());
        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(WalException.class, () -> Wal.open(config().maxPayloadBytes(-1))).code());
        assertEquals(ErrorCode.STORAGE, assertThrows(WalException.class,
            () -> Wal.open(config().directory(dir.resolve("full")).minFreeBytes(Long.MAX_VALUE))).code(),
            "a disk below the free-space reserve is refused");
        wal.close();
        assertEquals(ErrorCode.STORAGE, assertThrows(WalException.class, () -> wal.append(payload(0))).code());
    }

    @Test
    void shouldPretouchAheadWithoutChangingWhatIsAppended() throws Exception
    {
        final Wal wal = open();
        wal.append(payload(0));
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final long[] touched = {0};
        final Thread toucher = Thread.ofPlatform().start(() ->
        {
            try (WalPretoucher pretoucher = new WalPretoucher(wal, 1 << 20))
            {
                while (!stop.get())
                {
                    pretoucher.doWork();
                    Thread.onSpinWait();
                }
                touched[0] = pretoucher.pagesTouched();
            }
        });
        final byte[] big = new byte[1000];
        for (int i = 1; i < 20_000; i++)
        {
            java.util.Arrays.fill(big, (byte)i);
            wal.append(i % 2 == 0 ? payload(i) : big);
        }
        stop.set(true);
        toucher.join(10_000);
        assertFalse(toucher.isAlive());
        assertTrue(touched[0] > 0, "pages were touched ahead");
        try (WalCursor cursor = wal.cursor())
        {
            final long[] n = {0};
            cursor.poll(e ->
            {
                assertTrue(e.crcMatches(), "entry " + e.offset());
                if (e.offset() % 2 == 0)
                {
                    assertArrayEquals(payload(e.offset()), e.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
                else
                {
                    assertEquals((byte)e.offset(), e.payloadByte(999));
                }
                n[0]++;
                return true;
            }, Integer.MAX_VALUE);
            assertEquals(20_000, n[0]);
        }
    }

    /**
     * A page is faulted once: the pretoucher touches it through the mapping the appender writes into (Chronicle's
     * chunk), so the append into a pretouched page takes no fault. With a mapping of its own, every page was faulted
     * twice (the zero-fill there, then a fault again in the appender's mapping): issue 21 measured it.
     */
    @Test
    void shouldLeaveNoPageFaultForTheAppenderInPagesItPretouched() throws Exception
    {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "/proc/thread-self/stat is Linux's");
        final Wal wal = open();
        final java.lang.foreign.MemorySegment entry = java.lang.foreign.Arena.ofAuto().allocate(1000);
        wal.append(entry);
        try (WalPretoucher pretoucher = new WalPretoucher(wal, 4 << 20))
        {
            while (pretoucher.doWork(1024) > 0)
            {
                Thread.onSpinWait(); // up to 4 MiB ahead of the write position, all touched
            }
            for (int i = 0; i < 100; i++)
            {
                wal.append(entry); // warm: the append path's own code and data
            }
            final long before = threadFaults();
            for (int i = 0; i < 2_000; i++)
            {
                wal.append(entry); // ~2 MiB: ~500 pages, all inside the pretouched 4 MiB
            }
            final long faults = threadFaults() - before;
            // measured here: ~90 (the JVM's own, e.g. code and metadata pages), against ~560 appending into untouched
            // pages and ~630 into pages the pretoucher had faulted through a mapping of its own
            assertTrue(faults < 200, faults + " page faults appending into ~500 pretouched pages");
        }
    }

    /** Minor + major page faults of the calling thread. */
    private static long threadFaults() throws IOException
    {
        final String text = Files.readString(Path.of("/proc/thread-self/stat"));
        final String[] f = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(f[7]) + Long.parseLong(f[9]);
    }

    /** A WAL whose free-space reserve is set {@code margin} bytes below the disk's free space now. */
    private Wal openWithSpaceAboveReserve(final String name, final long margin) throws IOException
    {
        final Path walDir = Files.createDirectories(dir.resolve(name));
        return track(Wal.open(config().directory(walDir).minFreeBytes(Files.getFileStore(walDir).getUsableSpace() - margin)));
    }

    /**
     * The free-space reserve is checked by bytes written, not by appends: with 1 KiB entries a check every 65,536
     * appends let 64 MiB go past a reserve that had only 32 MiB to give (issue 14).
     */
    @Test
    void shouldRefuseAppendsSoonAfterTheDiskGoesBelowTheReserve() throws Exception
    {
        // a reserve 32 MiB below what is free now: the disk "fills" after ~32 MiB of appends
        final Wal wal = openWithSpaceAboveReserve("reserve", 32L << 20);
        final byte[] entry = new byte[1024];
        long written = 0;
        WalException full = null;
        while (full == null && written < (256L << 20))
        {
            try
            {
                wal.append(entry);
                written += entry.length;
            }
            catch (final WalException ex)
            {
                full = ex;
            }
        }
        assertNotNull(full, "no STORAGE error after " + (written >> 20) + " MiB");
        assertEquals(ErrorCode.STORAGE, full.code(), full.getMessage());
        // at most one check interval (16 MiB here) past the point where the reserve was crossed, plus what others wrote
        assertTrue(written < (56L << 20), "refused only after " + (written >> 20) + " MiB");
        final long next = wal.nextOffset();
        assertEquals(ErrorCode.STORAGE, assertThrows(WalException.class, () -> wal.append(entry)).code());
        assertEquals(next, wal.nextOffset(), "a refused append writes nothing");
    }

    /**
     * On a sparse file a touch allocates the page's block; on a full disk that is a SIGBUS. The pretoucher touches
     * nothing while the disk has less than the reserve plus its distance ahead free (it touched regardless before).
     */
    @Test
    void shouldNotPretouchWhenTheDiskMightNotBackThePages() throws Exception
    {
        final Wal wal = openWithSpaceAboveReserve("nearly-full", 4L << 20);
        wal.append(payload(0));
        try (WalPretoucher pretoucher = new WalPretoucher(wal, 8L << 20))
        {
            assertEquals(0, pretoucher.doWork(64), "4 MiB above the reserve is less than the 8 MiB it would touch ahead");
        }
        try (WalPretoucher pretoucher = new WalPretoucher(wal, 1L << 20))
        {
            assertTrue(pretoucher.doWork(64) > 0, "1 MiB ahead (plus a 1 MiB check interval) fits in the 4 MiB left");
        }
    }

    @Test
    void shouldStopPretouchingAfterOnePageWhenWorkIsWaiting() throws Exception
    {
        final Wal wal = open();
        wal.append(payload(0));
        try (WalPretoucher pretoucher = new WalPretoucher(wal, 1 << 20))
        {
            assertEquals(1, pretoucher.doWork(32, () -> true), "one page, then back to the waiting work");
            assertEquals(1, pretoucher.doWork(32, () -> true), "and one page per call, so it still moves ahead");
            assertEquals(32, pretoucher.doWork(32, () -> false), "nothing waiting: the full allowance");
            assertEquals(34, pretoucher.pagesTouched());
        }
    }

    @Test
    void shouldFaultOnePageAtATimeInChroniclesMappingsUnlessReadAroundIsAsked() throws Exception
    {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "madvise and /proc/self/smaps are Linux's");
        try (Wal advised = Wal.open(config().directory(dir.resolve("advised")));
             Wal readAround = Wal.open(config().directory(dir.resolve("read-around")).readAround(true)))
        {
            advised.append(payload(1));
            readAround.append(payload(1));
            assertEquals(List.of(true), randomReadFlags(advised), "MADV_RANDOM on the mapping being written");
            assertEquals(List.of(false), randomReadFlags(readAround), "the kernel's default read-around kept");
        }
    }

    /**
     * @return for each mapping of the WAL's current file that covers its write position, whether it has
     *         {@code MADV_RANDOM} ("rr" in /proc/self/smaps).
     */
    private static List<Boolean> randomReadFlags(final Wal wal) throws IOException
    {
        final String file = wal.writeFile().getAbsolutePath();
        final long position = wal.writePosition() - 1;
        final List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        final List<Boolean> flags = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String[] fields = lines.get(i).trim().split("\\s+");
            if (fields.length < 6 || !fields[0].contains("-") || !fields[5].equals(file))
            {
                continue;
            }
            final String[] range = fields[0].split("-");
            final long length = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            final long fileOffset = Long.parseLong(fields[2], 16);
            if (position < fileOffset || position >= fileOffset + length)
            {
                continue;
            }
            int j = i + 1;
            while (!lines.get(j).startsWith("VmFlags:"))
            {
                j++;
            }
            flags.add(List.of(lines.get(j).substring("VmFlags:".length()).trim().split(" ")).contains("rr"));
        }
        return flags;
    }

    @Test
    void shouldStampEntriesWithTheEntryClockWhenItAlsoPicksTheCycles() throws Exception
    {
        // the default clocks: one reading per append serves both (MonotonicCycleClock.sharing)
        final long before = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - 1_000);
        try (Wal wal = Wal.open(new WalConfig().directory(dir.resolve("default-clocks")).minFreeBytes(0)))
        {
            for (int i = 0; i < 1_000; i++)
            {
                wal.append(payload(i));
            }
            final long after = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() + 1_000);
            try (WalCursor cursor = wal.cursor())
            {
                final long[] last = {Long.MIN_VALUE};
                final int read = cursor.poll(e ->
                {
                    assertTrue(e.timestampNs() > before && e.timestampNs() < after, "stamped now: " + e.timestampNs());
                    assertTrue(e.timestampNs() >= last[0], "in append order");
                    last[0] = e.timestampNs();
                    return true;
                }, Integer.MAX_VALUE);
                assertEquals(1_000, read);
            }
            assertEquals(1_000, wal.sharedReadings(), "every entry stamped with the reading that picked its cycle");
        }
        final Wal ownClocks = open(); // a test's cycle clock: the two clocks stay apart
        ownClocks.append(payload(0));
        assertEquals(0, ownClocks.sharedReadings());
    }

    @Test
    void shouldKeepAppendingInOrderWhenTheClockStepsBackwards()
    {
        Wal wal = open();
        fill(wal, 3, 0, 2); // cycles c and c+2
        wal.close();
        clock.advanceMillis(-10 * SECOND); // the wall clock stepped back past both cycles
        wal = open();
        try (WalCursor cursor = wal.cursor())
        {
            assertEquals(SeekResult.CAUGHT_UP, cursor.seek(6));
            assertEquals(6, wal.append(payload(6)));
            assertEquals(6, readOne(cursor), "a reader at the end sees the entry appended under the earlier clock");
            assertEquals(SeekResult.FOUND, cursor.seek(0));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), readAll(cursor));
        }
    }

    /**
     * Issue 14, finding 6: between the copy (under the append lock) and the swap, an append from another thread
     * returned an offset that the swap then discarded. Now the WAL is sealed before the lock is released.
     */
    @Test
    void shouldRefuseAnAppendBetweenTheTruncationsCopyAndItsSwap()
    {
        final Wal wal = open();
        fill(wal, 10, 0);
        assertTrue(wal.sequencer().copyPrefix(wal, 4, 0), "the first step of truncateAfter(4)");
        final WalException refused = assertThrows(WalException.class, () -> wal.append(payload(10)));
        assertEquals(ErrorCode.STORAGE, refused.code());
        assertTrue(refused.getMessage().contains("truncated"), refused.getMessage());
        Truncation.deleteTree(Truncation.staging(wal.directory()));
    }

    @Test
    void shouldRecoverAnInterruptedTruncation() throws Exception
    {
        final Wal wal = Wal.open(config());
        fill(wal, 3, 0);
        wal.close();
        final Path walDir = wal.directory();
        // a crash after DIR -> DIR.old, before the staging copy was moved in
        Files.move(walDir, Truncation.old(walDir));
        final Wal recovered = open();
        assertEquals(3, recovered.nextOffset(), "with no finished copy the old WAL is put back");
    }
}
