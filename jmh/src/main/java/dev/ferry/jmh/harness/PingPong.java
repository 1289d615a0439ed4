package dev.ferry.jmh.harness;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The wire baselines: raw NIO on loopback between two JVMs, with no Ferry code. {@link #main} is the echo side (a
 * child JVM): for a ping-pong connection it echoes every message; for a bulk connection it reads and discards.
 * Both sides use blocking channels, so no thread spins.
 */
public final class PingPong
{
    private static final byte MODE_ECHO = 1;
    private static final byte MODE_SINK = 2;

    private PingPong()
    {
    }

    /**
     * The echo/sink server.
     *
     * @param args the port to listen on (on 127.0.0.1); prints "ready" when listening.
     * @throws IOException on a socket error.
     */
    public static void main(final String[] args) throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
            System.out.println("ready");
            System.out.flush();
            while (true)
            {
                try (SocketChannel channel = server.accept())
                {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    serve(channel);
                }
                catch (final IOException ex)
                {
                    System.out.println("connection ended: " + ex.getMessage());
                }
            }
        }
    }

    private static void serve(final SocketChannel channel) throws IOException
    {
        final ByteBuffer mode = ByteBuffer.allocate(5);
        readFully(channel, mode);
        final byte kind = mode.get(0);
        final int size = mode.getInt(1);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(size, 64 * 1024));
        while (true)
        {
            if (kind == MODE_ECHO)
            {
                buffer.clear().limit(size);
                if (!readFully(channel, buffer))
                {
                    return;
                }
                buffer.flip();
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
            }
            else
            {
                buffer.clear();
                if (channel.read(buffer) < 0)
                {
                    return;
                }
            }
        }
    }

    private static boolean readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Round trips of {@code size}-byte messages: one at a time, recorded in ns.
     *
     * @param server     the echo server.
     * @param size       the message size.
     * @param roundTrips how many (after {@code warmup} unrecorded ones).
     * @param warmup     unrecorded round trips first.
     * @return the round-trip times in ns.
     * @throws IOException on a socket error.
     */
    static Histogram roundTrips(final InetSocketAddress server, final int size, final int roundTrips, final int warmup)
        throws IOException
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (SocketChannel channel = SocketChannel.open(server))
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final ByteBuffer header = ByteBuffer.allocate(5).put(MODE_ECHO).putInt(size).flip();
            channel.write(header);
            final ByteBuffer message = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < warmup + roundTrips; i++)
            {
                final long start = System.nanoTime();
                message.clear();
                while (message.hasRemaining())
                {
                    channel.write(message);
                }
                message.clear();
                if (!readFully(channel, message))
                {
                    throw new IOException("echo server closed the connection");
                }
                if (i >= warmup)
                {
                    histogram.recordValue(System.nanoTime() - start);
                }
            }
        }
        return histogram;
    }

    /**
     * One-way bulk transfer for {@code durationNs}.
     *
     * @param server     the sink.
     * @param durationNs how long to send.
     * @return bytes per second.
     * @throws IOException on a socket error.
     */
    static double bulkBytesPerSecond(final InetSocketAddress server, final long durationNs) throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(server))
        {
            channel.write(ByteBuffer.allocate(5).put(MODE_SINK).putInt(0).flip());
            final ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
            long bytes = 0;
            final long start = System.nanoTime();
            long now = start;
            while (now - start < durationNs)
            {
                chunk.clear();
                bytes += channel.write(chunk);
                now = System.nanoTime();
            }
            return bytes / ((now - start) / 1e9);
        }
    }
}
