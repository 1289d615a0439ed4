package dev.ferry.engine;

import dev.ferry.engine.resp.RespConfig;
import dev.ferry.engine.state.KvStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile Redis clients: malformed or oversized requests get Redis' protocol error and a close, a client that never
 * reads its replies stops being read (its memory stays bounded), thousands of idle connections and a full house are
 * refused politely; meanwhile a well-behaved client is served throughout and nothing half-sent is applied.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RespHostileClientTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private Primary primary;
    private Socket good;

    @BeforeEach
    void open() throws IOException
    {
        primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine())
            .resp(new RespConfig(new InetSocketAddress("127.0.0.1", 0), null, 3000)));
        good = connect();
    }

    @AfterEach
    void closeGood() throws IOException
    {
        good.close();
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(primary.respAddress(), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] command(final String... args)
    {
        final StringBuilder text = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String arg : args)
        {
            text.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Send a request on the good client and read one line of reply (with a bulk's content, if one). */
    private String ask(final String... args) throws IOException
    {
        good.getOutputStream().write(command(args));
        good.getOutputStream().flush();
        final String line = line(good.getInputStream());
        if (line.startsWith("$") && !line.equals("$-1"))
        {
            final byte[] content = good.getInputStream().readNBytes(Integer.parseInt(line.substring(1)) + 2);
            return new String(content, 0, content.length - 2, StandardCharsets.UTF_8);
        }
        return line;
    }

    private static String line(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("closed after " + out);
            }
            if (previous == '\r' && b == '\n')
            {
                final byte[] bytes = out.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            out.write(b);
            previous = b;
        }
    }

    /** Send raw bytes on a new connection; the reply until the server closes it. */
    private String refused(final byte[] request) throws IOException
    {
        try (Socket socket = connect())
        {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // ends: the server closed
        }
    }

    @Test
    void malformedAndOversizedRequestsGetRedisProtocolErrorsAndACloseWhileOthersAreServed() throws IOException
    {
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", refused("*1\r\n$999999999999\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("-ERR Protocol error: invalid bulk length\r\n",
            refused(("*1\r\n$" + (64 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII))); // above the entry limit
        assertEquals("-ERR Protocol error: invalid multibulk length\r\n", refused("*99999999\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("-ERR Protocol error: expected '$', got 'f'\r\n", refused("*2\r\nfoo\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n",
            refused("SET \"a b\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("-ERR Protocol error: too big inline request\r\n", refused("x".repeat(70_000).getBytes(StandardCharsets.US_ASCII)));
        assertEquals("-ERR Protocol error: too big mbulk count string\r\n",
            refused(("*" + "1".repeat(70_000)).getBytes(StandardCharsets.US_ASCII)));
        // requests before the error in the same pipeline were executed, in order
        assertEquals("+OK\r\n-ERR Protocol error: expected '$', got '?'\r\n",
            refused((new String(command("SET", "before", "1"), StandardCharsets.US_ASCII) + "*1\r\n?").getBytes(StandardCharsets.US_ASCII)));
        assertEquals("1", ask("GET", "before"));
        assertEquals("+PONG", ask("PING"));
    }

    @Test
    void aTruncatedRequestIsNeverApplied() throws IOException
    {
        try (Socket socket = connect())
        {
            socket.getOutputStream().write("*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$10\r\nonly".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        assertEquals("+PONG", ask("PING"));
        assertEquals("$-1", ask("GET", "half"));
        assertEquals(":0", ask("DBSIZE"));
    }

    @Test
    void aClientThatNeverReadsItsRepliesIsPausedWithBoundedMemoryAndDisturbsNobody() throws Exception
    {
        assertEquals("+OK", ask("SET", "big", "v".repeat(200_000)));
        final byte[] gets = command("GET", "big");
        try (SocketChannel hog = SocketChannel.open(primary.respAddress()))
        {
            hog.configureBlocking(false);
            // pipeline GETs of 200 KB and never read: about 40 MB of replies asked for, far more than sockets buffer
            final ByteBuffer burst = ByteBuffer.allocate(gets.length * 200);
            for (int i = 0; i < 200; i++)
            {
                burst.put(gets);
            }
            long asked = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && asked < 200L * 200_000)
            {
                burst.clear();
                asked += hog.write(burst) / gets.length * 200_000L;
            }
            // the good client is served meanwhile, many times over
            for (int i = 0; i < 500; i++)
            {
                assertEquals("+OK", ask("SET", "k" + i, "v"));
                assertEquals("v", ask("GET", "k" + i));
            }
            final String clients = ask("CLIENT", "LIST");
            long largest = 0;
            for (final String client : clients.split("\n"))
            {
                final int at = client.indexOf(" omem=");
                if (at >= 0)
                {
                    largest = Math.max(largest, Long.parseLong(client.substring(at + 6, client.indexOf(' ', at + 6))));
                }
            }
            // unsent replies stop at the pause threshold plus the reply that crossed it (one 200 KB value)
            assertTrue(largest <= 256 * 1024 + 200_100, "a client holds " + largest + " bytes of unsent replies:\n" + clients);
        }
        assertEquals("+PONG", ask("PING"));
    }

    @Test
    void thousandsOfIdleConnectionsAreHeldAndOneTooManyIsRefused() throws Exception
    {
        final List<Socket> idle = new ArrayList<>();
        try
        {
            for (int i = 0; i < 2998; i++) // with the good client: 2999 of the 3000 allowed
            {
                final Socket socket = new Socket();
                socket.connect(primary.respAddress(), 5000);
                idle.add(socket);
            }
            ReplicationFixture.await("2999 connections accepted", Duration.ofSeconds(30), () ->
            {
                try
                {
                    return ask("INFO", "clients").contains("connected_clients:2999\r\n");
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertEquals("+OK", ask("SET", "busy", "yes"));
            try (Socket last = connect(); Socket another = connect())
            {
                // the 3000th (accepted first: the kernel queues connections in order) is the last one taken, the
                // 3001st is refused with Redis' error; neither is closed before both are answered (a close the
                // listener has not yet seen still counts)
                last.getOutputStream().write(command("PING"));
                assertEquals("+PONG", line(last.getInputStream()));
                another.setSoTimeout(10_000);
                assertEquals("-ERR max number of clients reached\r\n",
                    new String(another.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals("yes", ask("GET", "busy"));
        }
        finally
        {
            for (final Socket socket : idle)
            {
                socket.close();
            }
        }
    }

    @Test
    void aClientThatHangsUpMidReplyIsForgottenAndItsWriteStands() throws IOException
    {
        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            out.write(command("SET", "stood", "1"));
            out.write(command("GET", "stood"));
            out.flush();
            socket.setSoTimeout(200);
            try
            {
                socket.getInputStream().read();
            }
            catch (final SocketTimeoutException ignore)
            {
                // whatever arrived, the client hangs up now
            }
        }
        assertEquals("1", ask("GET", "stood"));
        ReplicationFixture.await("the hung-up client forgotten", Duration.ofSeconds(10), () ->
        {
            try
            {
                return ask("INFO", "clients").contains("connected_clients:1\r\n");
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }
}
