package dev.ferry.engine;

import dev.ferry.engine.status.StatusClient;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Review: PromotionListener serves one connection at a time and its 5 s bound is per read, not per connection: a
 * stranger (no secret needed) that sends one byte every 2 s holds the --serve port, and `ferry promote` times out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class PromotionListenerFloodTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void aSlowStrangerMustNotBlockAPromotion() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress serve;
        try (ServerSocket socket = new ServerSocket(0))
        {
            serve = new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
        final Replica r1 = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress()).serve(serve)
            .promotedConfig(() -> fixture.primaryConfig().eventLog(ReplicationFixture::log))));
        primary.append(new byte[] {1});
        await("r1 at 1", Duration.ofSeconds(30), () -> r1.receivedOffset() == 1);
        try (Socket stranger = new Socket(serve.getAddress(), serve.getPort()))
        {
            final OutputStream out = stranger.getOutputStream();
            final Thread drip = new Thread(() ->
            {
                try
                {
                    // a frame header claiming 4096 bytes, then one byte every 2 s
                    out.write(new byte[] {0, 16, 0, 0});
                    out.flush();
                    while (!Thread.currentThread().isInterrupted())
                    {
                        Thread.sleep(2_000);
                        out.write(0);
                        out.flush();
                    }
                }
                catch (final Exception ignore)
                {
                    // closed
                }
            });
            drip.setDaemon(true);
            drip.start();
            Thread.sleep(500);
            try
            {
                final String json = StatusClient.promote(serve, Duration.ofSeconds(12), Secret.load(fixture.secretFile()));
                assertNotNull(json);
                fixture.track(r1.promoted());
            }
            finally
            {
                drip.interrupt();
            }
        }
    }
}
