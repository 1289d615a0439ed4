package dev.ferry.engine;

import dev.ferry.engine.archive.WalViews;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entries damaged in flight inside a frame that is whole (a bit flipped before the frame was sealed: what a frame
 * checksum cannot see) are found by each entry's CRC32C on the replica, asked again with a NACK, and never written:
 * the replica ends equal to the primary, and counts each CRC failure, its error code and its NACK in its metrics.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class DamagedInFlightTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static long sample(final String metrics, final String line)
    {
        return metrics.lines().filter(l -> l.startsWith(line + " ")).mapToLong(l -> (long)Double.parseDouble(
            l.substring(line.length() + 1).trim())).findFirst().orElse(-1);
    }

    @Test
    void aDamagedEntryIsAskedAgainCountedAndNeverWritten() throws Exception
    {
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        final Primary primary = fixture.primary(fixture.primaryConfig().auditEntriesPerSec(0));
        try (CorruptingProxy proxy = new CorruptingProxy(primary.localAddress(), 2))
        {
            final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", proxy.address())
                .metrics(any)));
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < 50; i++)
                {
                    primary.append(("entry " + round + "/" + i).getBytes());
                }
                final long head = primary.nextOffset();
                ReplicationFixture.await("the replica at " + head, WAIT, () -> replica.durableOffset() == head);
            }
            assertEquals(2, proxy.corrupted(), "two batches damaged in flight");
            assertEquals(WalViews.digest(fixture.dir("primary"), -1, -1), WalViews.digest(fixture.dir("r1"), -1, -1));
            final String metrics;
            try (HttpClient http = HttpClient.newHttpClient())
            {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                    replica.metricsAddress().getPort() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            }
            assertEquals(2, sample(metrics, "ferry_replica_crc_failures_total"), metrics);
            assertEquals(2, sample(metrics, "ferry_replica_errors_total{code=\"CHECKSUM\"}"), metrics);
            assertTrue(sample(metrics, "ferry_replica_nacks_total") >= 2, metrics);
            assertEquals(0, sample(metrics, "ferry_replica_reconnects_total"), "asked again, not reconnected: " + metrics);
        }
    }
}
