package dev.ferry.engine;

import dev.ferry.engine.cli.CliRun;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.RetentionPolicy;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slot held by a process that is not a replica ({@code HOLD_SLOT_REQUEST}, {@link StatusClient#holdSlot}: the
 * archive shipper): it holds the primary's retention at the offset it names, moves with it, is listed with its lag,
 * gives way past the slot cap, is refused to a wrong secret and for the id of a connected replica, counts for no wait
 * for replicas, and is taken over by a replica of its id.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class HoldSlotTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Retention passes in which a held slot must keep the WAL: 25 of 20 ms. */
    private static final long PASSES_MS = 500;

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    /**
     * One roll cycle a second of a clock a minute behind: every cycle but the current one is past {@code maxAge} at
     * once, so that retention deletes all it may on its next pass (every 20 ms).
     */
    private final SetTimeProvider clock = new SetTimeProvider((System.currentTimeMillis() - 60_000) * 1_000_000L);

    private PrimaryConfig retainingLittle()
    {
        final PrimaryConfig config = fixture.primaryConfig()
            .retention(new RetentionPolicy(Duration.ofSeconds(1), 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(20));
        config.wal().rollCycle("TEST_SECONDLY").cycleClock(clock);
        return config;
    }

    /** Four cycles of ten 100-byte entries: offsets 0-9, 10-19, 20-29, 30-39 (the current cycle). */
    private void appendFourCycles(final Primary primary)
    {
        for (int cycle = 0; cycle < 4; cycle++)
        {
            if (cycle > 0)
            {
                clock.advanceMillis(1_000);
            }
            for (int i = 0; i < 10; i++)
            {
                primary.append(new byte[100]);
            }
        }
    }

    private String hold(final Primary primary, final String id, final long nextOffset)
    {
        return StatusClient.holdSlot(primary.localAddress(), WAIT, Secret.load(fixture.secretFile()), null, id,
            nextOffset);
    }

    private static ReplicaStatus slot(final Primary primary, final String id)
    {
        return primary.status().replicas().stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    /** Lets retention run {@link #PASSES_MS}, checking after each pass-length that it never passed {@code floor}. */
    private static void assertOldestStaysAtOrBelow(final Primary primary, final long floor, final long expected)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PASSES_MS);
        while (System.nanoTime() < end)
        {
            assertTrue(primary.status().oldest() <= floor, () -> "oldest " + primary.status().oldest() +
                " passed the held offset " + floor);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertEquals(expected, primary.status().oldest());
    }

    @Test
    void shouldHoldRetentionAtTheHeldOffsetAndReleaseItAsTheHolderMovesOn()
    {
        final Primary primary = fixture.primary(retainingLittle());
        assertEquals("{\"held\":\"archive\",\"from\":0,\"head\":0,\"oldest\":0}", hold(primary, "archive", 0));
        appendFourCycles(primary);
        assertEquals("{\"held\":\"archive\",\"from\":5,\"head\":40,\"oldest\":0}", hold(primary, "archive", 5));
        assertOldestStaysAtOrBelow(primary, 5, 0);

        final ReplicaStatus held = slot(primary, "archive");
        assertEquals(SlotState.DISCONNECTED, held.state());
        assertEquals(5, held.received());
        assertEquals(5, held.durable());
        assertEquals(5, held.applied());
        assertEquals(35, held.lagEntries(), "head - position");
        assertEquals(35 * 116, held.lagBytes(), "35 entries of 100 bytes and a 16-byte entry header, as sent");
        assertTrue(held.lagMillis() >= 0, "the age of entry 5: " + held.lagMillis());
        assertTrue(held.lastHeartbeatMsAgo() >= 0 && held.lastHeartbeatMsAgo() < WAIT.toMillis(),
            "last seen when it held: " + held.lastHeartbeatMsAgo());
        assertFalse(held.released());
        assertTrue(held.held(), "status says the slot is held by a holder, not a replica");

        final String json = StatusClient.requestJson(primary.localAddress(), WAIT, Secret.load(fixture.secretFile()));
        assertTrue(json.contains("{\"id\":\"archive\",\"remote\":\"\",\"state\":\"DISCONNECTED\",\"received\":5," +
            "\"durable\":5,\"syncs\":true,\"applied\":5,\"lagEntries\":35,\"lagBytes\":4060,"), json);
        final CliRun.Run slots = CliRun.ferry("slots", "--primary", "127.0.0.1:" + primary.localAddress().getPort(),
            "--secret-file", fixture.secretFile().toString(), "--json");
        assertEquals(0, slots.exit(), slots::toString);
        assertTrue(slots.out().contains("\"id\":\"archive\",\"state\":\"DISCONNECTED\",\"position\":5," +
            "\"heldEntries\":35,\"heldBytes\":4060"), slots::toString);
        assertTrue(slots.out().contains("\"kind\":\"holder\""), slots::toString);
        final CliRun.Run text = CliRun.ferry("slots", "--primary", "127.0.0.1:" + primary.localAddress().getPort(),
            "--secret-file", fixture.secretFile().toString());
        assertTrue(text.out().lines().anyMatch(line -> line.startsWith("archive ") && line.contains(" holder ")),
            text::toString);

        // forward: the cycles wholly below 25 go, the one holding 25 stays
        assertEquals("{\"held\":\"archive\",\"from\":25,\"head\":40,\"oldest\":0}", hold(primary, "archive", 25));
        await("retention up to the held offset", WAIT, () -> primary.status().oldest() == 20);
        assertOldestStaysAtOrBelow(primary, 25, 20);

        // back, but not below what is retained
        final FerryException gone = assertThrows(FerryException.class, () -> hold(primary, "archive", 19));
        assertEquals(ErrorCode.RETENTION, gone.code(), gone.getMessage());
        assertTrue(gone.getMessage().contains("oldest offset retained is 20"), gone.getMessage());
        assertEquals(25, slot(primary, "archive").durable(), "a refused move leaves the slot where it was");
        assertEquals("{\"held\":\"archive\",\"from\":20,\"head\":40,\"oldest\":20}", hold(primary, "archive", 20));
        assertEquals(20, slot(primary, "archive").durable());

        // beyond the head: held at the head
        assertEquals("{\"held\":\"archive\",\"from\":40,\"head\":40,\"oldest\":20}", hold(primary, "archive", 1_000));
        await("retention up to the current cycle", WAIT, () -> primary.status().oldest() == 30);
        assertEquals(0, slot(primary, "archive").lagEntries());
        assertTrue(Files.exists(fixture.dir("primary").resolve(dev.ferry.engine.serve.SlotStore.FILE)));
    }

    @Test
    void shouldSaveAHeldSlotAtOnceSoThatARestartKeepsHoldingTheWal() throws Exception
    {
        // no retention at first: nothing but the hold itself saves the slots
        final PrimaryConfig config = retainingLittle().retention(RetentionPolicy.KEEP_ALL);
        final Primary first = fixture.primary(config);
        appendFourCycles(first);
        final Path slots = fixture.dir("primary").resolve(dev.ferry.engine.serve.SlotStore.FILE);
        hold(first, "archive", 12);
        assertTrue(Files.readString(slots).contains("archive=12"), "saved at once: " + Files.readString(slots));
        hold(first, "archive", 15);
        assertTrue(Files.readString(slots).contains("archive=15"), "saved at once: " + Files.readString(slots));
        final java.net.InetSocketAddress address = first.localAddress();
        first.close();

        final Primary restarted = fixture.primary(retainingLittle().listen(address));
        clock.advanceMillis(1_000);
        restarted.append(new byte[100]);
        await("retention after the restart", WAIT, () -> restarted.status().oldest() == 10);
        assertOldestStaysAtOrBelow(restarted, 15, 10);
        assertEquals(15, slot(restarted, "archive").durable());
    }

    @Test
    void shouldGiveAHeldSlotUpPastTheSlotCapAndHoldItAgainWhenMoved()
    {
        final Primary primary = fixture.primary(retainingLittle().slotCapBytes(2_000));
        hold(primary, "archive", 0);
        appendFourCycles(primary);
        // the holder reports again: 40 entries of 116 bytes behind, past the cap of 2000
        hold(primary, "archive", 0);
        await("the held slot given up past its cap, and retention past it", WAIT,
            () -> slot(primary, "archive").released() && primary.status().oldest() == 30);

        hold(primary, "archive", 35);
        assertFalse(slot(primary, "archive").released(), "held again where the WAL still is");
        assertEquals(5, slot(primary, "archive").lagEntries());
        clock.advanceMillis(1_000);
        primary.append(new byte[100]);
        assertOldestStaysAtOrBelow(primary, 35, 30);
    }

    @Test
    void shouldRefuseAWrongSecretAndCreateNoSlot()
    {
        final Primary primary = fixture.primary(retainingLittle());
        final Path other = dir.resolve("other-secret");
        Secret.generate(other);
        final FerryException refused = assertThrows(FerryException.class, () -> StatusClient.holdSlot(
            primary.localAddress(), WAIT, Secret.load(other), null, "archive", 0));
        assertEquals(ErrorCode.AUTHENTICATION, refused.code(), refused.getMessage());
        final FerryException anonymous = assertThrows(FerryException.class, () -> StatusClient.holdSlot(
            primary.localAddress(), WAIT, Secret.NONE, null, "archive", 0));
        assertEquals(ErrorCode.AUTHENTICATION, anonymous.code(), anonymous.getMessage());
        assertNull(primary.slot("archive"), "an unauthenticated request holds nothing");

        assertThrows(IllegalArgumentException.class, () -> hold(primary, "archive", -1));
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class,
            () -> hold(primary, "no/slash", 0)).code());
    }

    @Test
    void shouldRefuseTheIdOfAConnectedReplicaAndLetAReplicaTakeAHeldSlotOver() throws InterruptedException
    {
        final Primary primary = fixture.primary(retainingLittle());
        final Replica r1 = fixture.replica("r1", primary.localAddress());
        primary.append(new byte[100]);
        await("r1 at 1", WAIT, () -> r1.durableOffset() == 1 && primary.slot("r1").durableOffset() == 1);

        final FerryException refused = assertThrows(FerryException.class, () -> hold(primary, "r1", 0));
        assertEquals(ErrorCode.CONFIGURATION, refused.code(), refused.getMessage());
        assertTrue(refused.getMessage().contains("a replica named r1 is connected"), refused.getMessage());
        assertEquals(1, primary.slot("r1").durableOffset(), "the replica's slot is untouched");
        assertEquals(SlotState.STREAMING, primary.slot("r1").state());

        // a held slot is no replica: a wait for one replica is not met by it
        r1.stop();
        await("r1 disconnected", WAIT, () -> primary.slot("r1").state() == SlotState.DISCONNECTED);
        hold(primary, "archive", 1);
        primary.append(new byte[100]);
        hold(primary, "archive", 2);
        assertFalse(primary.awaitReplicated(1, 1, AckLevel.RECEIVED, Duration.ofMillis(100)),
            "offset 1 is on no replica: the archive's slot is past it, r1's is not");
        assertEquals(2, slot(primary, "archive").durable());

        // a replica of a held slot's id takes it over, as a returning replica does
        final Replica archive = fixture.replica("archive", primary.localAddress());
        await("the replica named archive streaming and caught up", WAIT,
            () -> primary.slot("archive").state() == SlotState.STREAMING && archive.durableOffset() == 2 &&
                primary.slot("archive").durableOffset() == 2);
        assertFalse(primary.slot("archive").held());
        assertFalse(slot(primary, "archive").held(), "status says a replica has it now");
        assertTrue(primary.awaitReplicated(1, 1, AckLevel.DURABLE, WAIT), "now a replica has it");
        final FerryException taken = assertThrows(FerryException.class, () -> hold(primary, "archive", 2));
        assertEquals(ErrorCode.CONFIGURATION, taken.code(), taken.getMessage());
    }
}
