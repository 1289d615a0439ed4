package dev.ferry.engine;

import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.WalBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background audit (issue 18 part 4) end to end, a primary and a replica on loopback: a clean pass reports no
 * mismatch; a byte changed on the replica's disk, in an entry older than the tail the replica checks at start, is
 * reported in the primary's status at exactly that entry's offset, while replication goes on; and the audit keeps to
 * its pace (an upper bound from the configured rate and the time elapsed, never a timing assertion).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class AuditTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int DAMAGED = 1234;

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static byte[] payload(final int i)
    {
        return ("audit-entry-" + i + (i == DAMAGED ? "-the-marker" : "") + "-" + "q".repeat(i % 17))
            .getBytes(StandardCharsets.UTF_8);
    }

    private static ReplicaStatus r1(final Primary primary)
    {
        return primary.status().replicas().stream().filter(r -> r.id().equals("r1")).findFirst().orElse(null);
    }

    @Test
    void shouldReportAByteChangedOnAReplicasDiskAtItsOffset() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().auditEntriesPerSec(100_000));
        // the replica checks only its newest 100 entries at start: the damaged one is for the audit to find
        final ReplicaConfig config = fixture.replicaConfig("r1", primary.localAddress()).verifyTailEntries(100);
        final Replica first = fixture.track(Replica.start(config));
        for (int i = 0; i < 3000; i++)
        {
            primary.append(payload(i));
        }
        await("r1 durable at 3000", WAIT, () -> first.durableOffset() == 3000);
        await(() -> "a whole clean pass: " + r1(primary), WAIT, () -> r1(primary).auditedEntries() >= 3000);
        final ReplicaStatus clean = r1(primary);
        assertTrue(clean.audits() > 0, clean.toString());
        assertEquals(0, clean.auditMismatches(), clean.toString());
        assertEquals(-1, clean.firstMismatchOffset(), clean.toString());
        assertTrue(clean.lastAuditMillisAgo() >= 0, clean.toString());
        first.stop();

        WalBytes.flip(dir.resolve("r1"), payload(DAMAGED), 5, 0x20);
        final Replica back = fixture.track(Replica.start(config));
        await(() -> "the mismatch reported: " + r1(primary), WAIT, () -> r1(primary).auditMismatches() > 0);
        final ReplicaStatus found = r1(primary);
        assertEquals(DAMAGED, found.firstMismatchOffset(), found.toString());
        // the audit goes on (its next offset wraps to 0 at each new pass, which at this pace is every few ms)
        assertTrue(found.auditedEntries() > 0 && found.audits() > 0, found.toString());

        // reported, not acted on: the replica streams on
        for (int i = 3000; i < 3100; i++)
        {
            primary.append(payload(i));
        }
        await("r1 at 3100", WAIT, () -> back.receivedOffset() == 3100);
        assertEquals(DAMAGED, r1(primary).firstMismatchOffset());
        // audit answers hold back neither side's heartbeats
        await(() -> "heartbeats while audited: " + r1(primary), WAIT, () -> r1(primary).lastHeartbeatMsAgo() < 1000 &&
            back.primaryHead() == 3100);
        final String json = dev.ferry.engine.status.StatusJson.write(primary.status());
        assertTrue(json.contains("\"firstMismatchOffset\":" + DAMAGED), json);
    }

    @Test
    void shouldKeepToItsPace()
    {
        final long rate = 200;
        final long startNs = System.nanoTime();
        final Primary primary = fixture.primary(fixture.primaryConfig().auditEntriesPerSec(rate));
        final Replica replica = fixture.replica("r1", primary.localAddress());
        for (int i = 0; i < 20_000; i++)
        {
            primary.append(payload(i));
        }
        await("r1 durable at 20000", WAIT, () -> replica.durableOffset() == 20_000);
        await(() -> "an audit: " + r1(primary), WAIT, () -> r1(primary).audits() >= 3);
        final ReplicaStatus status = r1(primary);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        // one burst (a second's worth) per session, then the rate: however slow this machine, never more
        final double bound = rate + rate * seconds;
        assertTrue(status.auditedEntries() <= bound, status.auditedEntries() + " entries audited in " + seconds +
            " s at " + rate + "/s: more than " + bound);
        assertEquals(0, status.auditMismatches());
    }

    @Test
    void shouldNotAuditWhenTheRateIsZero()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().auditEntriesPerSec(0));
        final Replica replica = fixture.replica("r1", primary.localAddress());
        for (int i = 0; i < 1000; i++)
        {
            primary.append(payload(i));
        }
        await("r1 durable at 1000", WAIT, () -> replica.durableOffset() == 1000);
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // an audit at 10,000/s would have begun
        assertEquals(0, r1(primary).audits());
        assertEquals(0, r1(primary).auditedEntries());
    }
}
