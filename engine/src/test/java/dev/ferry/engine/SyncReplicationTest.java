package dev.ferry.engine;

import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Synchronous replication ({@link PrimaryConfig#syncReplicas(int)}): {@link Primary#append} returns only once enough
 * replicas have the entry at the configured level; a timeout or an interrupt is a {@code TIMEOUT} error naming the
 * offset, never a loss: the entry stays in the WAL and replicates once a replica connects.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class SyncReplicationTest
{
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Duration SHORT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    /** A replica whose WAL syncs every batch (DURABLE means synced) and applies key-value entries (APPLIED means applied). */
    private Replica replica(final String id, final InetSocketAddress primary)
    {
        final ReplicaConfig config = fixture.replicaConfig(id, primary).stateMachine(new KvStateMachine());
        config.wal().syncPolicy(SyncPolicy.PER_BATCH);
        return fixture.track(Replica.start(config));
    }

    private PrimaryConfig syncConfig(final int replicas, final AckLevel level, final Duration timeout)
    {
        return fixture.primaryConfig().syncReplicas(replicas).syncLevel(level).syncTimeout(timeout);
    }

    private static MemorySegment entry(final KvEntryWriter writer, final int i)
    {
        return writer.reset().put(0, "key-" + i, "value-" + i).entry();
    }

    @ParameterizedTest
    @EnumSource(AckLevel.class)
    void shouldReturnFromAppendOnlyOnceAReplicaHasTheEntryAtTheLevel(final AckLevel level)
    {
        final Primary primary = fixture.primary(syncConfig(1, level, LONG));
        replica("r1", primary.localAddress());
        final KvEntryWriter writer = new KvEntryWriter(64);
        for (int i = 0; i < 200; i++)
        {
            final long offset = primary.append(entry(writer, i));
            // read at once: an append that returned before the ack would find the slot short of it
            final ReplicaSlot slot = primary.slot("r1");
            assertNotNull(slot, "r1 acknowledged, so it has a slot");
            final long acked = slot.next(level);
            assertTrue(acked > offset, () -> level + ": append returned offset " + offset +
                " while r1 had only up to " + (acked - 1) + " at that level");
        }
        assertEquals(200, primary.nextOffset());
    }

    @Test
    void shouldWaitForEveryEntryOfABatchOfAppendsAsBytes()
    {
        final Primary primary = fixture.primary(syncConfig(1, AckLevel.RECEIVED, LONG));
        replica("r1", primary.localAddress());
        final KvEntryWriter writer = new KvEntryWriter(64);
        for (int i = 0; i < 50; i++)
        {
            final long offset = primary.append(entry(writer, i).toArray(ValueLayout.JAVA_BYTE));
            final ReplicaSlot slot = primary.slot("r1");
            assertNotNull(slot, "r1 acknowledged, so it has a slot");
            assertTrue(slot.receivedOffset() > offset, "append(byte[]) waited for offset " + offset);
        }
    }

    @Test
    void shouldThrowTimeoutWithTheEntryKeptInTheWalWhenNoReplicaHasIt() throws Exception
    {
        final Primary primary = fixture.primary(syncConfig(1, AckLevel.DURABLE, SHORT));
        final byte[] payload = entry(new KvEntryWriter(64), 7).toArray(ValueLayout.JAVA_BYTE);
        final long start = System.nanoTime();
        final FerryException ex = assertThrows(FerryException.class, () -> primary.append(payload));
        final long elapsed = System.nanoTime() - start;

        assertEquals(ErrorCode.TIMEOUT, ex.code(), ex::getMessage);
        for (final String mention : new String[] {"offset 0 ", "1 replica(s)", "DURABLE", "0 had it", "300 ms",
            "stays in the WAL"})
        {
            assertTrue(ex.getMessage().contains(mention), () -> "names '" + mention + "': " + ex.getMessage());
        }
        assertTrue(elapsed >= SHORT.toNanos(), "waited the whole timeout, returned after " + elapsed + " ns");
        assertEquals(1, primary.nextOffset(), "a timeout is not a loss: the entry is in the WAL");

        final Replica r1 = replica("r1", primary.localAddress());
        assertTrue(primary.awaitReplicated(0, 1, AckLevel.DURABLE, LONG), "the entry replicates after the timeout");
        ReplicationFixture.await("r1 to hold offset 0", LONG, () -> r1.wal().nextOffset() == 1);
        assertArrayEquals(payload, read(r1.wal(), 0), "r1 holds the entry that timed out");
        assertEquals(1, primary.append(payload), "with r1 connected, the next append returns");
    }

    @Test
    void shouldNameHowManyReplicasHadTheEntryWhenTooFewHaveIt() throws Exception
    {
        final Primary primary = fixture.primary(syncConfig(2, AckLevel.RECEIVED, SHORT));
        replica("r1", primary.localAddress());
        final KvEntryWriter writer = new KvEntryWriter(64);
        final FerryException ex = assertThrows(FerryException.class, () -> primary.append(entry(writer, 0)));
        assertEquals(ErrorCode.TIMEOUT, ex.code(), ex::getMessage);
        assertTrue(ex.getMessage().contains("offset 0 is not on 2 replica(s) at RECEIVED"), ex::getMessage);
        // r1 may have received it a moment after the wait gave up: 0 or 1 had it, never more
        assertTrue(ex.getMessage().contains(" had it (1 connected)"), ex::getMessage);
        assertTrue(primary.awaitReplicated(0, 1, AckLevel.RECEIVED, LONG), "r1 has it");
    }

    @Test
    void shouldRestoreTheInterruptAndThrowWhenInterruptedWhileWaiting() throws Exception
    {
        final Primary primary = fixture.primary(syncConfig(1, AckLevel.RECEIVED, Duration.ofHours(1)));
        final byte[] payload = entry(new KvEntryWriter(64), 1).toArray(ValueLayout.JAVA_BYTE);
        final CompletableFuture<FerryException> thrown = new CompletableFuture<>();
        final AtomicBoolean interruptedAfter = new AtomicBoolean();
        final Thread appender = Thread.ofPlatform().name("sync-append").start(() ->
        {
            try
            {
                primary.append(payload);
                thrown.complete(null);
            }
            catch (final FerryException ex)
            {
                interruptedAfter.set(Thread.currentThread().isInterrupted());
                thrown.complete(ex);
            }
        });
        try
        {
            // only the interrupt can end a wait of an hour with no replica
            ReplicationFixture.await("the entry to be appended", LONG, () -> primary.nextOffset() == 1);
            appender.interrupt();
            final FerryException ex = thrown.get(LONG.toNanos(), TimeUnit.NANOSECONDS);
            assertNotNull(ex, "append returned with no replica");
            assertEquals(ErrorCode.TIMEOUT, ex.code(), ex::getMessage);
            assertTrue(ex.getMessage().contains("offset 0 ") && ex.getMessage().contains("interrupted"), ex::getMessage);
            assertTrue(ex.getCause() instanceof InterruptedException, "the cause is the interrupt");
            assertTrue(interruptedAfter.get(), "the interrupt flag is set again");
        }
        finally
        {
            appender.interrupt();
            appender.join();
        }
        assertEquals(1, primary.nextOffset(), "the entry is in the WAL");
        replica("r1", primary.localAddress());
        assertTrue(primary.awaitReplicated(0, 1, AckLevel.RECEIVED, LONG), "and replicates");
    }

    @Test
    void shouldRejectABadSyncSettingWithConfiguration()
    {
        assertRejected(fixture.primaryConfig().syncReplicas(-1), "syncReplicas");
        assertRejected(fixture.primaryConfig().syncReplicas(PrimaryConfig.SYNC_REPLICAS_MAX + 1), "syncReplicas");
        assertRejected(fixture.primaryConfig().syncLevel(AckLevel.APPLIED), "syncLevel");
        assertRejected(fixture.primaryConfig().syncReplicas(1).syncTimeout(Duration.ZERO), "syncTimeout");
        assertRejected(fixture.primaryConfig().syncReplicas(1).syncTimeout(Duration.ofMillis(-1)), "syncTimeout");

        final PrimaryConfig defaults = fixture.primaryConfig().conclude();
        assertEquals(0, defaults.syncReplicas(), "asynchronous by default");
        assertEquals(Duration.ofSeconds(10), defaults.syncTimeout());
        assertEquals(AckLevel.DURABLE, fixture.primaryConfig().syncReplicas(1).conclude().syncLevel(),
            "K alone waits for DURABLE");
        assertEquals(PrimaryConfig.SYNC_REPLICAS_MAX,
            fixture.primaryConfig().syncReplicas(PrimaryConfig.SYNC_REPLICAS_MAX).conclude().syncReplicas());
    }

    private static void assertRejected(final PrimaryConfig config, final String setting)
    {
        final FerryException ex = assertThrows(FerryException.class, config::conclude);
        assertEquals(ErrorCode.CONFIGURATION, ex.code(), ex::getMessage);
        assertTrue(ex.getMessage().contains(setting), () -> "names " + setting + ": " + ex.getMessage());
    }

    @Test
    void shouldNeitherWaitNorFailWhenAsynchronous()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().syncTimeout(Duration.ofMillis(1)));
        for (int i = 0; i < 100; i++)
        {
            assertEquals(i, primary.append(new byte[] {1, 2, 3}), "no replica, and no TIMEOUT: append never waited");
        }
    }

    private static byte[] read(final Wal wal, final long offset)
    {
        try (Wal view = Wal.open(new WalConfig().directory(wal.directory()).readOnly(true));
             WalCursor cursor = view.cursor())
        {
            cursor.seek(offset);
            final byte[][] payload = {null};
            cursor.poll(e ->
            {
                payload[0] = e.payload().toArray(ValueLayout.JAVA_BYTE);
                return true;
            }, 1);
            return payload[0];
        }
    }
}
