package dev.ferry.engine;

import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cascade at its edges (found by a review read as an attacker; each test failed before its fix): a snapshot served
 * downstream is never newer than what the middle made durable; a downstream replica ahead of a middle that is catching
 * up is told to retry, not stopped for good; a middle whose serving side failed does not spin on a connection nobody
 * accepts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class CascadeEdgeTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static InetSocketAddress freeAddress() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }

    private ReplicaConfig kvReplica(final String id, final InetSocketAddress upstream)
    {
        return fixture.replicaConfig(id, upstream).stateMachine(new KvStateMachine()).snapshotEveryEntries(100);
    }

    @Test
    void aSnapshotServedDownstreamIsNeverNewerThanWhatTheMiddleMadeDurable() throws Exception
    {
        // the leaf first holds another history: it can only come back by a snapshot
        final Primary other = fixture.primary(fixture.primaryConfig().walDirectory(dir.resolve("other"))
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100));
        ReplicationFixture.put(other, "x", 0, 300, 97);
        final Replica leafBefore = fixture.track(Replica.start(kvReplica("l", other.localAddress())));
        await("the leaf at 300 of another history", WAIT, () -> leafBefore.appliedOffset() == 300);
        leafBefore.stop();
        other.close();

        final Primary primary = fixture.primary(fixture.primaryConfig().walDirectory(dir.resolve("p"))
            .stateMachine(new KvStateMachine()).snapshotEveryEntries(100));
        ReplicationFixture.put(primary, "a", 0, 1_000, 97);
        final InetSocketAddress serve = freeAddress();
        final ReplicaConfig middleConfig = kvReplica("m", primary.localAddress()).serve(serve);
        middleConfig.wal().syncPolicy(SyncPolicy.INTERVAL).syncIntervalNs(TimeUnit.SECONDS.toNanos(3));
        final Replica middle = fixture.track(Replica.start(middleConfig));
        await("the middle applied 1000", WAIT, () -> middle.appliedOffset() == 1_000);

        final Replica leaf = fixture.track(Replica.start(kvReplica("l", serve)));
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (leaf.snapshotsLoaded() == 0 && System.nanoTime() < deadline)
        {
            final long leafApplied = leaf.appliedOffset();
            assertTrue(leaf.snapshotsLoaded() == 0 || leafApplied <= middle.durableOffset(), "the leaf holds state up " +
                "to " + leafApplied + " but the middle made only " + middle.durableOffset() + " durable");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        await("the leaf brought over by a snapshot once the middle synced", WAIT, () -> leaf.snapshotsLoaded() == 1);
        assertTrue(leaf.appliedOffset() <= middle.durableOffset() || middle.durableOffset() == 1_000,
            "the leaf at " + leaf.appliedOffset() + ", the middle durable at " + middle.durableOffset());
        await("the leaf at 1000", WAIT, () -> leaf.appliedOffset() == 1_000);
    }

    @Test
    void aLeafAheadOfItsCatchingUpMiddleIsToldToRetryNotStoppedForGood() throws Exception
    {
        final Path primaryDir = dir.resolve("p");
        final InetSocketAddress primaryAddress = freeAddress();
        Primary primary = fixture.primary(fixture.primaryConfig().walDirectory(primaryDir).listen(primaryAddress));
        ReplicationFixture.put(primary, "a", 0, 1_000, 97);
        final InetSocketAddress serve = freeAddress();
        final Replica middle = fixture.track(Replica.start(fixture.replicaConfig("m", primaryAddress).serve(serve)));
        final Replica leaf = fixture.track(Replica.start(fixture.replicaConfig("l", serve)));
        await("the leaf at 1000", WAIT, () -> leaf.receivedOffset() == 1_000);

        primary.close();
        middle.stop();
        // the middle comes back with a shorter tail (a lost tail, a repaired one, a resync)
        final Wal middleWal = Wal.open(new WalConfig().directory(dir.resolve("m")).singleWriter(true));
        final Wal truncated = middleWal.truncateAfter(499);
        truncated.close();
        if (!middleWal.isClosed())
        {
            middleWal.close();
        }
        final Replica middleAgain = fixture.track(Replica.start(fixture.replicaConfig("m", primaryAddress)
            .serve(serve)));
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // the leaf reconnects to the middle meanwhile
        primary = fixture.primary(fixture.primaryConfig().walDirectory(primaryDir).listen(primaryAddress));
        await("the middle back at 1000", WAIT, () -> middleAgain.receivedOffset() == 1_000);
        await(() -> "the leaf following again, but it is " + leaf.state() + ": " + leaf.lastError(), WAIT,
            () -> leaf.state() == ReplicaState.STREAMING);
        ReplicationFixture.put(primary, "b", 1_000, 10, 97);
        await("the leaf at 1010", WAIT, () -> leaf.receivedOffset() == 1_010);
    }

    @Test
    void aFailedServingSideWithAPendingConnectionDoesNotSpinTheReplicaThread() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().walDirectory(dir.resolve("p")));
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m").resolve(dev.ferry.engine.serve.SlotStore.FILE), "l=not-a-number\n");
        final InetSocketAddress serve = freeAddress();
        final Replica middle = fixture.track(Replica.start(fixture.replicaConfig("m", primary.localAddress())
            .serve(serve)));
        ReplicationFixture.put(primary, "a", 0, 100, 97);
        await("the middle at 100", WAIT, () -> middle.receivedOffset() == 100);
        try (Socket client = new Socket(serve.getAddress(), serve.getPort()))
        {
            assertTrue(client.isConnected());
            final Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("ferry-replica-m")).findFirst().orElseThrow();
            final var threads = ManagementFactory.getThreadMXBean();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            final long before = threads.getThreadCpuTime(thread.threadId());
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
            final long cpuMs = TimeUnit.NANOSECONDS.toMillis(threads.getThreadCpuTime(thread.threadId()) - before);
            assertTrue(cpuMs < 500, "the idle replica thread used " + cpuMs + " ms of CPU in 2 s");
        }
    }
}
