package dev.ferry.engine;

import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.SyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Primary#awaitReplicated}: true once enough replicas have the offset at the asked level; a timeout is an
 * answer (false), not a loss.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class AwaitReplicatedTest
{
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Duration SHORT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    /** A replica whose WAL syncs every batch, so its DURABLE acks mean synced. */
    private Replica durableReplica(final String id, final InetSocketAddress primary)
    {
        final ReplicaConfig config = fixture.replicaConfig(id, primary);
        config.wal().syncPolicy(SyncPolicy.PER_BATCH);
        return fixture.track(Replica.start(config));
    }

    private static long append(final Primary primary, final int count)
    {
        long last = -1;
        for (int i = 0; i < count; i++)
        {
            last = primary.append(new byte[]{(byte)i, (byte)(i >> 8), 1, 2, 3, 4, 5, 6});
        }
        return last;
    }

    private static boolean awaitReplicated(final Primary primary, final long offset, final int min, final AckLevel level,
        final Duration timeout)
    {
        try
        {
            return primary.awaitReplicated(offset, min, level, timeout);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    @Test
    void shouldReturnTrueOnceEnoughReplicasHaveTheOffsetReceivedAndDurable() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress address = primary.localAddress();
        final Replica r1 = durableReplica("r1", address);
        final Replica r2 = durableReplica("r2", address);
        final long last = append(primary, 20_000);

        assertTrue(primary.awaitReplicated(last, 2, AckLevel.RECEIVED, LONG),
            () -> "r1 at " + r1.receivedOffset() + ", r2 at " + r2.receivedOffset());
        assertTrue(primary.awaitReplicated(last, 2, AckLevel.DURABLE, LONG),
            () -> "r1 durable " + r1.durableOffset() + ", r2 durable " + r2.durableOffset());
        assertTrue(primary.awaitReplicated(last, 2, AckLevel.APPLIED, LONG));

        for (final Replica replica : new Replica[]{r1, r2})
        {
            assertTrue(replica.receivedOffset() > last, replica.id());
            assertTrue(replica.wal().syncedOffset() >= last, () -> replica.id() + " synced its WAL up to " +
                replica.wal().syncedOffset() + " before acknowledging " + last + " as durable");
            final ReplicaSlot slot = primary.slot(replica.id());
            assertNotNull(slot, replica.id());
            assertTrue(slot.durableOffset() > last, replica.id());
        }
        // an offset already replicated answers at once, at every level, for fewer replicas too: with no time to wait
        // for an ack, so without timing the call
        for (final AckLevel level : AckLevel.values())
        {
            assertTrue(awaitReplicated(primary, 0, 1, level, Duration.ZERO), level + " answered with no time to wait");
        }
    }

    @Test
    void shouldWakeAWaiterWhenTheAckArrives() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final long last = append(primary, 1_000);
        final CompletableFuture<Boolean> waiter = new CompletableFuture<>();
        // the waiter would wait an hour: only the ack can end its wait within LONG, however loaded the machine
        final Thread thread = Thread.ofPlatform().name("await-durable").start(() ->
            waiter.complete(awaitReplicated(primary, last, 1, AckLevel.DURABLE, Duration.ofHours(1))));
        try
        {
            durableReplica("r1", primary.localAddress());
            assertTrue(waiter.get(LONG.toNanos(), TimeUnit.NANOSECONDS), "the waiter saw the replica's durable ack");
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError("the durable ack did not wake the waiter within " + LONG, ex);
        }
        finally
        {
            thread.interrupt(); // only a waiter that was never woken is still waiting
            thread.join();
        }
    }

    @Test
    void shouldReturnFalseOnTimeoutWithNoReplicasAndKeepTheEntry() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final long offset = append(primary, 1);
        for (final AckLevel level : AckLevel.values())
        {
            final long start = System.nanoTime();
            assertFalse(primary.awaitReplicated(offset, 1, level, SHORT), level + " with no replicas");
            final long elapsed = System.nanoTime() - start;
            // with no replica, only the timeout can end the wait: that it ended at all is the upper bound (the class
            // @Timeout fails a wait that does not), how long after SHORT is up to the machine's load
            assertTrue(elapsed >= SHORT.toNanos(), level + ": returned after " + elapsed + " ns, before the timeout");
        }
        assertEquals(offset + 1, primary.nextOffset(), "a timeout is not a loss");

        durableReplica("r1", primary.localAddress());
        assertTrue(primary.awaitReplicated(offset, 1, AckLevel.DURABLE, LONG), "the entry replicates after the timeout");
    }

    @Test
    void shouldReturnFalseWhenFewerReplicasThanAskedHaveIt() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica r1 = durableReplica("r1", primary.localAddress());
        final long last = append(primary, 1_000);
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.DURABLE, LONG), () -> "r1 at " + r1.durableOffset());
        for (final AckLevel level : AckLevel.values())
        {
            final long start = System.nanoTime();
            assertFalse(primary.awaitReplicated(last, 2, level, SHORT), level + ": 2 asked, 1 connected");
            assertTrue(System.nanoTime() - start >= SHORT.toNanos(), level + ": waited the whole timeout");
        }
    }

    @Test
    void shouldNotCountAnOffsetThatWasNotAppendedYet() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica r1 = durableReplica("r1", primary.localAddress());
        final long last = append(primary, 100);
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.RECEIVED, LONG));
        await("r1 to be caught up", LONG, () -> r1.receivedOffset() == primary.nextOffset());
        assertFalse(primary.awaitReplicated(last + 1, 1, AckLevel.RECEIVED, SHORT), "the head itself is not replicated");
        assertFalse(primary.awaitReplicated(last + 1_000, 1, AckLevel.DURABLE, SHORT), "far beyond the head");
    }
}
