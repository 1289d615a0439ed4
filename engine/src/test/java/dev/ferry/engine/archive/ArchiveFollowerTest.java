package dev.ferry.engine.archive;

import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standby following an archive: it restores, then appends each new segment in the same generation and in a newer
 * generation that continues its WAL (a restarted shipper whose WAL moved to a new epoch), applies it to its state, and
 * when continuity breaks (the source WAL wiped: another history) moves its WAL aside and restores the new one.
 */
class ArchiveFollowerTest
{
    @TempDir
    Path dir;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private static void put(final Wal wal, final int from, final int to)
    {
        final KvEntryWriter writer = new KvEntryWriter(64);
        for (int i = from; i < to; i++)
        {
            wal.append(writer.reset().put(0, "k" + (i % 50), "v" + i).entry());
        }
    }

    private Shipper shipper(final Path walDir, final ArchiveStore store)
    {
        return new Shipper(new ArchiveContext().walDirectory(walDir).store(store).segmentBytes(2048)
            .snapshotIntervalMillis(1).log(events::add), null);
    }

    private static void follow(final ArchiveFollower follower)
    {
        for (int i = 0; i < 5; i++)
        {
            follower.doWork(Long.MAX_VALUE - 1); // every call polls: the interval has always passed
            while (follower.doWork(0) > 0)
            {
                // apply
            }
        }
    }

    @Test
    void followsNewSegmentsThenANewHistory() throws Exception
    {
        final Path source = dir.resolve("source");
        final Path standby = dir.resolve("standby");
        final Path archive = dir.resolve("archive");
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
            ArchiveFollower follower = new ArchiveFollower(store, new WalConfig().directory(standby),
                KvStateMachine::new, 1000, 0, events::add))
        {
            try (Wal wal = Wal.open(new WalConfig().directory(source)); Shipper shipper = shipper(source, store))
            {
                History.create("p").save(source);
                put(wal, 0, 500);
                shipper.doWork(System.nanoTime());
                shipper.flush();
                follow(follower);
                assertEquals(500, follower.nextOffset());
                for (int round = 1; round <= 3; round++)
                {
                    put(wal, round * 500, round * 500 + 500);
                    shipper.flush();
                    follow(follower);
                    assertEquals(round * 500 + 500, follower.nextOffset());
                    assertEquals(round * 500 + 500, follower.appliedOffset());
                }
            }
            assertEquals(WalViews.digest(source, 0, -1), WalViews.digest(standby, 0, -1));
            assertArrayEquals(WalViews.state(source), WalViews.state(standby));
            final String first = follower.generation();

            // the source is wiped and starts over: another history, a new generation; the standby starts over too
            delete(source);
            try (Wal wal = Wal.open(new WalConfig().directory(source)); Shipper shipper = shipper(source, store))
            {
                History.create("p").save(source);
                put(wal, 0, 300);
                shipper.doWork(System.nanoTime());
                shipper.flush();
            }
            follow(follower);
            assertTrue(!first.equals(follower.generation()), "still on " + first);
            assertEquals(1, follower.resyncs(), events.toString());
            assertEquals(300, follower.nextOffset());
            assertTrue(events.stream().anyMatch(e -> e.contains("another history")), events.toString());
            try (Stream<Path> aside = Files.list(standby.resolve("aside")))
            {
                assertEquals(1, aside.count(), "the old WAL is kept aside");
            }
        }
        assertEquals(WalViews.digest(source, 0, -1), WalViews.digest(standby, 0, -1));
        assertArrayEquals(WalViews.state(source), WalViews.state(standby));
    }

    @Test
    void neverAppendsAnotherEpochsEntriesOntoASuffixTheyDoNotFollow() throws Exception
    {
        // the standby holds 0..99 of the old primary; a promoted replica of the same history had only 0..89 and
        // wrote its own 90..; its generation's segments that remain start exactly at the standby's next offset (100)
        final Path old = dir.resolve("old");
        final Path promoted = dir.resolve("promoted");
        final Path standby = dir.resolve("standby");
        final Path archive = dir.resolve("archive");
        final History history = History.create("p");
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
            ArchiveFollower follower = new ArchiveFollower(store, new WalConfig().directory(standby),
                KvStateMachine::new, 1000, 0, events::add))
        {
            try (Wal wal = Wal.open(new WalConfig().directory(old)); Shipper shipper = shipper(old, store))
            {
                history.save(old);
                put(wal, 0, 100);
                shipper.doWork(System.nanoTime());
                shipper.flush();
            }
            follow(follower);
            assertEquals(100, follower.nextOffset());

            final Path other = dir.resolve("other-archive");
            try (Wal wal = Wal.open(new WalConfig().directory(promoted));
                DirectoryStore elsewhere = new DirectoryStore(other, "file:" + other))
            {
                history.promoted("r2", 90).save(promoted);
                put(wal, 0, 90);
                final KvEntryWriter writer = new KvEntryWriter(64);
                for (int i = 90; i < 100; i++)
                {
                    wal.append(writer.reset().put(0, "other", "epoch 1 #" + i).entry());
                }
                try (Shipper shipper = shipper(promoted, elsewhere))
                {
                    shipper.doWork(System.nanoTime());
                    shipper.flush();
                    for (int i = 100; i < 120; i++)
                    {
                        wal.append(writer.reset().put(0, "other", "epoch 1 #" + i).entry());
                    }
                    shipper.flush();
                }
                // into the standby's archive: the new generation as retention would leave it, from offset 100
                final ArchiveLayout.Listing generation = ArchiveLayout.parse(elsewhere.list(ArchiveLayout.GENERATIONS))
                    .getFirst();
                store.put(ArchiveLayout.generationKey(generation.name()),
                    SegmentFormat.load(elsewhere, ArchiveLayout.generationKey(generation.name())));
                for (final ArchiveLayout.Segment segment : generation.segments())
                {
                    if (segment.first() >= 100)
                    {
                        store.put(segment.key(), SegmentFormat.load(elsewhere, segment.key()));
                    }
                }
            }
            follow(follower);
        }
        // whatever the standby holds now, it is one history: never the old 90..99 followed by the new 100..
        try (Wal wal = Wal.open(new WalConfig().directory(standby).readOnly(true)))
        {
            wal.refresh();
            assertTrue(wal.oldestOffset() >= 100 || wal.nextOffset() <= 100, "from " + wal.oldestOffset() + " to " +
                wal.nextOffset() + ": " + events);
            assertEquals(-1, wal.verifyChain(wal.oldestOffset()), "its chain holds");
        }
        assertTrue(events.stream().anyMatch(e -> e.contains("follows other entries")), events.toString());
    }

    private static void delete(final Path root) throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
