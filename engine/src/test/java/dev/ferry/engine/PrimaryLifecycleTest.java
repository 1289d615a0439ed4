package dev.ferry.engine;

import dev.ferry.engine.serve.SlotStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrimaryLifecycleTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    void shouldReleaseThePortWhenOpeningFailsAfterBinding() throws IOException
    {
        final int port = freePort();
        final PrimaryConfig config = fixture.primaryConfig().listen(new InetSocketAddress("127.0.0.1", port));
        Files.createDirectories(config.wal().directory());
        Files.writeString(config.wal().directory().resolve(SlotStore.FILE), "r1=not-a-number\n");
        final FerryException refused = assertThrows(FerryException.class, () -> Primary.open(config));
        assertEquals(ErrorCode.STORAGE, refused.code(), refused.getMessage());
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1")))
        {
            assertEquals(port, again.getLocalPort(), "the port was given back");
        }
    }

    /**
     * A sender that does not stop within close's wait (here: held in an ack listener) must not have the WAL unmapped
     * under it; it closes the WAL itself when it ends.
     */
    @Test
    void shouldNotCloseTheWalUnderASenderThatHasNotStopped() throws Exception
    {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final PrimaryConfig config = fixture.primaryConfig().ackListener((replicaId, received, durable, applied, nowNs) ->
        {
            if (received > 0 && held.getCount() > 0)
            {
                held.countDown();
                try
                {
                    release.await(60, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        });
        final Primary primary = Primary.open(config);
        final Replica replica = fixture.replica("r1", primary.localAddress());
        primary.append(new byte[16]);
        held.await(60, TimeUnit.SECONDS);
        primary.close(); // waits 10 s for the held sender, then returns
        assertThrows(FerryException.class, () -> Wal.open(config.wal().copy()).close(),
            "the WAL is still open (locked) while its sender runs");
        release.countDown();
        await("the sender to close the WAL when it ends", Duration.ofSeconds(30), () ->
        {
            try
            {
                Wal.open(config.wal().copy()).close();
                return true;
            }
            catch (final FerryException stillOpen)
            {
                return false;
            }
        });
        replica.stop();
    }
}
