package dev.ferry.engine.archive;

import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standby following a directory archive, in process: when the archive begins a generation that does not continue
 * what the standby holds, it moves its WAL aside (kept, not deleted) and restores the new generation's newest point.
 */
class ArchiveFollowerResyncTest
{
    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();

    /** Write {@code count} kv entries into a new WAL with a history of its own and ship them. */
    private void shipNewHistory(final Path walDir, final int count, final ArchiveStore store) throws IOException
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir)))
        {
            History.create("p").save(walDir);
            final KvEntryWriter writer = new KvEntryWriter(64);
            for (int i = 0; i < count; i++)
            {
                wal.append(writer.reset().put(0, "k" + i, walDir.getFileName() + "-" + i).entry());
            }
        }
        try (Shipper shipper = new Shipper(new ArchiveContext().walDirectory(walDir).store(store).log(events::add), null))
        {
            shipper.doWork(System.nanoTime());
            shipper.flush();
        }
    }

    @ParameterizedTest(name = "kv state {0}")
    @ValueSource(booleans = {false, true})
    void movesItsWalAsideAndRestoresWhenTheArchiveBeginsAnotherHistory(final boolean kv) throws Exception
    {
        final Path archive = dir.resolve("archive");
        final Path standby = dir.resolve("standby");
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            shipNewHistory(dir.resolve("a"), 100, store);
            try (ArchiveFollower follower = new ArchiveFollower(store, new WalConfig().directory(standby),
                kv ? KvStateMachine::new : null, 1_000_000, 0, events::add))
            {
                for (int i = 0; i < 10 && follower.nextOffset() < 100; i++)
                {
                    follower.doWork(System.nanoTime());
                }
                assertEquals(100, follower.nextOffset(), events::toString);

                shipNewHistory(dir.resolve("b"), 150, store); // the node was wiped: another history, a new generation
                final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
                assertEquals(2, generations.size());
                for (int i = 0; i < 10; i++)
                {
                    follower.doWork(System.nanoTime());
                }
                assertEquals(1, follower.resyncs(), events::toString);
                assertEquals(150, follower.nextOffset(), events::toString);
                assertEquals(generations.getLast().name(), follower.generation(), events::toString);
            }
            assertEquals(WalViews.digest(dir.resolve("b"), -1, -1), WalViews.digest(standby, -1, -1));
            try (var aside = Files.list(standby.resolve("aside")))
            {
                final List<Path> kept = aside.toList();
                assertEquals(1, kept.size(), kept::toString);
                assertEquals(WalViews.digest(dir.resolve("a"), -1, -1), WalViews.digest(kept.getFirst(), -1, -1), "the old WAL, kept aside");
            }
            assertTrue(events.stream().anyMatch(e -> e.contains("does not continue this WAL")), events::toString);
        }
    }
}
