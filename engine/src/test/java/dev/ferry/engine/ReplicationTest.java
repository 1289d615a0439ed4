package dev.ferry.engine;

import dev.ferry.engine.history.History;
import dev.ferry.engine.serve.SlotStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.RetentionPolicy;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressors;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static dev.ferry.engine.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class ReplicationTest
{
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Duration CATCH_UP = Duration.ofSeconds(90);
    /** How long a test waits for anything else to happen: generous, for a loaded 2-core machine. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static void appendNumbered(final Primary primary, final long count, final int size)
    {
        final MemorySegment payload = MemorySegment.ofArray(new byte[size]);
        for (long i = 0; i < count; i++)
        {
            payload.set(LONG_LE, 0, primary.nextOffset());
            payload.set(LONG_LE, size - 8, ~i);
            primary.append(payload);
        }
    }

    private static void awaitCaughtUp(final Primary primary, final Replica... replicas)
    {
        for (final Replica replica : replicas)
        {
            await(replica.id() + " to reach " + primary.nextOffset() + " (at " + replica.receivedOffset() + ", state " +
                replica.state() + ", last error " + replica.lastError() + ")", CATCH_UP,
                () -> replica.receivedOffset() == primary.nextOffset());
        }
    }

    @Test
    void shouldReplicateAMillionEntriesToThreeReplicasByteForByte() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress address = primary.localAddress();
        final Replica r1 = fixture.replica("r1", address);
        final Replica r2 = fixture.replica("r2", address);
        final Replica r3 = fixture.replica("r3", address);
        appendNumbered(primary, 1_000_000, 64);
        awaitCaughtUp(primary, r1, r2, r3);
        assertTrue(primary.awaitReplicated(999_999, 3, AckLevel.DURABLE, CATCH_UP));
        // a replica starved of CPU may miss heartbeats and reconnect at any moment, even caught up: its state is
        // waited for, never sampled once; positions and acks recorded do not go back on a reconnect
        await(() -> "every replica STREAMING and caught up, in " + primary.status(), WAIT,
            () -> streamingAndCaughtUp(primary.status(), 3));
        final PrimaryStatus status = primary.status();
        assertEquals(1_000_000, status.head());
        assertEquals(3, status.replicas().size());
        for (final ReplicaStatus r : status.replicas())
        {
            assertEquals(0, r.lagEntries(), r.id());
            assertTrue(r.acks() > 0, "ack latency recorded for " + r.id());
        }
        r1.stop();
        r2.stop();
        r3.stop();
        primary.close();
        final WalDigest expected = digest(fixture.dir("primary"));
        assertEquals(1_000_000, expected.count());
        for (final String id : List.of("r1", "r2", "r3"))
        {
            assertEquals(expected, digest(fixture.dir(id)), id);
        }
    }

    private static boolean streamingAndCaughtUp(final PrimaryStatus status, final int replicas)
    {
        return status.replicas().size() == replicas && status.replicas().stream()
            .allMatch(r -> r.state() == SlotState.STREAMING && r.lagEntries() == 0 && r.acks() > 0);
    }

    @Test
    void shouldCatchUpAReplicaThatWasStoppedAndRestarted()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress address = primary.localAddress();
        final Replica first = fixture.replica("r1", address);
        appendNumbered(primary, 10_000, 100);
        awaitCaughtUp(primary, first);
        first.stop();
        assertEquals(ReplicaState.STOPPED, first.state());
        appendNumbered(primary, 20_000, 100);
        final Replica again = fixture.replica("r1", address);
        assertEquals(10_000, again.receivedOffset(), "resumes from its own WAL");
        awaitCaughtUp(primary, again);
        again.stop();
        primary.close();
        assertEquals(digest(fixture.dir("primary")), digest(fixture.dir("r1")));
    }

    @Test
    void shouldResumeReplicasWhenThePrimaryIsClosedAndReopened()
    {
        Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress address = primary.localAddress();
        final List<ReplicaState> states = new CopyOnWriteArrayList<>();
        final Replica r1 = fixture.replica("r1", address);
        r1.addListener((from, to, error) -> states.add(to));
        final Replica r2 = fixture.replica("r2", address);
        appendNumbered(primary, 5_000, 64);
        awaitCaughtUp(primary, r1, r2);
        primary.close();
        await("r1 to notice the primary is gone", WAIT, () -> states.contains(ReplicaState.BACKOFF));

        primary = fixture.primary(fixture.primaryConfig().listen(address));
        assertEquals(5_000, primary.nextOffset());
        appendNumbered(primary, 5_000, 64);
        awaitCaughtUp(primary, r1, r2);
        r1.stop();
        r2.stop();
        primary.close();
        final WalDigest expected = digest(fixture.dir("primary"));
        assertEquals(10_000, expected.count(), "no gap, no duplicate on the primary");
        assertEquals(expected, digest(fixture.dir("r1")));
        assertEquals(expected, digest(fixture.dir("r2")));
    }

    @Test
    void shouldFreeEachConnectionsNativeCodecContextsWhenTheReplicaReconnects()
    {
        final long before = Compressors.openNativeContexts();
        Primary primary = fixture.primary(fixture.primaryConfig().codec(Codec.ZSTD));
        final InetSocketAddress address = primary.localAddress();
        final List<ReplicaState> states = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.replica("r1", address);
        replica.addListener((from, to, error) -> states.add(to));
        final int connections = 6;
        for (int i = 1; i <= connections; i++)
        {
            appendNumbered(primary, 1_000, 200);
            awaitCaughtUp(primary, replica);
            if (i < connections)
            {
                states.clear();
                primary.close();
                await("the replica to notice the primary is gone", WAIT,
                    () -> states.contains(ReplicaState.BACKOFF));
                primary = fixture.primary(fixture.primaryConfig().codec(Codec.ZSTD).listen(address));
            }
        }
        assertTrue(Compressors.openNativeContexts() - before <= 2,
            "one connection's contexts at most (the replica's decoder and the primary's encoder), " +
            (Compressors.openNativeContexts() - before) + " open after " + connections + " connections");
        replica.stop();
        primary.close();
        assertEquals(before, Compressors.openNativeContexts(), "every native context freed once all is closed");
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldReplicateWithEveryCodec(final Codec codec)
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().codec(codec));
        final Replica replica = fixture.replica("r1", primary.localAddress());
        final Random random = new Random(42);
        final byte[] text = "{\"symbol\":\"ACME\",\"side\":\"BUY\",\"qty\":100,\"price\":101.25}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20_000; i++)
        {
            if (i % 2 == 0)
            {
                primary.append(text);
            }
            else
            {
                final byte[] noise = new byte[1 + random.nextInt(300)];
                random.nextBytes(noise);
                primary.append(noise);
            }
        }
        awaitCaughtUp(primary, replica);
        replica.stop();
        primary.close();
        assertEquals(digest(fixture.dir("primary")), digest(fixture.dir("r1")));
    }

    @Test
    void shouldReplicateToAReplicaWhoseIdHasTheLongestLengthAllowed()
    {
        final String id = "r".repeat(HelloFlyweight.MAX_REPLICA_ID_LENGTH);
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica replica = fixture.replica(id, primary.localAddress());
        appendNumbered(primary, 1_000, 64);
        awaitCaughtUp(primary, replica);
        assertEquals(id, primary.status().replicas().getFirst().id());
        replica.stop();
        primary.close();
        assertEquals(digest(fixture.dir("primary")), digest(fixture.dir(id)));
    }

    /** Replica r1 holds offsets 0..9; the primary, reopened on the same port, only 0..4 (it lost 5..9). */
    private Primary primaryThatLostEntriesItsReplicaHas()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress address = primary.localAddress();
        final Replica replica = fixture.replica("r1", address);
        appendNumbered(primary, 10, 64);
        awaitCaughtUp(primary, replica);
        replica.stop();
        primary.close();
        try (Wal wal = Wal.open(new WalConfig().directory(fixture.dir("primary"))))
        {
            wal.truncateAfter(4).close(); // the primary lost entries 5..9 the replica has
        }
        return fixture.primary(fixture.primaryConfig().listen(address));
    }

    @Test
    void shouldRefuseAReplicaAskingForAFutureOffsetWithDiverged()
    {
        final InetSocketAddress address = primaryThatLostEntriesItsReplicaHas().localAddress();
        final Replica ahead = fixture.replica("r1", address);
        await("the replica to stop", WAIT, () -> ahead.state() == ReplicaState.STOPPED && ahead.lastError() != null);
        assertEquals(ErrorCode.DIVERGED, ahead.lastError().code(), ahead.lastError().getMessage());
        assertEquals(10, ahead.receivedOffset(), "nothing written");
    }

    /**
     * A primary that lost its tail (a power loss, a restore from an older copy) and appended other entries at the
     * same offsets has the same history id and the same head as its replica: the last-entry fingerprint in HELLO is
     * what tells them apart. The replica is refused with DIVERGED and keeps what it had, never mixing the two.
     */
    @Test
    void shouldRefuseAReplicaWhoseEntriesThePrimaryReplacedAtTheSameOffsets()
    {
        final Primary primary = primaryThatLostEntriesItsReplicaHas();
        final InetSocketAddress address = primary.localAddress();
        final byte[] other = new byte[64];
        java.util.Arrays.fill(other, (byte)0x5A);
        for (int i = 5; i < 10; i++)
        {
            primary.append(other); // and appended others at the same offsets: same history id, same head
        }
        final Replica mixed = fixture.replica("r1", address);
        await("the replica to stop", WAIT, () -> mixed.state() == ReplicaState.STOPPED && mixed.lastError() != null);
        assertEquals(ErrorCode.DIVERGED, mixed.lastError().code(), mixed.lastError().getMessage());
        assertEquals(10, mixed.receivedOffset(), "nothing written");
    }

    @Test
    void shouldStopAReplicaWhoseNextOffsetWasDeletedWithRetention()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final History history = History.create();
        try (Wal wal = Wal.open(new WalConfig().directory(fixture.dir("primary")).rollCycle("TEST_SECONDLY").cycleClock(clock)))
        {
            history.save(wal.directory());
            for (int cycle = 0; cycle < 3; cycle++)
            {
                for (int i = 0; i < 5; i++)
                {
                    wal.append(new byte[16]);
                }
                clock.advanceMillis(1000);
            }
            wal.retain(new RetentionPolicy(Duration.ZERO, 0), Long.MAX_VALUE, clock.currentTimeMillis());
            assertEquals(10, wal.oldestOffset());
        }
        try (Wal replicaWal = Wal.open(new WalConfig().directory(fixture.dir("r1"))))
        {
            history.save(replicaWal.directory());
            final MemorySegment payload = MemorySegment.ofArray(new byte[16]);
            replicaWal.appendAt(0, 1, dev.ferry.wal.Crc32c.compute(payload, 0, 16), payload);
        }
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica replica = fixture.replica("r1", primary.localAddress());
        await("the replica to stop", WAIT, () -> replica.state() == ReplicaState.STOPPED && replica.lastError() != null);
        assertEquals(ErrorCode.RETENTION, replica.lastError().code());
        assertTrue(replica.lastError().getMessage().contains("oldest retained offset is 10"), replica.lastError().getMessage());
    }

    @Test
    void shouldKeepHoldingRetentionForAnOfflineReplicaAcrossAPrimaryRestart()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        Primary primary = fixture.primary(secondlyRetention(clock));
        final InetSocketAddress address = primary.localAddress();
        leaveReplicaOfflineBehindThreeCycles(primary, clock);
        primary.close();

        primary = fixture.primary(secondlyRetention(clock).listen(address));
        final Primary restarted = primary;
        await("a retention pass", WAIT, () -> restarted.status().replicas().size() == 1);
        clock.advanceMillis(1000);
        appendNumbered(primary, 10, 16); // a new cycle: every older one is past maxAge
        await("a retention pass after the roll", WAIT, () -> restarted.status().oldest() >= 100);
        assertEquals(100, primary.status().oldest(),
            "cycles past maxAge are deleted only below the offline replica's saved position (100), not up to the head");
        final Replica again = fixture.replica("r1", address);
        awaitCaughtUp(primary, again);
        assertEquals(null, again.lastError());
    }

    /**
     * On a full disk the slot file cannot be saved; retention must still delete (deleting is what frees the disk),
     * below the floor the running primary knows. It used to give up on the failed save and never delete.
     */
    @Test
    void shouldStillDeleteWhenTheSlotFileCannotBeSaved() throws Exception
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final PrimaryConfig config = secondlyRetention(clock);
        final java.nio.file.Path walDir = config.wal().directory();
        java.nio.file.Files.createDirectories(walDir.resolve(SlotStore.FILE + ".tmp")); // every save now fails
        final Primary primary = fixture.primary(config);
        final Replica replica = fixture.replica("r1", primary.localAddress());
        for (int cycle = 0; cycle < 4; cycle++)
        {
            appendNumbered(primary, 100, 16);
            awaitCaughtUp(primary, replica);
            clock.advanceMillis(1000);
        }
        appendNumbered(primary, 10, 16);
        awaitCaughtUp(primary, replica);
        await("retention to delete the old cycles although the slot file cannot be saved", WAIT,
            () -> primary.status().oldest() >= 300);
    }

    /** Age 0 retention checked every 10 ms over one-second cycles driven by {@code clock}. */
    private PrimaryConfig secondlyRetention(final SetTimeProvider clock)
    {
        final PrimaryConfig config = fixture.primaryConfig()
            .retention(new RetentionPolicy(Duration.ZERO, 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(10));
        config.wal().rollCycle("TEST_SECONDLY").cycleClock(clock);
        return config;
    }

    /** Replica r1 takes offsets 0-99 and stops; three more cycles of 100 entries follow. */
    private void leaveReplicaOfflineBehindThreeCycles(final Primary primary, final SetTimeProvider clock)
    {
        final Replica first = fixture.replica("r1", primary.localAddress());
        appendNumbered(primary, 100, 16);
        awaitCaughtUp(primary, first);
        first.stop();
        for (int cycle = 0; cycle < 3; cycle++)
        {
            clock.advanceMillis(1000);
            appendNumbered(primary, 100, 16);
        }
    }

    @Test
    void shouldWakeABlockedSenderWithTheAppendItself() throws InterruptedException
    {
        // the sender blocks for up to ten minutes and heartbeats are ten minutes apart: nothing but the append's own
        // wake-up can send the entry within the minute each await allows, however loaded the machine
        final long tenMinutes = TimeUnit.MINUTES.toNanos(10);
        final Primary primary = fixture.primary(fixture.primaryConfig().idleStrategy("park")
            .idleBlockMs(TimeUnit.NANOSECONDS.toMillis(tenMinutes))
            .heartbeatIntervalNs(tenMinutes).replicaTimeoutNs(4 * tenMinutes));
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .heartbeatIntervalNs(tenMinutes).primaryTimeoutNs(4 * tenMinutes)));
        await("streaming", WAIT, () -> replica.state() == ReplicaState.STREAMING);
        for (int i = 0; i < 3; i++)
        {
            final long offset = primary.append(new byte[] {(byte)i});
            assertTrue(primary.awaitReplicated(offset, 1, AckLevel.RECEIVED, WAIT),
                "entry " + offset + " was not sent until something other than the append woke the sender");
        }
    }

    @Test
    void shouldSaveANewReplicasSlotAtOnceEvenWhenRetentionDeletesNothing()
    {
        final PrimaryConfig config = fixture.primaryConfig()
            .retention(new RetentionPolicy(Duration.ofHours(1), 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(10));
        final Primary primary = fixture.primary(config);
        final Replica replica = fixture.replica("r1", primary.localAddress());
        appendNumbered(primary, 10, 16);
        awaitCaughtUp(primary, replica);
        // the primary is still running: a crash now must not forget that r1 holds retention back
        final java.nio.file.Path slots = config.wal().directory().resolve(SlotStore.FILE);
        await("r1's slot on disk", WAIT, () ->
        {
            try
            {
                return java.nio.file.Files.exists(slots) && java.nio.file.Files.readString(slots).contains("r1=");
            }
            catch (final java.io.IOException ex)
            {
                return false; // being renamed into place: look again
            }
        });
    }

    @Test
    void shouldHaveSavedTheSlotsHoldingRetentionBackBeforeItDeletesAnything() throws Exception
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final PrimaryConfig config = secondlyRetention(clock);
        final Primary primary = fixture.primary(config);
        leaveReplicaOfflineBehindThreeCycles(primary, clock);
        await("retention up to the offline replica", WAIT, () -> primary.status().oldest() == 100);
        // the primary is still running: what a crash now would leave on disk must already hold r1 at 100
        final java.nio.file.Path slots = config.wal().directory().resolve(SlotStore.FILE);
        assertTrue(java.nio.file.Files.readString(slots).contains("r1=100"), java.nio.file.Files.readString(slots));
    }

    @Test
    void shouldLetAnOfflineReplicaGoOnceItIsFurtherBehindThanTheSlotCap()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final Primary primary = fixture.primary(secondlyRetention(clock).slotCapBytes(1_000));
        leaveReplicaOfflineBehindThreeCycles(primary, clock);
        await("retention past the capped slot", WAIT, () -> primary.status().oldest() == 300);
        assertTrue(primary.slot("r1").invalidated());
        final Replica again = fixture.replica("r1", primary.localAddress());
        await("the replica to stop", WAIT, () -> again.state() == ReplicaState.STOPPED && again.lastError() != null);
        assertEquals(ErrorCode.RETENTION, again.lastError().code());
    }

    @Test
    void shouldTellAListenerGivenInTheConfigEveryTransitionFromTheFirst()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final List<String> seen = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .listener((from, to, error) -> seen.add(from + "->" + to))));
        await("streaming", WAIT, () -> replica.state() == ReplicaState.STREAMING);
        assertEquals(List.of("STOPPED->CONNECTING", "CONNECTING->HANDSHAKING", "HANDSHAKING->STREAMING"), seen);
    }

    @Test
    void shouldSeedAnEmptyReplicaFromTheOldestRetainedOffset()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        try (Wal wal = Wal.open(new WalConfig().directory(fixture.dir("primary")).rollCycle("TEST_SECONDLY").cycleClock(clock)))
        {
            History.create().save(wal.directory());
            for (int cycle = 0; cycle < 3; cycle++)
            {
                for (int i = 0; i < 5; i++)
                {
                    wal.append(new byte[] {(byte)wal.nextOffset()});
                }
                clock.advanceMillis(1000);
            }
            wal.retain(new RetentionPolicy(Duration.ZERO, 0), Long.MAX_VALUE, clock.currentTimeMillis());
            assertEquals(10, wal.oldestOffset());
        }
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica replica = fixture.replica("r1", primary.localAddress());
        awaitCaughtUp(primary, replica);
        assertEquals(10, replica.wal().oldestOffset(), "an empty replica starts at the primary's oldest offset");
        appendNumbered(primary, 100, 16);
        awaitCaughtUp(primary, replica);
        replica.stop();
        primary.close();
        assertEquals(digest(fixture.dir("primary")), digest(fixture.dir("r1")));
    }

    @Test
    void shouldDropAConnectionSendingGarbageAndKeepServingTheOthers() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica replica = fixture.replica("r1", primary.localAddress());
        appendNumbered(primary, 1_000, 64);
        awaitCaughtUp(primary, replica);
        final Random random = new Random(7);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(primary.localAddress(), 2000);
                socket.setSoTimeout(10_000);
                final byte[] garbage = new byte[4096];
                random.nextBytes(garbage);
                if (attempt == 0)
                {
                    garbage[0] = 64; // a plausible length, then nonsense: fails the CRC
                    garbage[1] = 0;
                    garbage[2] = 0;
                    garbage[3] = 0;
                }
                final OutputStream out = socket.getOutputStream();
                try
                {
                    out.write(garbage);
                    out.flush();
                }
                catch (final IOException closedAlready)
                {
                    continue; // the primary may close before all of it is written
                }
                final InputStream in = socket.getInputStream();
                final byte[] reply = new byte[8192];
                int total = 0;
                int read;
                try
                {
                    while ((read = in.read(reply, total, reply.length - total)) > 0)
                    {
                        total += read;
                    }
                }
                catch (final IOException reset)
                {
                    read = -1; // connection reset: closed by the primary
                }
                assertEquals(-1, read, "the primary closed the connection");
            }
        }
        appendNumbered(primary, 1_000, 64);
        awaitCaughtUp(primary, replica);
        await("r1 streaming", WAIT, () -> replica.state() == ReplicaState.STREAMING); // a starved replica may reconnect
        assertNotNull(primary.slot("r1"));
    }
}
