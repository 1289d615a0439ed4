package dev.ferry.engine;

import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@value NodeAddress#FILE}: a node says beside its WAL where it listens (the port it really bound), so that a tool
 * given only the WAL directory reaches it; a file that does not say so clearly is refused, naming it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class NodeAddressTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldWriteTheBoundPortAndPidWhenAPrimaryListens() throws IOException
    {
        final Path walDir = fixture.dir("primary");
        final Primary primary = fixture.primary(fixture.primaryConfig()); // port 0
        final InetSocketAddress bound = primary.localAddress();
        assertNotEquals(0, bound.getPort());

        final String text = Files.readString(walDir.resolve(NodeAddress.FILE));
        assertTrue(text.contains("listen=127.0.0.1:" + bound.getPort() + "\n"), text);
        assertTrue(text.contains("pid=" + ProcessHandle.current().pid() + "\n"), text);
        assertEquals(bound, NodeAddress.read(walDir));
        assertTrue(StatusClient.holdSlot(NodeAddress.read(walDir), WAIT, Secret.load(fixture.secretFile()), null,
            "archive", 0).startsWith("{\"held\":\"archive\""), "a tool beside the node reaches it from the file");
    }

    @Test
    void shouldWriteTheServingPortWhenAReplicaServes()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica r1 = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .serve(new InetSocketAddress("127.0.0.1", 0))));
        final InetSocketAddress serving = NodeAddress.read(fixture.dir("r1"));
        assertNotEquals(0, serving.getPort());
        assertNotEquals(primary.localAddress().getPort(), serving.getPort());
        // the port serves as a primary's does (cascading): a tool beside the replica reaches it from the file
        ReplicationFixture.await("r1 streaming", WAIT, () -> r1.state() == ReplicaState.STREAMING);
        assertTrue(StatusClient.holdSlot(serving, WAIT, Secret.load(fixture.secretFile()), null, "archive", 0)
            .startsWith("{\"held\":\"archive\""));
    }

    @Test
    void shouldReadNothingWhereNoNodeListened()
    {
        assertNull(NodeAddress.read(dir));
        assertNull(NodeAddress.read(dir.resolve("no-such-directory")));
    }

    @Test
    void shouldReachANodeListeningOnEveryInterfaceOnTheLoopbackAddress()
    {
        NodeAddress.write(dir, new InetSocketAddress(7000));
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7000), NodeAddress.read(dir));
    }

    @Test
    void shouldRefuseAMalformedFileNamingIt() throws IOException
    {
        final List<String> malformed = List.of(
            "",
            "pid=12\n",
            "listen=127.0.0.1:7000\n",
            "listen=127.0.0.1:7000\npid=x\n",
            "listen=127.0.0.1:7000\npid=-3\n",
            "listen=127.0.0.1\npid=12\n",
            "listen=127.0.0.1:port\npid=12\n",
            "listen=127.0.0.1:0\npid=12\n",
            "listen=127.0.0.1:70000\npid=12\n",
            "listen=127.0.0.1:7000\npid=12\\u00zz\n");
        for (final String text : malformed)
        {
            Files.writeString(dir.resolve(NodeAddress.FILE), text);
            final FerryException ex = assertThrows(FerryException.class, () -> NodeAddress.read(dir), text);
            assertEquals(ErrorCode.CONFIGURATION, ex.code(), ex.getMessage());
            assertTrue(ex.getMessage().contains(dir.resolve(NodeAddress.FILE).toString()), ex.getMessage());
        }
        Files.writeString(dir.resolve(NodeAddress.FILE), "# by hand\nlisten = 127.0.0.1:7000\npid = 12\n");
        assertEquals(new InetSocketAddress("127.0.0.1", 7000), NodeAddress.read(dir));
    }
}
