package dev.ferry.wal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sync makes every entry appended before it durable: every roll-cycle file written since the last sync, whole (all
 * its chunks), and the directory once a file was created (issue 14: Chronicle's {@code appender.sync()} forced only
 * the current chunk up to its write position and the WAL said everything was synced). A power loss cannot be
 * simulated, so the syncs go through a {@link SyncRecorder} that keeps an image of what one would leave.
 */
class WalSyncTest
{
    private static final long SECOND_MS = TimeUnit.SECONDS.toMillis(1);

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
    private final AtomicLong next = new AtomicLong();
    private SyncRecorder recorder;

    @AfterEach
    void giveTheRealSyncsBack()
    {
        if (recorder != null)
        {
            recorder.close();
        }
    }

    private WalConfig config(final SyncPolicy policy)
    {
        return new WalConfig().directory(dir.resolve("wal")).rollCycle("TEST_SECONDLY").cycleClock(clock)
            .minFreeBytes(0).syncPolicy(policy);
    }

    private static byte[] payload(final long i, final int length)
    {
        final byte[] bytes = new byte[length];
        final byte[] text = ("entry " + i + " ").getBytes(StandardCharsets.US_ASCII);
        for (int j = 0; j < length; j++)
        {
            bytes[j] = text[j % text.length];
        }
        return bytes;
    }

    /** Three cycles, the second with entries spanning more than one Chronicle chunk. */
    private void appendThreeCycles(final Wal wal)
    {
        for (int cycle = 0; cycle < 3; cycle++)
        {
            final int length = cycle == 1 ? 64 << 10 : 100;
            final int entries = cycle == 1 ? 40 : 50;
            for (int i = 0; i < entries; i++)
            {
                wal.append(payload(wal.nextOffset(), length));
                next.set(wal.nextOffset());
            }
            if (cycle < 2)
            {
                clock.advanceMillis(SECOND_MS);
            }
        }
    }

    private List<String> cycleFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".cq4")).sorted().toList();
        }
    }

    @Test
    void shouldForceEveryFileWrittenSinceTheLastSyncAndTheDirectoryAfterANewOne() throws Exception
    {
        recorder = SyncRecorder.install(dir.resolve("wal"), dir.resolve("image"), next::get);
        try (Wal wal = Wal.open(config(SyncPolicy.PER_BATCH)))
        {
            appendThreeCycles(wal);
            assertTrue(wal.flush());
            assertEquals(wal.nextOffset() - 1, wal.syncedOffset());

            final List<String> files = cycleFiles();
            assertEquals(3, files.size(), files.toString());
            final List<String> log = recorder.log();
            final int directory = log.lastIndexOf("dir ");
            assertTrue(directory >= 0, "the directory is synced after new files: " + log);
            for (final String file : files)
            {
                final int at = log.indexOf("data " + file);
                assertTrue(at >= 0 && at < directory, file + " forced before the directory: " + log);
            }

            // only the file still written is forced again; no new file, no directory
            recorder.clearLog();
            wal.append(payload(wal.nextOffset(), 100));
            wal.flush();
            assertEquals(List.of("data " + files.get(2)), recorder.log());

            // a flush with nothing new forces nothing
            recorder.clearLog();
            wal.flush();
            assertEquals(List.of(), recorder.log());
        }
    }

    @Test
    void shouldKeepEverySyncedEntryThroughAPowerLoss() throws Exception
    {
        recorder = SyncRecorder.install(dir.resolve("wal"), dir.resolve("image"), next::get);
        final long synced;
        try (Wal wal = Wal.open(config(SyncPolicy.PER_BATCH)))
        {
            appendThreeCycles(wal);
            wal.flush();
            synced = wal.nextOffset();
            for (int i = 0; i < 10; i++)
            {
                wal.append(payload(wal.nextOffset(), 100)); // never synced: a power loss may take these
            }
        }
        recorder.close();
        // the power loss: what the syncs forced is all there is
        try (Wal image = Wal.open(new WalConfig().directory(dir.resolve("image")).rollCycle("TEST_SECONDLY")
                .cycleClock(clock).minFreeBytes(0));
             WalCursor cursor = image.cursor())
        {
            assertTrue(image.nextOffset() >= synced, "synced up to " + synced + ", image holds " + image.nextOffset());
            final long[] read = {0};
            while (cursor.poll(entry ->
            {
                assertTrue(entry.crcMatches(), "entry " + entry.offset());
                assertTrue(Arrays.equals(payload(entry.offset(), entry.length()),
                    entry.payload().toArray(ValueLayout.JAVA_BYTE)), "entry " + entry.offset());
                read[0]++;
                return true;
            }, 64) > 0)
            {
                // read on
            }
            final long expected = read[0];
            assertTrue(expected >= synced, expected + " entries read back, " + synced + " synced");
        }
    }

    @Test
    void shouldMakeWhatAnEarlierProcessWroteDurableBeforeSayingSo() throws Exception
    {
        try (Wal wal = Wal.open(config(SyncPolicy.NONE)))
        {
            appendThreeCycles(wal);
            assertTrue(!wal.flush(), "NONE never syncs on flush");
            assertEquals(-1, wal.syncedOffset(), "nothing synced under NONE");
        }
        recorder = SyncRecorder.install(dir.resolve("wal"), null, next::get);
        try (Wal wal = Wal.open(config(SyncPolicy.INTERVAL)))
        {
            assertEquals(wal.nextOffset() - 1, wal.syncedOffset(), "reported synced only after a sync at open");
            for (final String file : cycleFiles())
            {
                assertTrue(recorder.log().contains("data " + file), file + " forced at open: " + recorder.log());
            }
            assertTrue(recorder.log().contains("dir "), recorder.log().toString());
        }
    }

    @Test
    void shouldSyncUnderNoneOnlyWhenAsked() throws Exception
    {
        Wal.open(config(SyncPolicy.NONE)).close(); // a new WAL's format file is written once, synced
        recorder = SyncRecorder.install(dir.resolve("wal"), null, next::get);
        try (Wal wal = Wal.open(config(SyncPolicy.NONE)))
        {
            appendThreeCycles(wal);
            wal.flush();
            assertEquals(List.of(), recorder.log());
            wal.sync();
            assertEquals(wal.nextOffset() - 1, wal.syncedOffset());
            assertEquals(3, recorder.log().stream().filter(s -> s.startsWith("data ") && s.endsWith(".cq4")).count(),
                recorder.log().toString());
        }
    }
}
