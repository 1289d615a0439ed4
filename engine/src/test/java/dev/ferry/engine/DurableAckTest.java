package dev.ferry.engine;

import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.SyncRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DURABLE ack means on stable storage (issue 14): a replica acknowledges as durable only what a sync of its WAL
 * forced before the ack was sent; one that never syncs says so, its durable offset does not advance, and a DURABLE
 * wait it would have to meet fails at once with CONFIGURATION instead of waiting out its timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class DurableAckTest
{
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static long append(final Primary primary, final int count)
    {
        long last = -1;
        for (int i = 0; i < count; i++)
        {
            last = primary.append(new byte[]{(byte)i, (byte)(i >> 8), 1, 2, 3, 4, 5, 6});
        }
        return last;
    }

    @Test
    void shouldAcknowledgeAsDurableOnlyWhatASyncForcedBeforeTheAck() throws Exception
    {
        final AtomicReference<Replica> replica = new AtomicReference<>();
        // the watermark is read on the replica's only writing thread, as its sync starts: what that sync covers
        try (SyncRecorder recorder = SyncRecorder.install(dir.resolve("r1"), null,
            () -> replica.get() == null ? 0 : replica.get().wal().nextOffset()))
        {
            final List<String> violations = new CopyOnWriteArrayList<>();
            final List<Long> durableAcks = new CopyOnWriteArrayList<>();
            final PrimaryConfig config = fixture.primaryConfig().ackListener(
                (id, received, durable, applied, nowNs) ->
                {
                    final long covered = recorder.covered().stream().mapToLong(Long::longValue).max().orElse(0);
                    if (durable > covered)
                    {
                        violations.add("ack durable " + durable + " but the syncs so far covered " + covered);
                    }
                    durableAcks.add(durable);
                });
            final Primary primary = fixture.primary(config);
            final ReplicaConfig replicaConfig = fixture.replicaConfig("r1", primary.localAddress());
            assertEquals(SyncPolicy.PER_BATCH, replicaConfig.wal().syncPolicy(), "a replica syncs by default");
            replica.set(fixture.track(Replica.start(replicaConfig)));
            for (int round = 0; round < 20; round++)
            {
                final long last = append(primary, 500);
                assertTrue(primary.awaitReplicated(last, 1, AckLevel.DURABLE, LONG),
                    () -> "r1 durable at " + replica.get().durableOffset());
            }
            assertEquals(List.of(), violations);
            assertTrue(durableAcks.stream().anyMatch(d -> d == primary.nextOffset()), "durable reached the head");
            assertTrue(recorder.log().stream().anyMatch(s -> s.startsWith("data ") && s.endsWith(".cq4")),
                recorder.log().toString());
            final ReplicaSlot slot = primary.slot("r1");
            assertNotNull(slot);
            assertTrue(slot.syncs());
        }
    }

    @Test
    void shouldFailADurableWaitAtOnceWhenTheReplicaNeverSyncs() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final ReplicaConfig config = fixture.replicaConfig("r1", primary.localAddress());
        config.wal().syncPolicy(SyncPolicy.NONE);
        final Replica replica = fixture.track(Replica.start(config));
        final long last = append(primary, 1_000);
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.RECEIVED, LONG), "RECEIVED waits are unaffected");
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.APPLIED, LONG));

        // an hour: only the fail-fast can end this wait within the class timeout
        final FerryException refused = assertThrows(FerryException.class,
            () -> primary.awaitReplicated(last, 1, AckLevel.DURABLE, Duration.ofHours(1)));
        assertEquals(ErrorCode.CONFIGURATION, refused.code());
        assertTrue(refused.getMessage().contains("r1") && refused.getMessage().contains("sync policy none"),
            refused.getMessage());

        final ReplicaSlot slot = primary.slot("r1");
        assertNotNull(slot);
        assertFalse(slot.syncs());
        assertEquals(0, slot.durableOffset(), "durable does not advance without a sync");
        assertEquals(0, replica.durableOffset());
        assertEquals(slot.receivedOffset(), slot.retainFrom(), "retention keeps entries from what it received");
        final ReplicaStatus status = primary.status().replicas().getFirst();
        assertFalse(status.syncs(), "status says the replica does not sync");
        assertEquals(0, status.durable());
    }

    @Test
    void shouldCountTheReplicasThatSyncWhenAnotherDoesNot() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final ReplicaConfig noSync = fixture.replicaConfig("lazy", primary.localAddress());
        noSync.wal().syncPolicy(SyncPolicy.NONE);
        fixture.track(Replica.start(noSync));
        fixture.replica("r1", primary.localAddress());
        final long last = append(primary, 1_000);
        await("both replicas to connect", LONG, () -> primary.slot("lazy") != null && primary.slot("r1") != null &&
            primary.slot("lazy").receivedOffset() > last);
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.DURABLE, LONG), "one replica syncs: one is enough");
        assertThrows(FerryException.class, () -> primary.awaitReplicated(last, 2, AckLevel.DURABLE, Duration.ofHours(1)),
            "two cannot be: one never syncs");
    }
}
