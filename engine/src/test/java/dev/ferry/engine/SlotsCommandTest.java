package dev.ferry.engine;

import dev.ferry.engine.cli.CliRun;
import dev.ferry.error.ErrorCode;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.RetentionPolicy;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry slots} (issue 18, point 2): a primary's slots listed with where each holds the WAL and how much; a
 * disconnected replica's slot dropped, and the retention it held released; a connected one's, or an unknown one,
 * refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class SlotsCommandTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldListSlotsAndDropOneReleasingItsRetention()
    {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final PrimaryConfig config = fixture.primaryConfig()
            .retention(new RetentionPolicy(Duration.ofSeconds(1), 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(20));
        config.wal().rollCycle("TEST_SECONDLY").cycleClock(clock);
        final Primary primary = fixture.primary(config);
        final Replica r1 = fixture.replica("r1", primary.localAddress());
        final Replica r2 = fixture.replica("r2", primary.localAddress());
        primary.append(new byte[100]);
        await("r1 and r2 at 1", WAIT, () -> r1.durableOffset() == 1 && r2.durableOffset() == 1);
        r1.stop();
        for (int cycle = 0; cycle < 3; cycle++)
        {
            clock.advanceMillis(1_000);
            for (int i = 0; i < 10; i++)
            {
                primary.append(new byte[100]);
            }
        }
        await("r2 at 31", WAIT, () -> r2.durableOffset() == 31);
        assertEquals(0, primary.status().oldest(), "r1's slot holds the WAL from its position");
        final String address = "127.0.0.1:" + primary.localAddress().getPort();
        final String secret = fixture.secretFile().toString();

        final CliRun.Run list = CliRun.ferry("slots", "--primary", address, "--secret-file", secret);
        assertEquals(0, list.exit(), list::toString);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("r1") && l.contains("DISCONNECTED")), list::toString);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("r2") && l.contains("STREAMING")), list::toString);
        final CliRun.Run json = CliRun.ferry("slots", "--primary", address, "--secret-file", secret, "--json");
        assertTrue(json.out().contains("\"id\":\"r1\",\"state\":\"DISCONNECTED\",\"position\":1,\"heldEntries\":30"),
            json::toString);

        final CliRun.Run connected = CliRun.ferry("slots", "--primary", address, "--secret-file", secret, "--drop", "r2");
        assertNotEquals(0, connected.exit());
        assertTrue(connected.err().contains(ErrorCode.CONFIGURATION.name()) && connected.err().contains("connected"),
            connected::toString);
        final CliRun.Run unknown = CliRun.ferry("slots", "--primary", address, "--secret-file", secret, "--drop", "r9");
        assertNotEquals(0, unknown.exit());
        assertTrue(unknown.err().contains("no slot"), unknown::toString);

        final CliRun.Run dropped = CliRun.ferry("slots", "--primary", address, "--secret-file", secret, "--drop", "r1");
        assertEquals(0, dropped.exit(), dropped::toString);
        assertTrue(dropped.out().contains("\"dropped\":\"r1\""), dropped::toString);
        assertTrue(primary.status().replicas().stream().noneMatch(r -> r.id().equals("r1")), "r1's slot is gone");
        clock.advanceMillis(1_000);
        primary.append(new byte[100]);
        await("retention released: the WAL no longer starts at 0", WAIT, () -> primary.status().oldest() > 0);
    }
}
