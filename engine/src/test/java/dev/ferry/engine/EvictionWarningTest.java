package dev.ferry.engine;

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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Time to eviction, end to end: a replica that is away while the primary writes steadily is warned about (in the log
 * and its status) before it passes the slot cap and is given up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class EvictionWarningTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldWarnBeforeAReplicaFallsOutOfRetention()
    {
        final List<String> log = new CopyOnWriteArrayList<>();
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        final PrimaryConfig config = fixture.primaryConfig()
            .retention(new RetentionPolicy(Duration.ofSeconds(1), 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))
            .slotCapBytes(2L << 20)
            .evictionWarningMs(TimeUnit.HOURS.toMillis(1))
            .eventLog(line ->
            {
                log.add(line);
                ReplicationFixture.log(line);
            });
        config.wal().rollCycle("TEST_SECONDLY").cycleClock(clock);
        final Primary primary = fixture.primary(config);
        final Replica replica = fixture.replica("r1", primary.localAddress());
        final byte[] payload = new byte[1024];
        primary.append(payload);
        await("r1 streaming", Duration.ofSeconds(60), () -> replica.receivedOffset() == 1);
        replica.stop();

        boolean warned = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!primary.slot("r1").invalidated() && System.nanoTime() < deadline)
        {
            for (int i = 0; i < 50; i++)
            {
                primary.append(payload); // ~50 KB every 10 ms: the cap of 2 MB is passed in about 0.4 s
            }
            clock.advanceMillis(100);
            warned |= primary.status().replicas().getFirst().evictionWarning();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertTrue(primary.slot("r1").invalidated(), "r1 was given up");
        assertTrue(warned, "its status warned before");
        final int warning = indexOf(log, "WARNING: replica r1");
        final int evicted = indexOf(log, "replica r1 is");
        assertTrue(warning >= 0, "warned in the log: " + log);
        assertTrue(log.get(warning).contains("passes the slot cap"), log.get(warning));
        final int givenUp = indexOfAfter(log, "past the slot cap", 0);
        assertTrue(givenUp > warning, "the warning came before the eviction: " + log);
        assertTrue(evicted >= 0);
    }

    private static int indexOf(final List<String> log, final String text)
    {
        return indexOfAfter(log, text, 0);
    }

    private static int indexOfAfter(final List<String> log, final String text, final int from)
    {
        for (int i = from; i < log.size(); i++)
        {
            if (log.get(i).contains(text))
            {
                return i;
            }
        }
        return -1;
    }
}
