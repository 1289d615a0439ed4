package dev.ferry.engine;

import dev.ferry.wal.Arenas;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strangers cost little and cannot lock replicas out (issue 15, finding 3): a connection that has not authenticated
 * gets 4 KiB buffers each way and nothing else, pending handshakes are bounded in all and per host (the oldest goes),
 * and each has a deadline. A flood of idle connections leaves the primary's buffers bounded and its replicas
 * streaming, and a replica that connects during the flood gets in.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class StrangersTest
{
    private static final int STRANGERS = 300;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldBoundIdleConnectionsAndKeepReplicasStreaming() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().handshakeTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
        final Replica r1 = fixture.replica("r1", primary.localAddress());
        primary.append(new byte[32]);
        await("r1 to stream", WAIT, () -> r1.receivedOffset() == 1);
        final long arenasBefore = Arenas.openArenas();

        final List<SocketChannel> strangers = new ArrayList<>();
        try
        {
            for (int i = 0; i < STRANGERS; i++)
            {
                strangers.add(SocketChannel.open(primary.localAddress())); // connects, then says nothing
                if (i == STRANGERS / 2)
                {
                    primary.append(new byte[32]);
                }
            }
            // the primary closes the oldest beyond its bounds: all but the newest pending ones read end-of-stream
            await(() -> "the primary to close all but " + 64 + " strangers; open: " + openCount(strangers), WAIT,
                () -> openCount(strangers) <= 64);
            // every open connection holds two arenas at most (the session's and its buffers'), each stranger 8 KiB
            final long arenas = Arenas.openArenas() - arenasBefore;
            assertTrue(arenas <= 2 * 64, "arenas held for strangers: " + arenas);

            // replicas stream through it, and a new one gets in while the strangers are still connected
            final Replica r2 = fixture.replica("r2", primary.localAddress());
            primary.append(new byte[32]);
            await("r1 and r2 to receive everything", WAIT, () -> r1.receivedOffset() == 3 && r2.receivedOffset() == 3);
            assertEquals(ReplicaState.STREAMING, r1.state());
        }
        finally
        {
            for (final SocketChannel stranger : strangers)
            {
                stranger.close();
            }
        }
    }

    /**
     * A few flooding hosts cannot push out a lone client's handshake: beyond the bound in all, the oldest of the host
     * with the most pending handshakes goes (hosts are loopback addresses 127.0.0.2-7 here).
     */
    @Test
    void shouldEvictFromTheBusiestHostNotALoneClient() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().handshakeTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
        final List<SocketChannel> flood = new ArrayList<>();
        try (SocketChannel lone = from("127.0.0.7", primary))
        {
            try
            {
                for (int host = 2; host <= 6; host++)
                {
                    for (int i = 0; i < 16; i++)
                    {
                        flood.add(from("127.0.0." + host, primary)); // 80 in all: 16 more than the bound
                    }
                }
                await(() -> "the primary to close flooding connections; open: " + openCount(flood), WAIT,
                    () -> openCount(flood) <= 64 - 1);
                assertEquals(1, openCount(List.of(lone)), "the lone client's handshake is still pending");
            }
            finally
            {
                for (final SocketChannel channel : flood)
                {
                    channel.close();
                }
            }
        }
    }

    private static SocketChannel from(final String source, final Primary primary) throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress(source, 0));
        channel.connect(primary.localAddress());
        return channel;
    }

    @Test
    void shouldCloseAConnectionThatDoesNotAuthenticateInTime() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().handshakeTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));
        try (SocketChannel slow = SocketChannel.open(primary.localAddress()))
        {
            slow.write(ByteBuffer.wrap(new byte[]{77, 0})); // the start of a frame, and then nothing
            final List<SocketChannel> one = List.of(slow);
            await("the primary to close the slow connection", WAIT, () -> openCount(one) == 0);
        }
    }

    /** How many of the connections the primary has not closed (a read of a closed one returns -1). */
    private static int openCount(final List<SocketChannel> channels)
    {
        final ByteBuffer scratch = ByteBuffer.allocate(4096);
        int open = 0;
        for (final SocketChannel channel : channels)
        {
            try
            {
                channel.configureBlocking(false);
                int read;
                do
                {
                    read = channel.read(scratch.clear());
                }
                while (read > 0); // an ERROR frame may precede the close
                if (read == 0)
                {
                    open++;
                }
            }
            catch (final IOException ex)
            {
                // reset by the primary: closed
            }
        }
        return open;
    }
}
