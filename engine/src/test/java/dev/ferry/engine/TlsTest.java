package dev.ferry.engine;

import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.tls.TestCertificates;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on the replication port (issue 15, finding 2): replication and status run inside it with the secret still
 * required, and a peer in the other mode gets a clear error on both sides, at once, and is retried rather than
 * stopped (what a TLS handshake concludes before the primary proved itself could be forged).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class TlsTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private TestCertificates certificates;

    @BeforeEach
    void certificates() throws IOException
    {
        certificates = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
    }

    @Test
    void shouldReplicateAndAnswerStatusOverTlsWithTheSecretStillRequired()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().tls(certificates.serverConfig()));
        final Replica replica = fixture.track(Replica.start(
            fixture.replicaConfig("r1", primary.localAddress()).tls(certificates.clientConfig())));
        for (int i = 0; i < 1000; i++)
        {
            primary.append(("entry " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        await("r1 to receive everything over TLS", WAIT, () -> replica.receivedOffset() == 1000);
        assertEquals(ReplicationFixture.digest(fixture.dir("primary")), ReplicationFixture.digest(fixture.dir("r1")));

        final String json = StatusClient.requestJson(primary.localAddress(), WAIT, Secret.load(fixture.secretFile()),
            certificates.clientConfig());
        assertTrue(json.contains("\"head\":1000"), json);
        final FerryException noSecret = assertThrows(FerryException.class,
            () -> StatusClient.requestJson(primary.localAddress(), WAIT, Secret.NONE, certificates.clientConfig()));
        assertEquals(ErrorCode.AUTHENTICATION, noSecret.code(), noSecret.getMessage());
    }

    @Test
    void shouldTellAPlaintextReplicaOnATlsPortAndRetryIt()
    {
        final List<String> log = new CopyOnWriteArrayList<>();
        final Primary primary = fixture.primary(fixture.primaryConfig().tls(certificates.serverConfig()).eventLog(log::add));
        final AtomicInteger attempts = attempts();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("plain", primary.localAddress())
            .backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50)).listener(counting(attempts))));
        await("two refused attempts", WAIT, () -> attempts.get() >= 2 && replica.lastError() != null);
        assertEquals(ErrorCode.CONFIGURATION, replica.lastError().code(), replica.lastError().getMessage());
        assertTrue(replica.lastError().getMessage().contains("--tls-ca"), replica.lastError().getMessage());
        assertNotEquals(ReplicaState.STOPPED, replica.state());
        await("the primary to say so too", WAIT, () -> log.stream().anyMatch(l -> l.contains("plaintext client")));
        assertNull(primary.slot("plain"));
    }

    @Test
    void shouldTellATlsReplicaOnAPlaintextPortAndRetryIt()
    {
        final List<String> log = new CopyOnWriteArrayList<>();
        final Primary primary = fixture.primary(fixture.primaryConfig().eventLog(log::add));
        final AtomicInteger attempts = attempts();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("tls", primary.localAddress())
            .tls(certificates.clientConfig()).backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50)).listener(counting(attempts))));
        await("two refused attempts", WAIT, () -> attempts.get() >= 2 && replica.lastError() != null);
        assertEquals(ErrorCode.CONFIGURATION, replica.lastError().code(), replica.lastError().getMessage());
        assertTrue(replica.lastError().getMessage().contains("TLS"), replica.lastError().getMessage());
        assertNotEquals(ReplicaState.STOPPED, replica.state());
        await("the primary to say so too", WAIT, () -> log.stream().anyMatch(l -> l.contains("TLS client")));
        assertNull(primary.slot("tls"));
    }

    @Test
    void shouldNotFollowAPrimaryWhoseCertificateItsCaDidNotSign() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().tls(certificates.serverConfig()));
        primary.append(new byte[8]);
        final AtomicInteger attempts = attempts();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .tls(certificates.clientConfig().ca(certificates.otherCaCert()))
            .backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50)).listener(counting(attempts))));
        await("two refused attempts", WAIT, () -> attempts.get() >= 2 && replica.lastError() != null);
        assertEquals(ErrorCode.CONFIGURATION, replica.lastError().code(), replica.lastError().getMessage());
        assertEquals(0, replica.receivedOffset(), "nothing from a primary it cannot trust");
    }

    private static AtomicInteger attempts()
    {
        return new AtomicInteger();
    }

    private static ReplicaListener counting(final AtomicInteger attempts)
    {
        return (from, to, error) ->
        {
            if (to == ReplicaState.CONNECTING)
            {
                attempts.incrementAndGet();
            }
        };
    }
}
