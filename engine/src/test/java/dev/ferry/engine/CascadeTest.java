package dev.ferry.engine;

import dev.ferry.engine.cli.StatusDocuments;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cascading (issue 18): a replica started with {@code serve} serves replicas from its own WAL, at the same offsets,
 * epochs and chained checksums, from the duty cycle that follows its upstream. Three levels end equal by digest and
 * state through a restart of the middle level, a snapshot served by the middle level, and a promotion of the middle
 * level (the level below follows it as a primary, the old primary rejoins below it).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class CascadeTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static void put(final Primary primary, final String prefix, final int from, final int count)
    {
        ReplicationFixture.put(primary, prefix, from, count, 97);
    }

    private static InetSocketAddress freeAddress() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }

    private ReplicaConfig kvReplica(final String id, final InetSocketAddress upstream, final KvStateMachine state)
    {
        return fixture.replicaConfig(id, upstream).stateMachine(state).snapshotEveryEntries(100);
    }

    private static WalDigest digest(final Path walDir, final long from, final long to)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            return WalDigest.of(wal, from, to);
        }
    }

    private PrimaryStatus servingStatus(final InetSocketAddress serve) throws IOException
    {
        return StatusDocuments.read(StatusClient.requestJson(serve, Duration.ofSeconds(10),
            Secret.load(fixture.secretFile())));
    }

    @Test
    void threeLevelsEndEqualThroughARestartOfTheMiddleAndItsPromotion() throws Exception
    {
        final Path primaryDir = dir.resolve("p");
        final KvStateMachine primaryState = new KvStateMachine();
        final Primary primary = fixture.primary(fixture.primaryConfig().walDirectory(primaryDir)
            .stateMachine(primaryState).snapshotEveryEntries(100));
        final InetSocketAddress serve = freeAddress();
        final KvStateMachine middleState = new KvStateMachine();
        final Replica middle = fixture.track(Replica.start(kvReplica("m", primary.localAddress(), middleState)
            .serve(serve).metrics(new InetSocketAddress("127.0.0.1", 0)).promotedConfig(() -> fixture.primaryConfig().stateMachine(new KvStateMachine())
                .snapshotEveryEntries(100).eventLog(ReplicationFixture::log))));
        assertEquals(serve.getPort(), middle.serveAddress().getPort());
        final KvStateMachine leafState = new KvStateMachine();
        final Replica leaf = fixture.track(Replica.start(kvReplica("l", serve, leafState)));

        for (int i = 0; i < 1_000; i += 100)
        {
            put(primary, "a", i, 100);
            final long leafReceived = leaf.receivedOffset();
            assertTrue(leafReceived <= middle.durableOffset(), "the middle serves only what it made durable");
        }
        await("the leaf at 1000, through the middle", WAIT, () -> leaf.appliedOffset() == 1_000);
        assertEquals(digest(primaryDir, 0, 999), digest(dir.resolve("l"), 0, 999));

        // each level shows its own downstream: the middle names its upstream and its leaf's acknowledgements
        final PrimaryStatus atMiddle = servingStatus(serve);
        assertEquals(PrimaryStatus.REPLICA, atMiddle.role());
        assertEquals("127.0.0.1:" + primary.localAddress().getPort(), atMiddle.upstream());
        assertEquals(1_000, atMiddle.head());
        assertEquals(1, atMiddle.replicas().size(), atMiddle.toString());
        assertEquals("l", atMiddle.replicas().get(0).id());
        await("the leaf's acknowledgement at the middle", WAIT,
            () -> middle.servingStatus().replicas().get(0).received() == 1_000);
        assertEquals(primary.history().id().toString(), atMiddle.historyId());
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient())
        {
            final String scrape = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" +
                middle.metricsAddress().getPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(scrape.contains("ferry_replica_downstream_received{replica=\"l\"} 1000"), scrape);
            assertTrue(scrape.contains("ferry_replica_received 1000"), scrape);
        }
        assertEquals(1, primary.status().replicas().size(), "the primary serves the middle only");
        assertEquals("m", primary.status().replicas().get(0).id());

        // the middle level stops while the primary goes on; it comes back on the same address; the leaf resumes
        middle.stop();
        put(primary, "b", 1_000, 500);
        final KvStateMachine middleAgainState = new KvStateMachine();
        final Replica middleAgain = fixture.track(Replica.start(kvReplica("m", primary.localAddress(),
            middleAgainState).serve(serve).promotedConfig(() -> fixture.primaryConfig()
                .stateMachine(new KvStateMachine()).snapshotEveryEntries(100).eventLog(ReplicationFixture::log))));
        await("the leaf at 1500 after the middle's return", WAIT, () -> leaf.appliedOffset() == 1_500);
        assertEquals(digest(primaryDir, 0, 1_499), digest(dir.resolve("m"), 0, 1_499));
        assertEquals(digest(primaryDir, 0, 1_499), digest(dir.resolve("l"), 0, 1_499));

        // the primary dies; the middle is promoted over its serving port; the leaf follows it at the new epoch
        primary.close();
        final String answer = StatusClient.promote(serve, Duration.ofSeconds(30), Secret.load(fixture.secretFile()));
        assertTrue(answer.contains("\"epoch\":1") && answer.contains("\"startOffset\":1500"), answer);
        final Primary promoted = middleAgain.promoted();
        assertNotNull(promoted);
        fixture.track(promoted);
        put(promoted, "c", 1_500, 200);
        await("the leaf at 1700 at epoch 1", WAIT, () -> leaf.appliedOffset() == 1_700);

        // the old primary rejoins as a replica of the promoted one
        final KvStateMachine rejoinedState = new KvStateMachine();
        final Replica rejoined = fixture.track(Replica.start(kvReplica("p", serve, rejoinedState)
            .walDirectory(primaryDir)));
        await("the old primary at 1700", WAIT, () -> rejoined.appliedOffset() == 1_700);

        final WalDigest expected = digest(dir.resolve("m"), 0, 1_699);
        leaf.stop();
        rejoined.stop();
        promoted.close();
        assertEquals(expected, digest(dir.resolve("l"), 0, 1_699));
        assertEquals(expected, digest(primaryDir, 0, 1_699));
        final byte[] state = StateStore.snapshotBytes(leafState);
        assertArrayEquals(state, StateStore.snapshotBytes(rejoinedState), "states equal");
        assertTrue(state.length > 0);
    }

    /**
     * The serving side failing (here: a damaged slot file beside the middle's WAL) never stops the following or the
     * applying, and is reported without a line per duty cycle.
     */
    @Test
    void aReplicaWhoseServingSideFailsGoesOnFollowingAndApplying() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().walDirectory(dir.resolve("p"))
            .stateMachine(new KvStateMachine()));
        java.nio.file.Files.createDirectories(dir.resolve("m"));
        java.nio.file.Files.writeString(dir.resolve("m").resolve(dev.ferry.engine.serve.SlotStore.FILE), "l=not-a-number\n");
        final java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Replica middle = fixture.track(Replica.start(kvReplica("m", primary.localAddress(), new KvStateMachine())
            .serve(freeAddress()).eventLog(line ->
            {
                events.add(line);
                ReplicationFixture.log(line);
            })));
        put(primary, "a", 0, 500);
        await("the middle follows and applies although it cannot serve", WAIT, () -> middle.appliedOffset() == 500);
        assertEquals(ReplicaState.STREAMING, middle.state(), String.valueOf(middle.lastError()));
        await("the failure reported", WAIT, () -> events.stream().anyMatch(e -> e.contains("cannot serve") &&
            e.contains(dev.ferry.engine.serve.SlotStore.FILE)));
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        final long lines = events.stream().filter(e -> e.contains(dev.ferry.engine.serve.SlotStore.FILE)).count();
        assertTrue(lines <= 3, "reported " + lines + " times, not once per duty cycle");
    }

    @Test
    void theMiddleServesASnapshotToALeafThatHeldAnotherHistory() throws Exception
    {
        // the leaf first follows an unrelated primary: another history
        final Primary other = fixture.primary(fixture.primaryConfig().walDirectory(dir.resolve("other"))
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100));
        put(other, "x", 0, 300);
        final Replica leafBefore = fixture.track(Replica.start(kvReplica("l", other.localAddress(),
            new KvStateMachine())));
        await("the leaf at 300 of the other history", WAIT, () -> leafBefore.appliedOffset() == 300);
        leafBefore.stop();
        other.close();

        final Path primaryDir = dir.resolve("p");
        final Primary primary = fixture.primary(fixture.primaryConfig().walDirectory(primaryDir)
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100));
        put(primary, "a", 0, 1_000);
        final InetSocketAddress serve = freeAddress();
        final KvStateMachine middleState = new KvStateMachine();
        final Replica middle = fixture.track(Replica.start(kvReplica("m", primary.localAddress(), middleState)
            .serve(serve)));
        await("the middle at 1000", WAIT, () -> middle.appliedOffset() == 1_000);

        final KvStateMachine leafState = new KvStateMachine();
        final Replica leaf = fixture.track(Replica.start(kvReplica("l", serve, leafState)));
        await("the leaf brought to the middle's history by a snapshot", WAIT,
            () -> leaf.snapshotsLoaded() == 1 && leaf.appliedOffset() == 1_000);
        assertNotNull(leaf.movedAside(), "what it held is moved aside, never mixed in");
        put(primary, "b", 1_000, 100);
        await("the leaf at 1100", WAIT, () -> leaf.appliedOffset() == 1_100);
        leaf.stop();
        middle.stop();
        primary.close();
        assertArrayEquals(StateStore.snapshotBytes(middleState), StateStore.snapshotBytes(leafState), "states equal");
    }
}
