package dev.ferry.engine;

import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.RetentionPolicy;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica the primary cannot stream to comes back by a snapshot (issue 16): too old for retention, another history
 * (a wiped primary), a suffix the primary does not hold (a primary restored from an older copy). Each ends with equal
 * states and equal logs over the range both hold, and what the replica held before moved aside, never deleted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class SnapshotResyncTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private final KvEntryWriter writer = new KvEntryWriter(256);

    @Test
    void shouldBringBackAReplicaThatFellOutOfRetention()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final KvStateMachine primaryState = new KvStateMachine();
        final Primary primary = fixture.primary(secondlyRetention(clock).stateMachine(primaryState).slotCapBytes(1));
        final InetSocketAddress address = primary.localAddress();
        final KvStateMachine replicaState = new KvStateMachine();
        Replica replica = fixture.track(Replica.start(replicaConfig(address, replicaState)));
        put(primary, 0, 100);
        await("r1 to apply 100", WAIT, () -> primary.slot("r1") != null && primary.slot("r1").appliedOffset() == 100);
        replica.stop();
        for (int cycle = 1; cycle <= 3; cycle++)
        {
            clock.advanceMillis(1000);
            put(primary, cycle * 100, 100);
        }
        await("retention past the offline replica", WAIT, () -> primary.status().oldest() > 100);

        replica = fixture.track(Replica.start(replicaConfig(address, replicaState)));
        final Replica back = replica;
        await("r1 back by a snapshot", WAIT, () -> back.receivedOffset() == 400 && back.appliedOffset() == 400 &&
            back.state() == ReplicaState.STREAMING);
        assertEquals(1, back.snapshotsLoaded());
        assertEquals(1, primary.slot("r1").snapshots());
        assertNotNull(back.movedAside(), "what r1 held is moved aside");
        assertEquals(100, digest(back.movedAside()).count(), "its 100 entries, kept");
        assertEquals(ReplicaState.STREAMING, back.state());
        assertNull(back.lastError());
        // the snapshot is on the replica's disk: everything below 400 is durable there, with no entry after it yet
        await(() -> "r1 durable at 400: " + primary.slot("r1").durableOffset(), WAIT,
            () -> primary.slot("r1").durableOffset() == 400);
        put(primary, 400, 10);
        await("r1 to stream after it", WAIT, () -> back.appliedOffset() == 410);

        back.stop();
        primary.close();
        assertArrayEquals(snapshot(primaryState), snapshot(replicaState), "equal states");
        assertCommonRangeEqual(fixture.dir("primary"), fixture.dir("r1"));
    }

    @Test
    void shouldFollowAWipedPrimarysNewHistoryAndMoveTheOldOneAside() throws IOException
    {
        Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine()));
        final InetSocketAddress address = primary.localAddress();
        final KvStateMachine replicaState = new KvStateMachine();
        Replica replica = fixture.track(Replica.start(replicaConfig(address, replicaState)));
        put(primary, 0, 100);
        await("r1 to apply 100", WAIT, () -> primary.slot("r1") != null && primary.slot("r1").appliedOffset() == 100);
        final String oldHistory = primary.status().historyId();
        replica.stop();
        primary.close();
        deleteTree(fixture.dir("primary"));

        final KvStateMachine primaryState = new KvStateMachine();
        final Primary wiped = fixture.primary(fixture.primaryConfig().stateMachine(primaryState).listen(address));
        writer.reset();
        for (int i = 0; i < 30; i++)
        {
            wiped.append(writer.reset().put(1, "new-" + i, "v" + i).entry());
        }
        final java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        replica = fixture.track(Replica.start(replicaConfig(address, replicaState).eventLog(line ->
        {
            lines.add(line);
            ReplicationFixture.log(line);
        })));
        final Replica back = replica;
        await("r1 on the new history", WAIT, () -> back.appliedOffset() == 30 && back.state() == ReplicaState.STREAMING);
        assertEquals(1, lines.stream().filter(line -> line.contains("NEW HISTORY")).count(), "said once: " + lines);
        assertEquals(1, back.snapshotsLoaded());
        assertTrue(back.movedAside().getFileName().toString().endsWith(oldHistory), back.movedAside().toString());
        assertEquals(100, digest(back.movedAside()).count());
        assertEquals(0, replicaState.size(0), "nothing of the old history is mixed in");
        assertEquals(30, replicaState.size(1));
        for (int i = 30; i < 40; i++)
        {
            wiped.append(writer.reset().put(1, "new-" + i, "v" + i).entry());
        }
        await("r1 to stream after the snapshot", WAIT, () -> back.appliedOffset() == 40);
        back.stop();
        wiped.close();
        assertArrayEquals(snapshot(primaryState), snapshot(replicaState));
        assertCommonRangeEqual(fixture.dir("primary"), fixture.dir("r1"));
    }

    @Test
    void shouldResyncAReplicaWhoseLastEntryARestoredPrimaryDoesNotHold() throws IOException
    {
        final Path primaryDir = fixture.dir("primary");
        Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine()));
        final InetSocketAddress address = primary.localAddress();
        final KvStateMachine replicaState = new KvStateMachine();
        Replica replica = fixture.track(Replica.start(replicaConfig(address, replicaState)));
        put(primary, 0, 100);
        await("r1 to apply 100", WAIT, () -> primary.slot("r1") != null && primary.slot("r1").appliedOffset() == 100);
        primary.close(); // the replica retries meanwhile
        final Path copy = dir.resolve("primary-copy");
        copyTree(primaryDir, copy);
        final Primary again = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine()).listen(address));
        put(again, 100, 100);
        final Replica follower = replica;
        await("r1 to apply 200", WAIT, () -> follower.appliedOffset() == 200);
        replica.stop();
        again.close();

        deleteTree(primaryDir);
        copyTree(copy, primaryDir); // restored from the copy at 100: offsets 100.. are written again, differently
        final KvStateMachine primaryState = new KvStateMachine();
        final Primary restored = fixture.primary(fixture.primaryConfig().stateMachine(primaryState).listen(address));
        for (int i = 0; i < 150; i++)
        {
            restored.append(writer.reset().put(2, "restored-" + i, "r" + i).entry());
        }
        replica = fixture.track(Replica.start(replicaConfig(address, replicaState)));
        final Replica back = replica;
        await("r1 back on the restored history", WAIT, () -> back.appliedOffset() == 250 && back.state() == ReplicaState.STREAMING);
        assertEquals(1, back.snapshotsLoaded());
        assertEquals(200, digest(back.movedAside()).count(), "its 200 entries, the 100 the primary lost included");
        for (int i = 150; i < 160; i++)
        {
            restored.append(writer.reset().put(2, "restored-" + i, "r" + i).entry());
        }
        await("r1 to stream after the snapshot", WAIT, () -> back.appliedOffset() == 260);
        back.stop();
        restored.close();
        assertArrayEquals(snapshot(primaryState), snapshot(replicaState));
        assertCommonRangeEqual(primaryDir, fixture.dir("r1"));
    }

    private ReplicaConfig replicaConfig(final InetSocketAddress address, final StateMachine state)
    {
        return fixture.replicaConfig("r1", address).stateMachine(state);
    }

    /** Age 0 retention checked every 10 ms over one-second cycles driven by {@code clock}; a snapshot every 50. */
    private PrimaryConfig secondlyRetention(final SetTimeProvider clock)
    {
        final PrimaryConfig config = fixture.primaryConfig()
            .retention(new RetentionPolicy(Duration.ZERO, 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))
            .snapshotEveryEntries(50);
        config.wal().rollCycle("TEST_SECONDLY").cycleClock(clock);
        return config;
    }

    /** PUTs of keys {@code first..first+count-1} (mod 150, so some overwrite) into db 0, each 64 bytes. */
    private void put(final Primary primary, final int first, final int count)
    {
        for (int i = first; i < first + count; i++)
        {
            primary.append(writer.reset().put(0, "key-" + (i % 150), "value-" + i + "-" + "x".repeat(48)).entry());
        }
    }

    static byte[] snapshot(final StateMachine state)
    {
        return StateStore.snapshotBytes(state);
    }

    private static WalDigest digest(final Path wal)
    {
        return ReplicationFixture.digest(wal);
    }

    /** The two WALs hold the same entries over the offsets both hold. */
    static void assertCommonRangeEqual(final Path a, final Path b)
    {
        try (Wal one = Wal.open(new WalConfig().directory(a).readOnly(true));
             Wal two = Wal.open(new WalConfig().directory(b).readOnly(true)))
        {
            final long from = Math.max(one.oldestOffset(), two.oldestOffset());
            final long to = Math.min(one.nextOffset(), two.nextOffset()) - 1;
            assertTrue(to >= from, "a common range: " + one + " " + two);
            assertEquals(WalDigest.of(one, from, to), WalDigest.of(two, from, to), "offsets " + from + ".." + to);
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        try (var files = Files.walk(root))
        {
            for (final Path file : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(file);
            }
        }
    }

    static void copyTree(final Path from, final Path to) throws IOException
    {
        try (var files = Files.walk(from))
        {
            for (final Path file : files.toList())
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else if (!file.getFileName().toString().equals("ferry.lock"))
                {
                    Files.copy(file, target);
                }
            }
        }
    }
}
