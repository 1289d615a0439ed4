package dev.ferry.engine;

import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both sides apply the key-value entries they hold (issue 16, part 1): the primary from its own cursor on its Ferry
 * thread, the replica as it receives; APPLIED means applied; equal logs give equal states (their snapshots are equal
 * byte for byte); a restart loads the snapshot; an entry the state machine refuses stops applying at its offset while
 * replication goes on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class StateReplicationTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldApplyOnBothSidesAndAcknowledgeApplied() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine()));
        final Replica replica = fixture.track(Replica.start(
            fixture.replicaConfig("r1", primary.localAddress()).stateMachine(new KvStateMachine())));
        final KvEntryWriter writer = new KvEntryWriter(64);
        long last = -1;
        for (int i = 0; i < 2_000; i++)
        {
            last = primary.append(writer.reset().put(i % 3, "key-" + (i % 97), "value-" + i).entry());
        }
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.APPLIED, WAIT), "APPLIED acknowledged");
        await("both sides to apply everything", WAIT,
            () -> primary.appliedOffset() == 2_000 && replica.appliedOffset() == 2_000);
        assertEquals(2_000, primary.slot("r1").appliedOffset());

        final java.net.InetSocketAddress address = primary.localAddress();
        replica.stop();
        primary.close();
        final byte[] primaryState = newestSnapshot(fixture.dir("primary"));
        assertArrayEquals(primaryState, newestSnapshot(fixture.dir("r1")), "equal logs, equal states");

        // a restart loads the snapshot: nothing to replay
        final Replica again = fixture.track(Replica.start(
            fixture.replicaConfig("r1", address).stateMachine(new KvStateMachine())));
        assertEquals(2_000, again.appliedOffset());
    }

    /**
     * A restarted replica positions its applier on the thread that starts it (to replay the WAL after its newest
     * snapshot, here none), then applies on its own thread: the applier's cursor must be handed over (Chronicle refuses
     * a tailer used by two threads), or applying stops at once with INTERNAL.
     */
    @Test
    void shouldGoOnApplyingAfterARestartThatReplays() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine()));
        final Replica replica = fixture.track(Replica.start(
            fixture.replicaConfig("r1", primary.localAddress()).stateMachine(new KvStateMachine())));
        final KvEntryWriter writer = new KvEntryWriter(64);
        for (int i = 0; i < 100; i++)
        {
            primary.append(writer.reset().put(0, "key-" + i, "value-" + i).entry());
        }
        await("r1 to apply 100", WAIT, () -> replica.appliedOffset() == 100);
        replica.stop();
        SnapshotResyncTest.deleteTree(fixture.dir("r1").resolve(StateStore.DIRECTORY)); // as after kill -9 before any save

        final Replica again = fixture.track(Replica.start(
            fixture.replicaConfig("r1", primary.localAddress()).stateMachine(new KvStateMachine())));
        for (int i = 100; i < 110; i++)
        {
            primary.append(writer.reset().put(0, "key-" + i, "value-" + i).entry());
        }
        await(() -> "r1 to apply 110 after its restart: " + again.appliedOffset() + ", " + again.stateError(), WAIT,
            () -> again.appliedOffset() == 110 || again.stateError() != null);
        assertEquals(null, again.stateError());
        assertEquals(110, again.appliedOffset());
    }

    @Test
    void shouldStopApplyingAtARefusedEntryAndGoOnReplicating()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica replica = fixture.track(Replica.start(
            fixture.replicaConfig("r1", primary.localAddress()).stateMachine(new KvStateMachine())));
        final KvEntryWriter writer = new KvEntryWriter(64);
        primary.append(writer.reset().put(0, "a", "1").entry());
        primary.append("a raw entry, not key-value".getBytes(StandardCharsets.US_ASCII));
        primary.append(writer.reset().put(0, "b", "2").entry());
        await("the replica to receive all three and stop applying at the second", WAIT,
            () -> replica.receivedOffset() == 3 && replica.stateError() != null);
        assertEquals(ErrorCode.APPLY, replica.stateError().code());
        assertTrue(replica.stateError().getMessage().contains("offset 1"), replica.stateError().getMessage());
        assertEquals(1, replica.appliedOffset());
        await("APPLIED acknowledged as 1", WAIT, () -> primary.slot("r1").appliedOffset() == 1);
        assertEquals(ReplicaState.STREAMING, replica.state(), "replication goes on");
    }

    private static byte[] newestSnapshot(final Path wal) throws IOException
    {
        final StateStore store = new StateStore(wal);
        final long offset = store.newestOffset();
        assertEquals(2_000, offset, "the last snapshot is at the applied offset");
        try (var files = Files.list(wal.resolve(StateStore.DIRECTORY)))
        {
            final Path newest = files.filter(f -> f.getFileName().toString().contains(String.format("%020d", offset)))
                .findFirst().orElseThrow();
            return Files.readAllBytes(newest);
        }
    }
}
