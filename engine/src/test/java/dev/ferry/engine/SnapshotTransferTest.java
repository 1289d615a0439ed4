package dev.ferry.engine;

import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot transfer as it meets the world (issue 16): cut by either side it resumes from the replica's last
 * verified byte, not from scratch (asserted on what the primary sent and on the number of snapshots it began); a
 * throttled transfer keeps to its rate; a replica resyncs while the primary writes continuously and catches up after
 * exactly one snapshot.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class SnapshotTransferTest
{
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int KEYS = 20_000;

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private final KvEntryWriter writer = new KvEntryWriter(256);

    @Test
    void shouldResumeATransferTheReplicaCutFromItsLastVerifiedByte() throws InterruptedException
    {
        final KvStateMachine primaryState = new KvStateMachine();
        final Primary primary = loadedPrimary(primaryState, 400_000);
        final InetSocketAddress address = primary.localAddress();
        final KvStateMachine replicaState = new KvStateMachine();
        Replica replica = fixture.track(Replica.start(ofAnotherHistory(address, replicaState)));
        final Replica first = replica;
        await("a third of the snapshot", WAIT, () -> first.snapshotProgress() != null && first.snapshotProgress().progress() > 0.33);
        // a replica being sent a snapshot holds nothing that counts yet: no wait for it is met
        assertEquals(0, primary.slot("r1").durableOffset());
        assertFalse(primary.awaitReplicated(KEYS - 1, 1, AckLevel.DURABLE, Duration.ofMillis(50)));
        assertFalse(primary.awaitReplicated(KEYS - 1, 1, AckLevel.RECEIVED, Duration.ofMillis(50)));
        replica.stop();
        // read once: the transfer the stopped replica cut may end between two reads
        final SnapshotProgress cut = primary.slot("r1").snapshot(System.nanoTime());
        final long total = cut == null ? -1 : cut.totalBytes();

        replica = fixture.track(Replica.start(ofAnotherHistory(address, replicaState)));
        final Replica back = replica;
        await("r1 back", WAIT, () -> back.appliedOffset() == KEYS && back.state() == ReplicaState.STREAMING);
        assertEquals(1, primary.slot("r1").snapshots(), "resumed, not begun again");
        assertEquals(1, back.snapshotsLoaded());
        final long sent = primary.slot("r1").snapshotBytesSent();
        assertTrue(total < 0 || sent < total * 3 / 2, "sent " + sent + " bytes for a snapshot of " + total);
        assertArrayEquals(SnapshotResyncTest.snapshot(primaryState), SnapshotResyncTest.snapshot(replicaState));
    }

    @Test
    void shouldResumeATransferThePrimaryCutFromTheReplicasLastVerifiedByte()
    {
        final KvStateMachine primaryState = new KvStateMachine();
        Primary primary = loadedPrimary(primaryState, 400_000);
        final InetSocketAddress address = primary.localAddress();
        final KvStateMachine replicaState = new KvStateMachine();
        final Replica replica = fixture.track(Replica.start(ofAnotherHistory(address, replicaState)));
        await("a third of the snapshot", WAIT, () -> replica.snapshotProgress() != null && replica.snapshotProgress().progress() > 0.33);
        final long heldAtCut = replica.snapshotProgress().bytes();
        primary.close();

        final KvStateMachine restartedState = new KvStateMachine();
        final Primary restarted = fixture.primary(fixture.primaryConfig().stateMachine(restartedState).listen(address)
            .snapshotRateBytesPerSec(400_000));
        await("r1 back", WAIT, () -> replica.appliedOffset() == KEYS && replica.state() == ReplicaState.STREAMING);
        final long sent = restarted.slot("r1").snapshotBytesSent();
        assertEquals(0, restarted.slot("r1").snapshots(), "the restarted primary resumed the transfer: it began none");
        assertTrue(sent > 0 && heldAtCut > 0, "sent " + sent + ", held " + heldAtCut);
        assertEquals(1, replica.snapshotsLoaded());
        assertArrayEquals(SnapshotResyncTest.snapshot(restartedState), SnapshotResyncTest.snapshot(replicaState));
    }

    @Test
    void shouldKeepAThrottledTransferToItsRate()
    {
        final long rate = 500_000;
        final Primary primary = loadedPrimary(new KvStateMachine(), rate);
        final AtomicLong startNs = new AtomicLong();
        final AtomicLong endNs = new AtomicLong();
        final ReplicaConfig config = ofAnotherHistory(primary.localAddress(), new KvStateMachine());
        config.listener((from, to, error) ->
        {
            if (to == ReplicaState.SNAPSHOTTING)
            {
                startNs.set(System.nanoTime());
            }
            else if (from == ReplicaState.SNAPSHOTTING)
            {
                endNs.set(System.nanoTime());
            }
        });
        final Replica replica = fixture.track(Replica.start(config));
        await("r1 back", WAIT, () -> replica.appliedOffset() == KEYS && endNs.get() != 0);
        final long total = new java.io.File(new dev.ferry.engine.state.StateStore(replica.wal().directory())
            .file(KEYS).toString()).length();
        final double seconds = (endNs.get() - startNs.get()) / 1e9;
        assertTrue(total > 1_000_000, "a snapshot worth throttling: " + total);
        assertTrue(total / seconds <= 1.2 * rate, total + " bytes in " + seconds + " s: " + (total / seconds) +
            " B/s, over 1.2 x " + rate);
        assertNull(replica.lastError());
    }

    @Test
    void shouldCatchUpAfterExactlyOneSnapshotWhileThePrimaryWritesContinuously() throws InterruptedException
    {
        final KvStateMachine primaryState = new KvStateMachine();
        final Primary primary = loadedPrimary(primaryState, 0);
        final AtomicBoolean writing = new AtomicBoolean(true);
        final Thread load = Thread.ofPlatform().name("load").start(() ->
        {
            final KvEntryWriter own = new KvEntryWriter(256);
            long i = 0;
            while (writing.get())
            {
                primary.append(own.reset().put(0, "key-" + (i % KEYS), "busy-" + i).entry());
                i++;
            }
        });
        final KvStateMachine replicaState = new KvStateMachine();
        final Replica replica = fixture.track(Replica.start(ofAnotherHistory(primary.localAddress(), replicaState)));
        await("r1 streaming after its snapshot", WAIT, () -> replica.snapshotsLoaded() == 1 &&
            replica.state() == ReplicaState.STREAMING);
        // still writing: r1 must keep up by streaming, not by another snapshot
        final long streamedFrom = replica.receivedOffset();
        await("r1 to stream 20,000 more entries while the primary writes", WAIT,
            () -> replica.receivedOffset() > streamedFrom + 20_000);
        writing.set(false);
        load.join();
        final long head = primary.status().head();
        await("r1 caught up", WAIT, () -> replica.appliedOffset() == head && primary.appliedOffset() == head);
        assertEquals(1, primary.slot("r1").snapshots(), "exactly one snapshot");
        assertEquals(1, primary.status().replicas().getFirst().snapshots(), "and status says so");
        assertNull(replica.lastError());
        replica.stop();
        primary.close();
        assertArrayEquals(SnapshotResyncTest.snapshot(primaryState), SnapshotResyncTest.snapshot(replicaState));
    }

    @Test
    void shouldGiveUpATransferWhoseWalPassedTheSnapshotCapAndSendANewerSnapshot()
    {
        final KvStateMachine primaryState = new KvStateMachine();
        final Primary primary = loadedPrimary(fixture.primaryConfig().stateMachine(primaryState)
            .snapshotRateBytesPerSec(400_000).snapshotEveryEntries(KEYS).snapshotCapBytes(400_000)
            .retention(new RetentionPolicy(Duration.ofDays(1), 0)).retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)));
        final KvStateMachine replicaState = new KvStateMachine();
        final Replica replica = fixture.track(Replica.start(ofAnotherHistory(primary.localAddress(), replicaState)));
        await("a tenth of the snapshot", WAIT, () -> replica.snapshotProgress() != null &&
            replica.snapshotProgress().progress() > 0.1);
        for (int i = 0; i < 5_000; i++) // ~600 KB of WAL after the snapshot: past the cap of 400 KB
        {
            primary.append(writer.reset().put(0, "key-" + i, "w".repeat(100)).entry());
        }
        await("r1 back after a newer snapshot", WAIT, () -> replica.appliedOffset() == KEYS + 5_000 &&
            replica.state() == ReplicaState.STREAMING);
        assertEquals(2, primary.slot("r1").snapshots(), "the first transfer given up, a newer snapshot sent whole");
        assertEquals(1, replica.snapshotsLoaded());
        replica.stop();
        primary.close();
        assertArrayEquals(SnapshotResyncTest.snapshot(primaryState), SnapshotResyncTest.snapshot(replicaState));
    }

    /**
     * A primary holding {@value #KEYS} keys of 100 bytes, with a snapshot of them saved (about 2.5 MB).
     */
    private Primary loadedPrimary(final KvStateMachine state, final long rate)
    {
        return loadedPrimary(fixture.primaryConfig().stateMachine(state).snapshotRateBytesPerSec(rate)
            .snapshotEveryEntries(KEYS));
    }

    private Primary loadedPrimary(final PrimaryConfig config)
    {
        final Primary primary = fixture.primary(config);
        for (int i = 0; i < KEYS; i++)
        {
            primary.append(writer.reset().put(0, "key-" + i, "v".repeat(100)).entry());
        }
        await("the primary's snapshot", WAIT, () -> primary.appliedOffset() == KEYS &&
            new dev.ferry.engine.state.StateStore(fixture.dir("primary")).newestOffset() == KEYS);
        return primary;
    }

    /**
     * Replica r1 with a WAL of another history (it followed another primary once), so the primary must send it a
     * snapshot.
     */
    private ReplicaConfig ofAnotherHistory(final InetSocketAddress address, final KvStateMachine state)
    {
        if (!java.nio.file.Files.exists(fixture.dir("r1")))
        {
            final Primary other = fixture.primary(fixture.primaryConfig().walDirectory(dir.resolve("other"))
                .stateMachine(new KvStateMachine()));
            final Replica once = Replica.start(fixture.replicaConfig("r1", other.localAddress()).stateMachine(new KvStateMachine()));
            other.append(writer.reset().put(3, "old", "history").entry());
            await("r1 on the other history", WAIT, () -> once.appliedOffset() == 1);
            once.stop();
            other.close();
        }
        return fixture.replicaConfig("r1", address).stateMachine(state);
    }
}
