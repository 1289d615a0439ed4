package dev.ferry.engine;

import dev.ferry.engine.history.Epoch;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Epochs, divergence repair and promotion (issue 17): a replica promoted to epoch 1 while the old primary holds entries
 * no one received; the old primary, restarted with entries of its own, is fenced by a replica of the new epoch, then
 * rejoins as a replica of the new primary with exactly its divergent suffix truncated (kept aside); every WAL and state
 * ends equal.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class PromotionTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static void put(final Primary primary, final String prefix, final int from, final int count)
    {
        ReplicationFixture.put(primary, prefix, from, count, 50);
    }

    private PrimaryConfig primaryConfig(final Path walDir, final KvStateMachine state)
    {
        final PrimaryConfig config = fixture.primaryConfig().walDirectory(walDir);
        return state == null ? config : config.stateMachine(state).snapshotEveryEntries(100);
    }

    private ReplicaConfig replicaConfig(final String id, final InetSocketAddress primary, final KvStateMachine state)
    {
        final ReplicaConfig config = fixture.replicaConfig(id, primary);
        return state == null ? config : config.stateMachine(state).snapshotEveryEntries(100);
    }

    private static WalDigest digest(final Path walDir, final long from, final long to)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            return WalDigest.of(wal, from, to);
        }
    }

    /** Log-only nodes: the divergent suffix is truncated to exactly the last common offset, nothing before it moves. */
    @Test
    void shouldPromoteFenceTheOldPrimaryAndTruncateItsSuffixWhenItRejoins()
    {
        run(false);
    }

    /** Nodes with the key-value state machine: the same, and every state ends equal. */
    @Test
    void shouldPromoteFenceAndRejoinWithStateMachines()
    {
        run(true);
    }

    private KvStateMachine state(final boolean kv)
    {
        return kv ? new KvStateMachine() : null;
    }

    private void run(final boolean kv)
    {
        final Path oldDir = dir.resolve("p0");
        Primary old = fixture.primary(primaryConfig(oldDir, state(kv)));
        final Replica r1 = fixture.track(Replica.start(replicaConfig("r1", old.localAddress(), state(kv))));
        final Replica r2First = fixture.track(Replica.start(replicaConfig("r2", old.localAddress(), state(kv))));
        Replica r2 = r2First;
        put(old, "a", 0, 1_000);
        await("r1 and r2 at 1000", WAIT, () -> r1.appliedOffset() == 1_000 && r2First.appliedOffset() == 1_000);
        final WalDigest common = digest(dir.resolve("r1"), 0, 999);

        // r1 loses its primary; the old primary goes on a little (r2 gets those entries), then dies
        r1.stop();
        put(old, "lost", 1_000, 30);
        final Replica r2Before = r2;
        await("r2 at 1030", WAIT, () -> r2Before.receivedOffset() == 1_030);
        r2.stop();
        old.close();

        // r1 promoted: epoch 1 from its next offset, 1000; it takes appends at once
        final KvStateMachine p1State = state(kv);
        final Primary p1 = fixture.track(r1.promote(primaryConfig(dir.resolve("r1"), p1State)));
        assertEquals(1, p1.history().epoch());
        assertEquals(List.of(new Epoch(0, 0, "primary"), new Epoch(1, 1_000, "r1")), p1.history().epochs());
        put(p1, "b", 1_000, 200);

        // a new replica of the new epoch
        final Replica r3 = fixture.track(Replica.start(replicaConfig("r3", p1.localAddress(), state(kv))));
        await("r3 at 1200", WAIT, () -> r3.appliedOffset() == 1_200);
        r3.stop();

        // the old primary restarted, with entries of its own: nobody told it yet
        old = fixture.primary(primaryConfig(oldDir, state(kv)));
        put(old, "stale", 1_030, 20);
        assertFalse(old.fenced());
        // a replica of epoch 1 talks to it: it learns it is fenced, refuses appends, and stays fenced across a restart
        final Primary stale = old;
        final Replica r3ToOld = fixture.track(Replica.start(replicaConfig("r3", stale.localAddress(), state(kv))));
        await("the old primary fenced", WAIT, stale::fenced);
        r3ToOld.stop();
        final FerryException refused = assertThrows(FerryException.class, () -> put(stale, "x", 1_050, 1));
        assertEquals(ErrorCode.FENCED, refused.code());
        assertEquals(1_050, stale.nextOffset(), "nothing appended once fenced");
        assertTrue(stale.status().fenced(), "its status says so");
        assertTrue(dev.ferry.engine.status.StatusJson.write(stale.status()).contains("\"fenced\":true"));
        old.close();
        old = fixture.primary(primaryConfig(oldDir, state(kv)));
        assertTrue(old.fenced(), "still fenced after a restart");
        old.close();

        // the old primary rejoins as a replica of the new one: its suffix from 1000 (50 entries) truncated, kept aside
        final KvStateMachine backState = state(kv);
        final Replica back = fixture.track(Replica.start(replicaConfig("p0", p1.localAddress(), backState)
            .walDirectory(oldDir)));
        final KvStateMachine r2State = state(kv);
        r2 = fixture.track(Replica.start(replicaConfig("r2", p1.localAddress(), r2State)));
        put(p1, "c", 1_200, 100);
        final Replica r2After = r2;
        await(() -> "every node at 1300: p0 " + back.appliedOffset() + " " + back.state() + ", r2 " +
            r2After.appliedOffset(), WAIT, () -> back.appliedOffset() == 1_300 && r2After.appliedOffset() == 1_300 &&
            back.state() == ReplicaState.STREAMING && r2After.state() == ReplicaState.STREAMING);
        if (kv && back.truncations() == 0)
        {
            // its state had applied the suffix and no snapshot of its own was old enough to roll back to: everything
            // it held went aside, and a snapshot brought it back
            assertTrue(back.movedAside() != null && back.snapshotsLoaded() == 1, "moved aside and back by a snapshot");
            assertEquals(1_050, ReplicationFixture.digest(back.movedAside()).count(), "all it held, kept");
        }
        else
        {
            assertEquals(1, back.truncations());
            assertEquals(1_000, back.lastTruncation().first(), "exactly the suffix after the last common offset");
            assertEquals(50, back.lastTruncation().count());
            assertEquals(50, ReplicationFixture.digest(back.lastTruncation().directory()).count(), "kept aside, readable");
            assertEquals(common, digest(oldDir, 0, 999), "nothing before the common offset moved");
        }
        if (!kv)
        {
            assertEquals(1, r2.truncations());
            assertEquals(30, r2.lastTruncation().count());
        }
        back.stop();
        r2.stop();
        for (final Path node : List.of(oldDir, dir.resolve("r2")))
        {
            // from where both hold entries (a node brought back by a snapshot holds the log from the snapshot on)
            final WalDigest held = ReplicationFixture.digest(node);
            if (held.count() == 0)
            {
                continue; // back by a snapshot at the head: its state is compared below
            }
            final long from = Math.max(1_000, held.first());
            assertEquals(digest(dir.resolve("r1"), from, 1_299), digest(node, from, 1_299), node + " from " + from);
        }
        if (!kv)
        {
            assertEquals(ReplicationFixture.digest(dir.resolve("r1")), ReplicationFixture.digest(oldDir), "whole WALs equal");
        }
        else
        {
            assertArrayEquals(StateStore.snapshotBytes(p1State), StateStore.snapshotBytes(backState), "states equal");
            assertArrayEquals(StateStore.snapshotBytes(p1State), StateStore.snapshotBytes(r2State));
        }
        // a node brought back by a snapshot knows the epoch it was sent (a WELCOME names the current one only)
        assertEquals(History.load(dir.resolve("r1")).current(), History.load(oldDir).current(),
            "the rejoined node holds the new epoch");
        assertEquals(History.load(dir.resolve("r1")).id(), History.load(oldDir).id());
        if (!kv)
        {
            assertEquals(History.load(dir.resolve("r1")), History.load(oldDir), "and every epoch before it");
        }
        assertFalse(Files.exists(oldDir.resolve("ferry-fenced")), "its fence lifted: it follows the new epoch");
    }

    /** The promoted node knocks at the superseded primary's address: back there, it is fenced with no replica's help. */
    @Test
    void shouldFenceTheOldPrimaryWhenItComesBackAtItsAddress()
    {
        final Path oldDir = dir.resolve("p0");
        Primary old = fixture.primary(primaryConfig(oldDir, null));
        final InetSocketAddress address = old.localAddress();
        final Replica r1 = fixture.track(Replica.start(replicaConfig("r1", address, null)));
        put(old, "a", 0, 100);
        await("r1 at 100", WAIT, () -> r1.receivedOffset() == 100);
        old.close();
        final Primary p1 = fixture.track(r1.promote(primaryConfig(dir.resolve("r1"), null)));
        put(p1, "b", 100, 10);

        old = fixture.primary(primaryConfig(oldDir, null).listen(address));
        final Primary back = old;
        await("the old primary fenced by the promoted one, with no replica pointed at it", WAIT, back::fenced);
        final FerryException refused = assertThrows(FerryException.class, () -> put(back, "x", 100, 1));
        assertEquals(ErrorCode.FENCED, refused.code());
        assertEquals(100, back.nextOffset());
    }
}
