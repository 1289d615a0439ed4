package dev.ferry.engine;

import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.wal.AtomicFile;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review: a replica that truncates a divergent suffix and rolls its state back to a snapshot at or below the truncation
 * point keeps its snapshots ABOVE that point (they hold the divergent entries' effects). The next start loads the
 * newest snapshot: the divergent one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class RollbackSnapshotTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private final KvEntryWriter writer = new KvEntryWriter(256);

    private void put(final Primary primary, final String prefix, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            primary.append(writer.reset().put(0, "k" + i % 50, prefix + i).entry());
        }
    }

    @Test
    void divergentSnapshotsMustNotSurviveARollback() throws Exception
    {
        final Path oldDir = dir.resolve("p0");
        final Primary old = fixture.primary(fixture.primaryConfig().walDirectory(oldDir)
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100));
        final Replica r1 = fixture.track(Replica.start(fixture.replicaConfig("r1", old.localAddress())
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100)));
        final Replica r2 = fixture.track(Replica.start(fixture.replicaConfig("r2", old.localAddress())
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100)));
        put(old, "a", 0, 1_000);
        await("r1, r2 at 1000", WAIT, () -> r1.appliedOffset() == 1_000 && r2.appliedOffset() == 1_000);
        r1.stop();
        put(old, "lost", 1_000, 300);
        await("r2 at 1300", WAIT, () -> r2.appliedOffset() == 1_300);
        r2.stop();
        old.close();

        // give r2 a snapshot at exactly 1000 (the common point) so that it can roll back rather than start over
        final Path r2Dir = dir.resolve("r2");
        final KvStateMachine at1000 = new KvStateMachine();
        final long chain;
        try (Wal wal = Wal.open(new WalConfig().directory(r2Dir).readOnly(true)); WalCursor cursor = wal.cursor())
        {
            assertEquals(SeekResult.FOUND, cursor.seek(0));
            final int[] n = {0};
            while (n[0] < 1_000 && cursor.poll(e ->
            {
                if (e.offset() >= 1_000)
                {
                    return false;
                }
                at1000.apply(e.offset(), e.payload());
                n[0]++;
                return true;
            }, 100) > 0)
            {
                // applies
            }
            chain = wal.chainBefore(1_000);
        }
        final StateStore store = new StateStore(r2Dir);
        final long divergent = store.newestOffset();
        assertTrue(divergent > 1_000, "r2 holds a snapshot of the divergent suffix: " + divergent);
        store.chain(1_000, chain);
        AtomicFile.write(store.file(1_000), at1000::writeSnapshot);

        final KvStateMachine p1State = new KvStateMachine();
        final Primary p1 = fixture.track(r1.promote(fixture.primaryConfig().walDirectory(dir.resolve("r1"))
            .stateMachine(p1State).snapshotEveryEntries(100)));
        put(p1, "b", 1_000, 10);

        final Replica back = fixture.track(Replica.start(fixture.replicaConfig("r2", p1.localAddress())
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100)));
        await(() -> "r2 truncated and at 1010: " + back.truncations() + " " + back.appliedOffset() + " " +
            back.movedAside(), WAIT, () -> back.truncations() == 1 && back.appliedOffset() == 1_010);
        back.stop();

        assertTrue(new StateStore(r2Dir).newestOffset() <= 1_010, "a snapshot of the truncated suffix is still the " +
            "newest in r2's state directory: " + new StateStore(r2Dir).newestOffset());
        final KvStateMachine again = new KvStateMachine();
        final Replica restarted = fixture.track(Replica.start(fixture.replicaConfig("r2", p1.localAddress())
            .stateMachine(again).snapshotEveryEntries(100)));
        await("restarted r2 at 1010", WAIT, () -> restarted.appliedOffset() == 1_010);
        restarted.stop();
        assertArrayEquals(StateStore.snapshotBytes(p1State), StateStore.snapshotBytes(again), "states equal");
    }
}
