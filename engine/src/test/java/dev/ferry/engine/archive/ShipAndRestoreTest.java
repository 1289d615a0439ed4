package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A WAL with a key-value state shipped to a directory archive, then restored at several points: each restored WAL
 * equals the source over the same offsets (digest), and its state equals the source's state at that point.
 */
class ShipAndRestoreTest
{
    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();
    private final EventLog log = events::add;

    /** A source node: a WAL with kv entries, and a state applied and snapshotted every {@code every} entries. */
    private final class Source implements AutoCloseable
    {
        final Wal wal;
        final KvStateMachine state = new KvStateMachine();
        final Applier applier;
        final KvEntryWriter writer = new KvEntryWriter(256);

        Source(final Path walDir, final long every)
        {
            wal = Wal.open(new WalConfig().directory(walDir));
            History.create("p").save(walDir);
            applier = Applier.open(wal, state, every, log);
        }

        long put(final int i)
        {
            final long offset = wal.append(writer.reset().put(0, "k" + (i % 97), "v" + i).entry());
            while (applier.doWork(System.nanoTime()) > 0)
            {
                // apply (and snapshot on schedule)
            }
            return offset;
        }

        @Override
        public void close()
        {
            applier.close();
            wal.close();
        }
    }

    private Shipper shipper(final Path walDir, final ArchiveStore store)
    {
        return new Shipper(new ArchiveContext().walDirectory(walDir).store(store).segmentBytes(4096)
            .snapshotIntervalMillis(1).log(log), null);
    }

    private static void drain(final Shipper shipper) throws IOException
    {
        shipper.doWork(System.nanoTime());
        shipper.flush();
    }

    private static byte[] stateAt(final Path walDir, final long lastOffset)
    {
        try (Wal w = Wal.open(new WalConfig().directory(walDir).readOnly(true)); var cursor = w.cursor())
        {
            w.refresh();
            final KvStateMachine state = new KvStateMachine();
            cursor.seek(0);
            cursor.poll(e ->
            {
                if (e.offset() > lastOffset)
                {
                    return false;
                }
                state.apply(e.offset(), e.payload());
                return true;
            }, Integer.MAX_VALUE);
            return StateStore.snapshotBytes(state);
        }
    }

    @Test
    void restoresEveryPointEqualToTheSource() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (Source source = new Source(walDir, 500); DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
            Shipper shipper = shipper(walDir, store))
        {
            for (int i = 0; i < 3000; i++)
            {
                source.put(i);
                if (i % 700 == 0)
                {
                    drain(shipper);
                }
            }
            drain(shipper);
            assertEquals(3000, shipper.status().archivedNext());
        }
        final List<ArchiveLayout.Listing> generations;
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
            assertEquals(1, generations.size());
            assertTrue(generations.getFirst().segments().size() > 3);
            assertEquals(2999, generations.getFirst().lastOffset());
            for (final long point : new long[] {0, 499, 500, 1234, 2999})
            {
                final Path restored = dir.resolve("restored-" + point);
                final Restore.Result result = Restore.run(store, restored, new Restore.Target(point, null, null), log);
                assertEquals(0, result.first());
                assertEquals(point, result.last());
                assertEquals(WalViews.digest(walDir, 0, point), WalViews.digest(restored, 0, point));
                assertArrayEquals(stateAt(walDir, point), WalViews.state(restored));
                if (point >= 500)
                {
                    assertTrue(result.snapshotOffset() > 0 && result.snapshotOffset() <= point + 1, "snapshot at " + result.snapshotOffset());
                }
            }
            final Path newest = dir.resolve("restored-newest");
            final Restore.Result result = Restore.run(store, newest, Restore.Target.NEWEST, log);
            assertEquals(2999, result.last());
            assertEquals(WalViews.digest(walDir, -1, -1), WalViews.digest(newest, -1, -1));
            assertArrayEquals(WalViews.state(walDir), WalViews.state(newest));
        }
    }

    @Test
    void restoresToATimeInclusive() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        final AtomicLong clock = new AtomicLong(1_800_000_000_000_000_000L);
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).clockNs(() -> clock.addAndGet(1_000_000)));
            DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            History.create("p").save(walDir);
            final KvEntryWriter writer = new KvEntryWriter(64);
            for (int i = 0; i < 1000; i++)
            {
                wal.append(writer.reset().put(0, "k" + i, "v").entry());
            }
            try (Shipper shipper = shipper(walDir, store))
            {
                drain(shipper);
            }
            // entry i is stamped 1_800_000_000_000 ms + (i + 1) ms
            final Path restored = dir.resolve("restored");
            final Restore.Result result = Restore.run(store, restored,
                new Restore.Target(null, 1_800_000_000_000_000_000L + 400 * 1_000_000L, null), log);
            assertEquals(399, result.last());
            assertEquals(WalViews.digest(walDir, 0, 399), WalViews.digest(restored, 0, 399));
        }
    }

    @Test
    void aDamagedSegmentStopsTheRestoreAtTheLastGoodPointBeforeIt() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (Source source = new Source(walDir, 0); DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
            Shipper shipper = shipper(walDir, store))
        {
            for (int i = 0; i < 2000; i++)
            {
                source.put(i);
            }
            drain(shipper);
            final List<ArchiveLayout.Segment> segments =
                ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS)).getFirst().segments();
            final ArchiveLayout.Segment victim = segments.get(segments.size() / 2);
            try (RandomAccessFile file = new RandomAccessFile(archive.resolve(victim.key()).toFile(), "rw"))
            {
                file.seek(file.length() / 2);
                final int b = file.read();
                file.seek(file.length() / 2);
                file.write(b ^ 0x40);
            }
            final Path restored = dir.resolve("restored");
            final FerryException ex = assertThrows(FerryException.class,
                () -> Restore.run(store, restored, Restore.Target.NEWEST, log));
            assertEquals(ErrorCode.CHECKSUM, ex.code());
            assertTrue(ex.getMessage().contains(victim.key()) && ex.getMessage().contains("offset " + (victim.first() - 1)),
                ex.getMessage());
            assertEquals(WalViews.digest(walDir, 0, victim.first() - 1), WalViews.digest(restored, -1, -1));

            // a missing one too
            Files.delete(archive.resolve(victim.key()));
            final Path again = dir.resolve("again");
            assertEquals(ErrorCode.CHECKSUM,
                assertThrows(FerryException.class, () -> Restore.run(store, again, Restore.Target.NEWEST, log)).code());
            assertEquals(WalViews.digest(walDir, 0, victim.first() - 1), WalViews.digest(again, -1, -1));
        }
    }

    @Test
    void resumesAfterARestartWithNoGapAndNoDuplicate() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (Source source = new Source(walDir, 0); DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            for (int round = 0; round < 3; round++)
            {
                try (Shipper shipper = shipper(walDir, store))
                {
                    for (int i = 0; i < 500; i++)
                    {
                        source.put(round * 500 + i);
                    }
                    drain(shipper);
                }
            }
            final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
            assertEquals(1, generations.size());
            long next = 0;
            for (final ArchiveLayout.Segment segment : generations.getFirst().segments())
            {
                assertEquals(next, segment.first());
                next = segment.last() + 1;
            }
            assertEquals(1500, next);
        }
    }

    @Test
    void aWipedWalOrARestoredOneBeginsANewGeneration() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            try (Source source = new Source(walDir, 0); Shipper shipper = shipper(walDir, store))
            {
                for (int i = 0; i < 300; i++)
                {
                    source.put(i);
                }
                drain(shipper);
            }
            deleteTree(walDir);
            try (Source source = new Source(walDir, 0); Shipper shipper = shipper(walDir, store))
            {
                for (int i = 0; i < 100; i++)
                {
                    source.put(i);
                }
                drain(shipper);
            }
            List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
            assertEquals(2, generations.size());
            assertEquals(299, generations.get(0).lastOffset());
            assertEquals(99, generations.get(1).lastOffset());

            final Path restored = dir.resolve("restored");
            Restore.run(store, restored, Restore.Target.NEWEST, log);
            try (Shipper shipper = shipper(restored, store))
            {
                drain(shipper);
            }
            generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
            assertEquals(3, generations.size());
            assertEquals("restored WAL", GenerationMeta.load(store, generations.get(2).name()).reason());
        }
    }

    @Test
    void aShipperRunningAcrossAWipeBeginsANewGenerationAndNeverMixesTheTwo() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive); Shipper shipper = shipper(walDir, store))
        {
            try (Source source = new Source(walDir, 0))
            {
                for (int i = 0; i < 300; i++)
                {
                    source.put(i);
                }
                drain(shipper);
                for (int i = 300; i < 350; i++)
                {
                    source.put(i); // not yet shipped when the WAL goes
                }
            }
            final String before = WalViews.digest(walDir, 0, 299);
            deleteTree(walDir);
            try (Source source = new Source(walDir, 0))
            {
                for (int i = 0; i < 100; i++)
                {
                    source.put(1000 + i);
                }
                // its own clock moved on past the history check and any retry: no waiting
                for (int i = 0; i < 20 && shipper.status().archivedNext() != 100; i++)
                {
                    shipper.doWork(System.nanoTime() + i * 1_500_000_000L);
                }
                shipper.flush();
            }
            final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
            assertEquals(2, generations.size(), events.toString());
            assertTrue(generations.get(0).lastOffset() >= 299 && generations.get(0).lastOffset() <= 349);
            assertEquals(99, generations.get(1).lastOffset());
            final Path first = dir.resolve("first");
            Restore.run(store, first, new Restore.Target(299L, null, generations.get(0).name()), log);
            assertEquals(before, WalViews.digest(first, 0, 299));
            final Path second = dir.resolve("second");
            Restore.run(store, second, Restore.Target.NEWEST, log);
            assertEquals(WalViews.digest(walDir, -1, -1), WalViews.digest(second, -1, -1));
        }
    }

    @Test
    void aGenerationWhoseSegmentsRetentionRemovedRestoresItsNewestSnapshot() throws Exception
    {
        // a node idle for longer than the retention: every segment ends before its newest snapshot, and goes
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (Source source = new Source(walDir, 100); DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
            Shipper shipper = shipper(walDir, store))
        {
            for (int i = 0; i < 1000; i++)
            {
                source.put(i);
            }
            drain(shipper);
            shipper.doWork(Long.MAX_VALUE - 1); // the newest snapshot (1000) uploaded
            final ArchiveLayout.Listing listing = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS)).getFirst();
            assertEquals(1000, listing.snapshots().getLast().offset(), listing.toString());
            Retention.apply(store, listing.name(), Long.MAX_VALUE, EventLog.NONE);
            assertTrue(ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS)).getFirst().segments().isEmpty());

            final Path restored = dir.resolve("restored");
            final Restore.Result result = Restore.run(store, restored, Restore.Target.NEWEST, log);
            assertEquals(1000, result.snapshotOffset());
            assertEquals(999, result.last());
            assertArrayEquals(WalViews.state(walDir), WalViews.state(restored));
        }
    }

    @Test
    void anArchiveFailingMidRestoreLeavesNoPartialWal() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        try (Source source = new Source(walDir, 0); DirectoryStore disk = new DirectoryStore(archive, "file:" + archive))
        {
            try (Shipper shipper = shipper(walDir, disk))
            {
                for (int i = 0; i < 2000; i++)
                {
                    source.put(i);
                }
                drain(shipper);
            }
            final String third = ArchiveLayout.parse(disk.list(ArchiveLayout.GENERATIONS)).getFirst().segments().get(2)
                .key();
            final ArchiveStore failing = new ForwardingStore(disk)
            {
                @Override
                public java.io.InputStream get(final String key) throws IOException
                {
                    if (key.equals(third))
                    {
                        throw new IOException("connection reset by the object store");
                    }
                    return disk.get(key);
                }
            };
            final Path restored = dir.resolve("restored");
            assertEquals(ErrorCode.STORAGE, assertThrows(FerryException.class,
                () -> Restore.run(failing, restored, Restore.Target.NEWEST, log)).code());
            assertTrue(Restore.isFresh(restored), "no partial WAL left: a rerun can restore there");
            Restore.run(disk, restored, Restore.Target.NEWEST, log);
            assertEquals(WalViews.digest(walDir, -1, -1), WalViews.digest(restored, -1, -1));
        }
    }

    @Test
    void shipsToAndRestoresFromAnS3CompatibleStore() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        try (S3ProxyServer server = new S3ProxyServer("ferry");
            S3Store store = S3Store.open(java.net.URI.create(server.uri("ferry", "node1")), server.credentials());
            Source source = new Source(walDir, 400))
        {
            try (Shipper shipper = shipper(walDir, store))
            {
                for (int i = 0; i < 2000; i++)
                {
                    source.put(i);
                    if (i % 500 == 0)
                    {
                        drain(shipper);
                    }
                }
                drain(shipper);
            }
            final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
            assertEquals(1, generations.size());
            assertTrue(!generations.getFirst().snapshots().isEmpty());
            for (final long point : new long[] {777, 1999})
            {
                final Path restored = dir.resolve("restored-" + point);
                final Restore.Result result = Restore.run(store, restored, new Restore.Target(point, null, null), log);
                assertEquals(point, result.last());
                assertEquals(WalViews.digest(walDir, 0, point), WalViews.digest(restored, 0, point));
                assertArrayEquals(stateAt(walDir, point), WalViews.state(restored));
            }
        }
    }

    @Test
    void aRestoreRacingRetentionPlansAgainAndNeverMixesPoints() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path archive = dir.resolve("archive");
        final AtomicLong clock = new AtomicLong(1_000_000);
        try (Source source = new Source(walDir, 300); DirectoryStore disk = new DirectoryStore(archive, "file:" + archive))
        {
            try (Shipper shipper = new Shipper(new ArchiveContext().walDirectory(walDir).store(disk).segmentBytes(2048)
                .snapshotIntervalMillis(1).retentionMillis(1_000_000_000).clockMillis(clock::get).log(log), null))
            {
                for (int i = 0; i < 3000; i++)
                {
                    source.put(i);
                    if (i % 250 == 0)
                    {
                        clock.addAndGet(10);
                        drain(shipper);
                    }
                }
                drain(shipper);
            }
            final ArchiveLayout.Listing before = ArchiveLayout.parse(disk.list(ArchiveLayout.GENERATIONS)).getFirst();
            final long newestSnapshot = before.snapshots().getLast().offset();
            // a store whose reads run the retention once, midway through the restore: everything before the newest
            // snapshot goes while the restore reads the segments it planned
            final int[] gets = {0};
            final ArchiveStore racing = new ForwardingStore(disk)
            {
                @Override
                public java.io.InputStream get(final String key) throws IOException
                {
                    if (++gets[0] == 3)
                    {
                        Retention.apply(disk, before.name(), Long.MAX_VALUE, EventLog.NONE);
                    }
                    return disk.get(key);
                }
            };
            final Path restored = dir.resolve("restored");
            final Restore.Result result = Restore.run(racing, restored, Restore.Target.NEWEST, log);
            assertTrue(events.stream().anyMatch(e -> e.contains("planning again")), events.toString());
            assertEquals(2999, result.last());
            assertEquals(newestSnapshot, result.snapshotOffset());
            assertTrue(result.first() > 0 && result.first() <= newestSnapshot, "first " + result.first());
            assertEquals(WalViews.digest(walDir, result.first(), 2999), WalViews.digest(restored, -1, -1));
            assertArrayEquals(WalViews.state(walDir), WalViews.state(restored));
            // a point retention removed is refused, not half restored
            assertEquals(ErrorCode.RETENTION, assertThrows(FerryException.class,
                () -> Restore.run(disk, dir.resolve("old"), new Restore.Target(10L, null, null), log)).code());
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (var files = Files.walk(root))
        {
            for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
