package dev.ferry.engine;

import dev.ferry.engine.cli.CliRun;
import dev.ferry.error.ErrorCode;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry promote --replica HOST:PORT}: a replica serving on {@code --serve} is promoted over the network,
 * authenticated by its secret, and listens there as the primary of the next epoch; a wrong secret promotes nothing;
 * a replica's HELLO on that port is refused clearly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class PromoteCommandTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static CliRun.Run ferry(final String... args)
    {
        return CliRun.ferry(args);
    }

    private static InetSocketAddress freeAddress() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }

    @Test
    void shouldPromoteAReplicaOverItsServePortAndFollowItThere() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress serve = freeAddress();
        final Replica r1 = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress()).serve(serve)
            .promotedConfig(() -> fixture.primaryConfig().eventLog(ReplicationFixture::log))));
        for (int i = 0; i < 100; i++)
        {
            primary.append(("entry-" + i).getBytes(StandardCharsets.UTF_8));
        }
        await("r1 at 100", WAIT, () -> r1.receivedOffset() == 100);
        final String target = "127.0.0.1:" + serve.getPort();

        // a wrong secret promotes nothing
        final Path wrong = dir.resolve("wrong-secret");
        Files.writeString(wrong, "not-the-secret-of-this-cluster-0123456789");
        Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        final CliRun.Run refused = ferry("promote", "--replica", target, "--secret-file", wrong.toString());
        assertNotEquals(0, refused.exit(), refused.toString());
        assertTrue(refused.err().contains(ErrorCode.AUTHENTICATION.name()), refused.toString());
        assertNull(r1.promoted());
        assertEquals(ReplicaState.STREAMING, r1.state(), "still following");

        // a replica pointed at the serve port follows r1 (cascading), and is no obstacle to its promotion
        final Replica below = fixture.track(Replica.start(fixture.replicaConfig("below", serve)));
        await("the replica below r1 at 100", WAIT, () -> below.receivedOffset() == 100);

        primary.close();
        final CliRun.Run run = ferry("promote", "--replica", target, "--secret-file", fixture.secretFile().toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("\"epoch\":1") && run.out().contains("\"startOffset\":100"), run.out());
        final Primary promoted = r1.promoted();
        assertNotNull(promoted);
        fixture.track(promoted);
        assertEquals(serve.getPort(), promoted.localAddress().getPort(), "the primary listens on the serve address");
        promoted.append("after".getBytes(StandardCharsets.UTF_8));

        final Replica r2 = fixture.track(Replica.start(fixture.replicaConfig("r2", serve)));
        await("r2 follows the promoted replica", WAIT, () -> r2.receivedOffset() == 101);
        assertEquals(1, promoted.history().epoch());
        await("the replica that followed r1 follows it as a primary, at its epoch", WAIT,
            () -> below.receivedOffset() == 101);
        assertEquals(ReplicaState.STREAMING, below.state());
    }
}
