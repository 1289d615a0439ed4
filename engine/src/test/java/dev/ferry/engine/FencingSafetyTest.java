package dev.ferry.engine;

import dev.ferry.engine.history.Epoch;
import dev.ferry.engine.history.History;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Review: ways a healthy primary gets fenced by a node that is not of a newer epoch of its history. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class FencingSafetyTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    /** An empty replica's HELLO is not checked against the history id, but its epoch still fences the primary. */
    @Test
    void anEmptyReplicaOfAnotherHistoryMustNotFenceThePrimary() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        primary.append(new byte[] {1});
        final Path stranger = dir.resolve("stranger");
        Files.createDirectories(stranger);
        History.of(UUID.randomUUID(), List.of(new Epoch(0, 0, "x"), new Epoch(7, 0, "y"))).save(stranger);
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("stranger", primary.localAddress())
            .walDirectory(stranger)));
        await("the stranger connected and was answered", WAIT, () -> replica.lastError() != null ||
            replica.receivedOffset() >= 1 || primary.fenced());
        replica.stop();
        assertFalse(primary.fenced(), "a primary of history " + primary.history().id() + " fenced by an empty replica " +
            "of another history");
    }

    /** A promotion that fails after saving the new epoch leaves a node that fences the healthy old primary. */
    @Test
    void aFailedPromotionMustNotLeaveANodeThatFencesTheOldPrimary() throws Exception
    {
        final Primary p0 = fixture.primary(fixture.primaryConfig());
        final Replica r1 = fixture.track(Replica.start(fixture.replicaConfig("r1", p0.localAddress())));
        for (int i = 0; i < 10; i++)
        {
            p0.append(new byte[] {(byte)i});
        }
        await("r1 at 10", WAIT, () -> r1.receivedOffset() == 10);
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress busy = (InetSocketAddress)taken.getLocalSocketAddress();
            assertThrows(FerryException.class, () -> r1.promote(fixture.primaryConfig().walDirectory(dir.resolve("r1"))
                .listen(busy)), "the promotion fails: its listen address is taken");
        }
        // the operator gives up on the promotion and restarts r1 as a replica of the healthy primary
        final Replica again = fixture.track(Replica.start(fixture.replicaConfig("r1", p0.localAddress())));
        p0.append(new byte[] {42});
        await("r1 answered", WAIT, () -> again.lastError() != null || again.receivedOffset() == 11 || p0.fenced());
        again.stop();
        assertFalse(p0.fenced(), "the healthy primary was fenced by a node whose promotion failed (its epoch "
            + History.load(dir.resolve("r1")).epoch() + " was saved before Primary.open)");
    }
}
