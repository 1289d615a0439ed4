package dev.ferry.engine.state;

import dev.ferry.engine.EventLog;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.state.KvEntryWriter.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The applier: the WAL applied from a cursor of its own, snapshots on disk so a restart loads one and replays only
 * what follows, and a refused entry stopping it at its offset with nothing lost.
 */
@ExtendWith(LeakCheck.class)
class ApplierTest
{
    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final KvEntryWriter writer = new KvEntryWriter(64);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final EventLog events = log::add;

    @Test
    void shouldApplyEverythingAndRebuildFromItsSnapshotAfterARestart() throws IOException
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            for (int i = 0; i < 1_000; i++)
            {
                wal.append(writer.reset().put(0, "key-" + (i % 100), "v" + i).entry());
            }
            try (Applier applier = Applier.open(wal, new KvStateMachine(), 300, events))
            {
                drain(applier, wal);
                assertEquals(1_000, applier.appliedOffset());
                assertTrue(applier.snapshotOffset() >= 300, "a snapshot after every 300 entries or more: " +
                    applier.snapshotOffset());
                assertEquals("v999", get(applier, "key-99"));
            }
            // closed: a last snapshot at 1,000
            assertEquals(1_000, new StateStore(dir).newestOffset());
            assertEquals(2, new StateStore(dir).snapshots().size(), "the newest two are kept");

            wal.append(writer.reset().put(0, "key-0", "after").entry());
            try (Applier again = Applier.open(wal, new KvStateMachine(), 0, events))
            {
                assertEquals(1_000, again.appliedOffset(), "loaded from the snapshot, nothing replayed yet");
                assertEquals(1, drain(again, wal), "only the entry after the snapshot is replayed");
                assertEquals("after", get(again, "key-0"));
                assertEquals("v999", get(again, "key-99"));
            }
        }
    }

    /**
     * A node's thread runs the applier after each cycle's appends (a replica's receiver) or sends (a primary's
     * sender): it must apply at least as many entries as the WAL grew by since its last cycle, or under a sustained
     * stream it falls behind for good (measured before the fix: a replica receiving 1.2 M entries/s had applied 292,096
     * of 17.7 M, 256 per cycle while each cycle received thousands).
     */
    @Test
    void shouldKeepPaceWithWhatTheWalGrewBySinceItsLastCycle() throws IOException
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            for (int i = 0; i < 1_000; i++)
            {
                wal.append(writer.reset().put(0, "key-" + i, "v").entry());
            }
            try (Applier applier = Applier.open(wal, new KvStateMachine(), 0, events))
            {
                assertEquals(256, applier.doWork(NOW), "a backlog older than the applier: a bounded batch per cycle");
                for (int i = 0; i < 5_000; i++)
                {
                    wal.append(writer.reset().put(0, "key-" + i, "w").entry());
                }
                assertEquals(5_000 + 256, applier.doWork(NOW), "what arrived since the last cycle, and a batch more");
                assertEquals(256, applier.doWork(NOW));
                assertEquals(6_000 - 256 - 5_256 - 256, drain(applier, wal));
                assertEquals("w", get(applier, "key-4999"));
            }
        }
    }

    /**
     * A state of more than a MiB is saved by the WAL bytes its snapshots cost, not every N entries: its snapshots never
     * write more than a quarter of what the WAL writes (the product's default key-value run wrote a 9 MB snapshot every
     * 100,000 entries of 84 B).
     */
    @Test
    void shouldSpaceTheSnapshotsOfALargeStateByTheWalBytesTheyCost() throws IOException
    {
        final KvEntryWriter big = new KvEntryWriter(4096);
        final String value = "v".repeat(2048);
        final long[] clock = {0}; // a second passes per drain: the spacing by time never holds a snapshot back here
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            try (Applier applier = Applier.open(wal, new KvStateMachine(), 1_000, events))
            {
                for (int i = 0; i < 4_000; i++)
                {
                    wal.append(big.reset().put(0, "key-" + i, value).entry());
                    if (i % 100 == 0)
                    {
                        drain(applier, wal, clock);
                    }
                }
                drain(applier, wal, clock);
                final long first = applier.snapshotOffset();
                assertTrue(first >= 1_000 && first < 1_200, "the first after 1,000 entries: " + first);
                final long size = Files.size(new StateStore(dir).file(first));
                assertTrue(size >= Applier.LARGE_STATE_BYTES, "a large state: " + size);
                // 3,000 entries of 2 KiB since: less than 4 times the snapshot's size, so no snapshot yet (every
                // 1,000 entries would have made three)
                assertEquals(first, applier.snapshotOffset());
                for (int i = 4_000; i < 6_000; i++)
                {
                    wal.append(big.reset().put(0, "key-" + i, value).entry());
                    if (i % 100 == 0)
                    {
                        drain(applier, wal, clock);
                    }
                }
                drain(applier, wal, clock);
                final long second = applier.snapshotOffset();
                assertTrue(second > 4_000, "the next once the WAL bytes since reach 4 times its size: " + second);
                assertTrue((second - first) * 2048 >= Applier.SNAPSHOT_WAL_RATIO * size,
                    "not before: " + first + " -> " + second);
            }
        }
    }

    @Test
    void shouldFallBackToAnOlderSnapshotWhenTheNewestIsDamaged() throws IOException
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            try (Applier applier = Applier.open(wal, new KvStateMachine(), 5, events))
            {
                for (int round = 0; round < 2; round++) // a snapshot at 5, then one at 10
                {
                    for (int i = 0; i < 5; i++)
                    {
                        wal.append(writer.reset().put(0, "k" + (round * 5 + i), "v" + (round * 5 + i)).entry());
                    }
                    drain(applier, wal);
                }
            }
            assertEquals(2, new StateStore(dir).snapshots().size());
            final StateStore store = new StateStore(dir);
            final Path newest = store.snapshots().getFirst();
            final byte[] bytes = Files.readAllBytes(newest);
            bytes[bytes.length / 2] ^= 1;
            Files.write(newest, bytes);

            try (Applier applier = Applier.open(wal, new KvStateMachine(), 0, events))
            {
                assertEquals(5, applier.appliedOffset(), "the snapshot before it");
                drain(applier, wal);
                assertEquals("v9", get(applier, "k9"));
            }
            assertTrue(log.stream().anyMatch(l -> l.contains("cannot be loaded")), log.toString());
        }
    }

    @Test
    void shouldStopAtAnEntryItCannotApplyAndKeepEverythingAfterIt() throws IOException
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            wal.append(writer.reset().put(0, "a", "1").entry());
            wal.append("not a key-value entry".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            wal.append(writer.reset().put(0, "b", "2").entry());
            try (Applier applier = Applier.open(wal, new KvStateMachine(), 0, events))
            {
                for (int i = 0; i < 10; i++)
                {
                    applier.doWork(System.nanoTime());
                }
                assertEquals(1, applier.appliedOffset(), "stopped at the refused entry");
                assertEquals(ErrorCode.APPLY, applier.lastError().code());
                assertTrue(applier.lastError().getMessage().contains("offset 1"), applier.lastError().getMessage());
                assertEquals("1", get(applier, "a"));
                assertNull(get(applier, "b"));
            }
            assertEquals(3, wal.nextOffset(), "the WAL keeps the entry and everything after it");
        }
    }

    /** A state standing at an offset the WAL does not hold the entries from cannot be rebuilt by replaying it. */
    @Test
    void shouldRefuseToStartWhenTheWalDoesNotHoldWhatTheStateNeeds()
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            wal.append(writer.reset().put(0, "a", "1").entry());
            final FerryException ex = assertThrows(FerryException.class,
                () -> Applier.open(wal, new KvStateMachine(5), 0, events));
            assertEquals(ErrorCode.APPLY, ex.code(), ex.getMessage());
            assertTrue(ex.getMessage().contains("cannot be rebuilt"), ex.getMessage());
        }
    }

    /**
     * A large state is saved at most every {@link Applier#LARGE_STATE_MIN_INTERVAL_NS}, however fast the WAL grows:
     * under a sustained stream the product's default run sorted and wrote its 9 MB state every 0.4 s on each node
     * (8.6% of the replica's CPU in a profile), where the WAL bytes alone allowed it.
     */
    @Test
    void shouldSaveALargeStateAtMostOnceAnInterval() throws IOException
    {
        final KvEntryWriter big = new KvEntryWriter(4096);
        final String value = "v".repeat(2048);
        final long[] clock = {0};
        try (Wal wal = Wal.open(new WalConfig().directory(dir)))
        {
            try (Applier applier = Applier.open(wal, new KvStateMachine(), 1_000, events))
            {
                for (int i = 0; i < 12_000; i++)
                {
                    wal.append(big.reset().put(0, "key-" + (i % 1_000), value).entry());
                    if (i % 100 == 0)
                    {
                        drain(applier, wal, clock);
                        clock[0] -= TimeUnit.SECONDS.toNanos(1) - TimeUnit.MILLISECONDS.toNanos(10); // 10 ms a drain
                    }
                }
                drain(applier, wal, clock);
                final long first = applier.snapshotOffset();
                assertTrue(first >= 1_000 && first < 1_200, "the first after 1,000 entries: " + first);
                // 11,000 entries of 2 KiB since, over 8 times the 2 MB snapshot, but in 1.2 s: no second one yet
                assertEquals(first, applier.snapshotOffset());
                clock[0] += Applier.LARGE_STATE_MIN_INTERVAL_NS;
                wal.append(big.reset().put(0, "key-0", value).entry());
                drain(applier, wal, clock);
                assertEquals(12_001, applier.snapshotOffset(), "once the interval has passed");
            }
        }
    }

    /** Drain with a clock that moves a second per call. */
    private static int drain(final Applier applier, final Wal wal, final long[] clock)
    {
        int applied = 0;
        for (int spins = 0; applier.appliedOffset() < wal.nextOffset() && spins < 100_000; spins++)
        {
            applied += applier.doWork(clock[0]);
        }
        clock[0] += TimeUnit.SECONDS.toNanos(1);
        return applied;
    }

    private static int drain(final Applier applier, final Wal wal)
    {
        int applied = 0;
        for (int spins = 0; applier.appliedOffset() < wal.nextOffset() && spins < 100_000; spins++)
        {
            applied += applier.doWork(System.nanoTime());
        }
        return applied;
    }

    private static String get(final Applier applier, final String key)
    {
        final byte[] value = ((KvStateMachine)applier.state()).get(0, utf8(key), NOW);
        return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void shouldGiveEqualSnapshotsForEqualStatesOnTwoNodes() throws IOException
    {
        final List<byte[]> snapshots = new ArrayList<>();
        for (final String node : List.of("a", "b"))
        {
            try (Wal wal = Wal.open(new WalConfig().directory(dir.resolve(node))))
            {
                for (int i = 0; i < 500; i++)
                {
                    wal.append(writer.reset().put(i % 16, "key-" + (i * 7 % 50), "v" + i).entry());
                }
                try (Applier applier = Applier.open(wal, new KvStateMachine(), 0, events))
                {
                    drain(applier, wal);
                }
                snapshots.add(Files.readAllBytes(new StateStore(dir.resolve(node)).snapshots().getFirst()));
            }
        }
        assertArrayEquals(snapshots.get(0), snapshots.get(1));
    }
}
