package dev.ferry.engine.resp;

import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.state.KvStateMachine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The RESP front end against a real Redis 7.0 ({@code redis-server} on the PATH, started on a free loopback port): the
 * same list of commands goes to both, in the same order on one connection each, and every reply must be the same,
 * byte for byte for bulk strings and error texts. Replies that vary from run to run are normalized, and only those:
 * TTL and PTTL are compared within a tolerance (negative answers exactly), TIME, CLIENT ID and HELLO's version and id
 * by shape, KEYS in sorted order, SCAN iterated to completion with its keys sorted.
 * <p>
 * Without {@code redis-server} the test is skipped, unless {@code FERRY_REQUIRE_REDIS=1} (CI), where it fails.
 * <p>
 * Ferry's deliberate differences, left out of the list (they are not defects):
 * <ul>
 * <li>HELLO 3: Ferry speaks RESP2 only and answers NOPROTO.</li>
 * <li>Values longer than Ferry's WAL entry limit (1 MiB by default; Redis allows 512 MB), hence SETBIT, SETRANGE and
 * APPEND past that size; keys longer than 65535 bytes.</li>
 * <li>OBJECT ENCODING after APPEND, SETRANGE or SETBIT: Ferry derives the encoding from the value, Redis tracks it
 * (a value grown by APPEND stays "raw" there).</li>
 * <li>WAITAOF and CLIENT SETINFO (Redis 7.2 commands, absent from 7.0); INFO's fields; LCS on huge strings (Ferry
 * bounds its memory differently); DEBUG and every command not listed here.</li>
 * <li>Data types other than strings (Ferry's state holds strings only), hence no WRONGTYPE.</li>
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RespDifferentialTest
{
    private static final int SOCKET_TIMEOUT_MS = 10_000;
    private static final long TTL_TOLERANCE_SECONDS = 2;
    private static final long TTL_TOLERANCE_MS = 2_000;

    @TempDir
    static Path dir;

    private static Process redis;
    private static Primary primary;
    private static int redisPort;

    /** How a reply is compared. */
    private enum Mode
    {
        EXACT,
        SORTED,
        TTL,
        PTTL,
        SCAN,
        HELLO,
        TIME,
        ID,
        SLEEP,
        QUIT,
        /** The one argument's bytes sent as they are (an inline command) on the list's connection. */
        INLINE,
        /** The one argument's bytes sent as they are on a new connection, which Redis then closes or keeps. */
        PROTOCOL
    }

    private record Step(Mode mode, List<byte[]> args, long sleepMillis)
    {
        String text()
        {
            final StringBuilder out = new StringBuilder();
            for (final byte[] arg : args)
            {
                if (!out.isEmpty())
                {
                    out.append(' ');
                }
                out.append(quote(arg));
            }
            return out.toString();
        }
    }

    /** A reply: type '+', '-', ':', '$', '*'; text for the first four, items for arrays; null text or items: nil. */
    private record Reply(char type, byte[] text, List<Reply> items)
    {
        String render()
        {
            return switch (type)
            {
                case '+' -> "+" + new String(text, StandardCharsets.ISO_8859_1);
                case '-' -> "-" + quote(text);
                case ':' -> ":" + new String(text, StandardCharsets.ISO_8859_1);
                case '$' -> text == null ? "$nil" : "$" + quote(text);
                default -> items == null ? "*nil" : "*" + renderAll(items);
            };
        }

        long integer()
        {
            return Long.parseLong(new String(text, StandardCharsets.ISO_8859_1));
        }
    }

    private static String renderAll(final List<Reply> items)
    {
        final List<String> rendered = new ArrayList<>();
        for (final Reply item : items)
        {
            rendered.add(item.render());
        }
        return rendered.toString();
    }

    private static String quote(final byte[] bytes)
    {
        final StringBuilder out = new StringBuilder("\"");
        for (final byte b : bytes)
        {
            final int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
            {
                out.append((char)c);
            }
            else
            {
                out.append(String.format("\\x%02x", c));
            }
        }
        return out.append('"').toString();
    }

    /** A raw RESP2 client: multi-bulk requests, one reply read per request. */
    private static final class RawClient implements Closeable
    {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        RawClient(final InetSocketAddress address) throws IOException
        {
            socket = new Socket();
            socket.connect(address, SOCKET_TIMEOUT_MS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        Reply call(final List<byte[]> args) throws IOException
        {
            final ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (final byte[] arg : args)
            {
                request.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                request.writeBytes(arg);
                request.writeBytes(new byte[] {'\r', '\n'});
            }
            out.write(request.toByteArray());
            out.flush();
            return read();
        }

        Reply call(final String... args) throws IOException
        {
            return call(bytes(args));
        }

        Reply raw(final byte[] request) throws IOException
        {
            out.write(request);
            out.flush();
            return read();
        }

        InetSocketAddress address()
        {
            return (InetSocketAddress)socket.getRemoteSocketAddress();
        }

        /** @return true if the server closed the connection (nothing more to read). */
        boolean closed() throws IOException
        {
            return in.read() < 0;
        }

        private Reply read() throws IOException
        {
            final int type = in.read();
            if (type < 0)
            {
                throw new EOFException("connection closed");
            }
            final byte[] line = line();
            switch (type)
            {
                case '+', '-', ':' ->
                {
                    return new Reply((char)type, line, null);
                }
                case '$' ->
                {
                    final int length = Integer.parseInt(new String(line, StandardCharsets.US_ASCII));
                    if (length < 0)
                    {
                        return new Reply('$', null, null);
                    }
                    final byte[] bulk = in.readNBytes(length);
                    if (bulk.length != length || in.read() != '\r' || in.read() != '\n')
                    {
                        throw new IOException("bad bulk string");
                    }
                    return new Reply('$', bulk, null);
                }
                case '*' ->
                {
                    final int count = Integer.parseInt(new String(line, StandardCharsets.US_ASCII));
                    if (count < 0)
                    {
                        return new Reply('*', null, null);
                    }
                    final List<Reply> items = new ArrayList<>();
                    for (int i = 0; i < count; i++)
                    {
                        items.add(read());
                    }
                    return new Reply('*', null, items);
                }
                default -> throw new IOException("not a RESP2 reply type: " + (char)type);
            }
        }

        private byte[] line() throws IOException
        {
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true)
            {
                final int b = in.read();
                if (b < 0)
                {
                    throw new EOFException("connection closed in a reply line");
                }
                if (b == '\r')
                {
                    if (in.read() != '\n')
                    {
                        throw new IOException("CR without LF");
                    }
                    return line.toByteArray();
                }
                line.write(b);
            }
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    private static List<byte[]> bytes(final String... args)
    {
        final List<byte[]> list = new ArrayList<>();
        for (final String arg : args)
        {
            list.add(arg.getBytes(StandardCharsets.ISO_8859_1));
        }
        return list;
    }

    private static Path redisServer()
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String directory : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(directory.isEmpty() ? "." : directory, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception
    {
        final Path server = redisServer();
        if (server == null)
        {
            final String why = "redis-server is not on the PATH: the differential test needs a real Redis 7.0 to " +
                "compare against";
            if ("1".equals(System.getenv("FERRY_REQUIRE_REDIS")))
            {
                fail(why + " (FERRY_REQUIRE_REDIS=1)");
            }
            assumeTrue(false, why + "; skipped (set FERRY_REQUIRE_REDIS=1 to fail instead)");
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        IOException last = null;
        for (int attempt = 0; attempt < 5 && redis == null; attempt++)
        {
            redisPort = freePort();
            redis = new ProcessBuilder(server.toString(), "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + attempt + ".log").toFile())
                .start();
            while (System.nanoTime() < deadline && redis.isAlive())
            {
                try (RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", redisPort)))
                {
                    if ("+PONG".equals(client.call("PING").render()))
                    {
                        last = null;
                        break;
                    }
                }
                catch (final IOException ex)
                {
                    last = ex;
                    Thread.sleep(50);
                }
            }
            if (last != null || !redis.isAlive())
            {
                stopRedis(); // the port was taken meanwhile, or the server failed: another port
                last = last == null ? new IOException("redis-server exited") : last;
            }
        }
        if (redis == null)
        {
            fail("redis-server did not answer PING: " + last + "; log in " + dir);
        }
        primary = Primary.open(new PrimaryConfig()
            .walDirectory(dir.resolve("wal"))
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .insecureNoSecret(true)
            .stateMachine(new KvStateMachine())
            .resp(new RespConfig(new InetSocketAddress("127.0.0.1", 0), null)));
    }

    private static void stopRedis() throws InterruptedException
    {
        if (redis != null)
        {
            redis.destroy();
            if (!redis.waitFor(10, TimeUnit.SECONDS))
            {
                redis.destroyForcibly();
                redis.waitFor(10, TimeUnit.SECONDS);
            }
            redis = null;
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        try
        {
            if (primary != null)
            {
                primary.close();
            }
        }
        finally
        {
            stopRedis();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the command list

    private final List<Step> steps = new ArrayList<>();

    private void x(final String... args)
    {
        steps.add(new Step(Mode.EXACT, bytes(args), 0));
    }

    private void on(final Mode mode, final String... args)
    {
        steps.add(new Step(mode, bytes(args), 0));
    }

    private void sleep(final long millis)
    {
        steps.add(new Step(Mode.SLEEP, List.of(), millis));
    }

    private static String repeat(final char c, final int n)
    {
        return String.valueOf(c).repeat(n);
    }

    private void commands()
    {
        x("SELECT", "5");
        x("FLUSHDB");
        x("DBSIZE");
        strings();
        numbers();
        lcs();
        bits();
        keyspace();
        expiry();
        patterns();
        connection();
        arityAndUnknown();
        randomized();
        protocol();
        x("FLUSHALL");
        x("DBSIZE");
        x("SELECT", "6");
        x("DBSIZE");
        on(Mode.QUIT, "QUIT");
    }

    private void strings()
    {
        x("GET", "missing");
        x("SET", "s1", "hello");
        x("GET", "s1");
        x("SET", "s1", "world", "GET");
        x("GET", "s1");
        x("SET", "s2", "v", "NX");
        x("SET", "s2", "v2", "NX");
        x("SET", "s2", "v3", "XX");
        x("GET", "s2");
        x("SET", "nope", "v", "XX");
        x("EXISTS", "nope");
        x("SET", "s2", "v4", "NX", "GET");
        x("SET", "s2", "v5", "XX", "GET");
        x("GET", "s2");
        x("SET", "nope2", "v", "XX", "GET");
        x("SET", "nope3", "v", "GET");
        x("GET", "nope3");
        x("SET", "s3", "v", "EX", "1000");
        on(Mode.TTL, "TTL", "s3");
        on(Mode.PTTL, "PTTL", "s3");
        x("SET", "s3", "v", "px", "100000");
        on(Mode.PTTL, "PTTL", "s3");
        x("SET", "s3", "v", "EXAT", "4102444800");
        x("EXPIRETIME", "s3");
        x("PEXPIRETIME", "s3");
        x("SET", "s3", "v", "PXAT", "4102444800123");
        x("PEXPIRETIME", "s3");
        x("EXPIRETIME", "s3");
        x("SET", "s3", "v2", "KEEPTTL");
        x("PEXPIRETIME", "s3");
        x("SET", "s3", "v3", "KEEPTTL", "GET");
        x("PEXPIRETIME", "s3");
        x("SET", "s3", "v4");
        x("TTL", "s3");
        x("SET", "s4", "v", "KEEPTTL");
        x("TTL", "s4");
        x("SET", "s3", "v", "EX", "10", "PX", "100");
        x("SET", "s3", "v", "EX", "10", "EX", "10");
        x("SET", "s3", "v", "EX", "10", "KEEPTTL");
        x("SET", "s3", "v", "KEEPTTL", "EX", "10");
        x("SET", "s3", "v", "PXAT", "10", "EXAT", "10");
        x("SET", "s3", "v", "NX", "XX");
        x("SET", "s3", "v", "XX", "NX");
        x("SET", "s3", "v", "NX", "NX");
        x("SET", "s3", "v", "GET", "GET");
        x("SET", "s3", "v", "EX");
        x("SET", "s3", "v", "EX", "0");
        x("SET", "s3", "v", "EX", "-5");
        x("SET", "s3", "v", "PX", "-1");
        x("SET", "s3", "v", "PX", "0");
        x("SET", "s3", "v", "EXAT", "0");
        x("SET", "s3", "v", "PXAT", "-1");
        x("SET", "s3", "v", "EX", "abc");
        x("SET", "s3", "v", "EX", "1.5");
        x("SET", "s3", "v", "EX", " 10");
        x("SET", "s3", "v", "EX", "9223372036854775807");
        x("SET", "s3", "v", "EX", "9223372036854775808");
        x("SET", "s3", "v", "EX", "9223372036854775");
        x("SET", "s3", "v", "EX", "9223372036854776");
        x("SET", "s3", "v", "PX", "9223372036854775807");
        x("SET", "s3", "v", "EX", "abc", "NX", "XX");
        x("SET", "s3", "v", "EXAT", "9223372036854775");
        on(Mode.TTL, "TTL", "s3");
        x("PEXPIRETIME", "s3");
        x("SET", "s3", "v", "PXAT", "9223372036854775807");
        x("PEXPIRETIME", "s3");
        x("SET", "s3", "v", "PXAT", "1");
        x("GET", "s3");
        x("SET", "s3", "v", "PERSIST");
        x("SET", "s3", "v", "foo");
        x("SET", "s3", "v", "EX", "10", "foo");
        x("SET", "", "empty key");
        x("GET", "");
        x("SET", "s5", "");
        x("GET", "s5");
        x("STRLEN", "s5");
        x("SET", "bin", "\u0000\u0001\r\n\u00ff");
        x("GET", "bin");
        x("SET", "s6", "x", "nx", "ex", "1000", "get");
        on(Mode.TTL, "TTL", "s6");
        // GETDEL
        x("GETDEL", "s1");
        x("GETDEL", "s1");
        x("EXISTS", "s1");
        // GETEX
        x("SET", "g", "v");
        x("GETEX", "g");
        x("GETEX", "g", "EX", "1000");
        on(Mode.TTL, "TTL", "g");
        x("GETEX", "g", "PX", "100000");
        on(Mode.PTTL, "PTTL", "g");
        x("GETEX", "g", "EXAT", "4102444800");
        x("EXPIRETIME", "g");
        x("GETEX", "g", "PXAT", "4102444800123");
        x("PEXPIRETIME", "g");
        x("GETEX", "g", "PERSIST");
        x("TTL", "g");
        x("GETEX", "g", "PERSIST");
        x("GETEX", "g", "EX", "10", "PERSIST");
        x("GETEX", "g", "PERSIST", "EX", "10");
        x("GETEX", "g", "EX", "10", "PX", "10");
        x("GETEX", "g", "KEEPTTL");
        x("GETEX", "g", "NX");
        x("GETEX", "g", "GET");
        x("GETEX", "g", "EX");
        x("GETEX", "g", "EX", "0");
        x("GETEX", "g", "EX", "-1");
        x("GETEX", "g", "PX", "-1");
        x("GETEX", "g", "EX", "abc");
        x("GETEX", "g", "EX", "9223372036854775807");
        x("GETEX", "g", "PX", "9223372036854775807");
        x("GETEX", "missing", "EX", "10");
        x("GETEX", "missing", "PERSIST");
        x("GETEX", "missing", "EX", "abc");
        x("GETEX", "missing", "FOO");
        x("TTL", "g");
        x("GETEX", "g", "PXAT", "1");
        x("GET", "g");
        x("EXISTS", "g");
        // GETSET
        x("GETSET", "gs", "a");
        x("GETSET", "gs", "b");
        x("GET", "gs");
        x("SET", "gt", "v", "EX", "1000");
        x("GETSET", "gt", "w");
        x("TTL", "gt");
        // SETNX, SETEX, PSETEX
        x("SETNX", "n", "1");
        x("SETNX", "n", "2");
        x("GET", "n");
        x("SETEX", "se", "100", "v");
        on(Mode.TTL, "TTL", "se");
        x("GET", "se");
        x("SETEX", "se", "0", "v");
        x("SETEX", "se", "-1", "v");
        x("SETEX", "se", "abc", "v");
        x("SETEX", "se", "9223372036854775807", "v");
        x("SETEX", "se", "9223372036854775", "v");
        x("PSETEX", "pse", "100000", "v");
        on(Mode.PTTL, "PTTL", "pse");
        x("PSETEX", "pse", "0", "v");
        x("PSETEX", "pse", "-10", "v");
        x("PSETEX", "pse", "1.5", "v");
        x("PSETEX", "pse", "9223372036854775807", "v");
        // MSET, MSETNX, MGET
        x("MSET", "a", "1", "b", "2", "c", "3");
        x("MGET", "a", "b", "c", "missing", "a");
        x("MSET", "a", "1", "b");
        x("MSET", "d", "1", "d", "2");
        x("GET", "d");
        x("MSETNX", "x", "1", "y", "2");
        x("MSETNX", "y", "3", "z", "4");
        x("MGET", "x", "y", "z");
        x("MSETNX", "e", "1", "e", "2");
        x("GET", "e");
        x("MSETNX", "a", "1", "b");
        // APPEND, STRLEN
        x("APPEND", "ap", "hello");
        x("APPEND", "ap", " world");
        x("GET", "ap");
        x("APPEND", "ap", "");
        x("SET", "apt", "v", "EX", "1000");
        x("APPEND", "apt", "x");
        on(Mode.TTL, "TTL", "apt");
        x("STRLEN", "ap");
        x("STRLEN", "missing");
        x("SET", "i", "12345");
        x("STRLEN", "i");
        x("APPEND", "i", "6");
        x("GET", "i");
        x("INCR", "i");
        // GETRANGE, SUBSTR
        x("SET", "gr", "This is a string");
        for (final String[] range : new String[][] {{"0", "3"}, {"-3", "-1"}, {"0", "-1"}, {"10", "100"}, {"5", "3"},
            {"-1", "-5"}, {"100", "200"}, {"-100", "-50"}, {"-100", "2"}, {"0", "-100"}, {"15", "15"}, {"16", "16"},
            {"-1", "-1"}, {"0", "9223372036854775807"}, {"-9223372036854775808", "9223372036854775807"},
            {"-9223372036854775808", "-9223372036854775808"}, {"3", "-20"}})
        {
            x("GETRANGE", "gr", range[0], range[1]);
        }
        x("GETRANGE", "gr", "abc", "1");
        x("GETRANGE", "gr", "1", "abc");
        x("GETRANGE", "gr", "1", "9223372036854775808");
        x("GETRANGE", "missing", "0", "-1");
        x("GETRANGE", "missing", "abc", "1");
        x("GETRANGE", "s5", "0", "-1");
        x("GETRANGE", "s5", "0", "0");
        x("GETRANGE", "s5", "-1", "0");
        x("GETRANGE", "i", "1", "2");
        x("SUBSTR", "gr", "0", "3");
        x("SUBSTR", "gr", "-3", "-1");
        x("SUBSTR", "gr", "0");
        x("GETRANGE", "gr", "0");
        // SETRANGE
        x("SETRANGE", "sr", "5", "hello");
        x("GET", "sr");
        x("SETRANGE", "sr", "0", "HE");
        x("GET", "sr");
        x("SETRANGE", "sr", "8", "LOOOONG");
        x("GET", "sr");
        x("SETRANGE", "sr", "-1", "x");
        x("SETRANGE", "sr", "abc", "x");
        x("SETRANGE", "sr", "1", "");
        x("SETRANGE", "missing2", "0", "");
        x("SETRANGE", "missing2", "-1", "");
        x("SETRANGE", "missing2", "536870912", "");
        x("EXISTS", "missing2");
        x("SETRANGE", "sr", "536870912", "x");
        x("SETRANGE", "sr", "536870911", "xy");
        x("SETRANGE", "missing2", "536870912", "x");
        x("SETRANGE", "sr", "9223372036854775807", "x");
        x("SETRANGE", "sr", "9223372036854775808", "x");
        x("SET", "srt", "v", "EX", "1000");
        x("SETRANGE", "srt", "1", "xyz");
        on(Mode.TTL, "TTL", "srt");
        x("GET", "srt");
        // OBJECT ENCODING of values written by SET
        x("SET", "oe1", "12345");
        x("SET", "oe2", "hello");
        x("SET", "oe3", repeat('r', 45));
        x("SET", "oe4", repeat('e', 44));
        x("SET", "oe5", "-123");
        x("SET", "oe6", "0123");
        x("SET", "oe7", "9223372036854775807");
        x("SET", "oe8", "9223372036854775808");
        x("SET", "oe9", "-9223372036854775808");
        x("SET", "oe10", "");
        x("SET", "oe11", " 12");
        x("SET", "oe12", "1.5");
        x("SET", "oe13", "0");
        x("SET", "oe14", "-0");
        x("SET", "oe15", "00000000000000000001");
        x("SET", "oe16", "+1");
        for (int i = 1; i <= 16; i++)
        {
            x("OBJECT", "ENCODING", "oe" + i);
        }
        x("OBJECT", "ENCODING", "missing");
        x("OBJECT", "encoding", "oe1");
        x("OBJECT", "ENCODING");
        x("OBJECT", "ENCODING", "a", "b");
        x("OBJECT", "FOO", "x");
        x("OBJECT");
    }

    private void numbers()
    {
        x("SET", "n1", "10");
        x("INCR", "n1");
        x("DECR", "n1");
        x("INCRBY", "n1", "5");
        x("DECRBY", "n1", "3");
        x("INCRBY", "n1", "-2");
        x("DECRBY", "n1", "-2");
        x("INCRBY", "n1", "0");
        x("GET", "n1");
        x("INCR", "newn");
        x("DECR", "newn2");
        x("INCRBY", "newn3", "7");
        x("DECRBY", "newn4", "7");
        x("SET", "big", "9223372036854775807");
        x("INCR", "big");
        x("INCRBY", "big", "1");
        x("DECRBY", "big", "-1");
        x("INCRBY", "big", "0");
        x("DECR", "big");
        x("GET", "big");
        x("SET", "small", "-9223372036854775808");
        x("DECR", "small");
        x("DECRBY", "small", "1");
        x("INCRBY", "small", "-1");
        x("INCR", "small");
        x("SET", "small", "-9223372036854775808");
        x("INCRBY", "small", "9223372036854775807");
        x("SET", "small", "-9223372036854775808");
        x("DECRBY", "small", "-9223372036854775807");
        x("SET", "zero", "0");
        x("DECRBY", "zero", "-9223372036854775808");
        x("INCRBY", "zero", "-9223372036854775808");
        x("DECRBY", "zero", "9223372036854775807");
        x("DECRBY", "zero", "1");
        x("INCRBY", "n1", "abc");
        x("INCRBY", "n1", "1.5");
        x("INCRBY", "n1", "9223372036854775808");
        x("INCRBY", "n1", "-9223372036854775809");
        x("INCRBY", "n1", "");
        x("INCRBY", "n1", " 1");
        x("INCRBY", "n1", "+1");
        x("INCRBY", "n1", "01");
        x("INCRBY", "n1", "-0");
        x("DECRBY", "n1", "abc");
        x("SET", "str", "abc");
        x("INCR", "str");
        x("DECR", "str");
        x("INCRBY", "str", "1");
        for (final String bad : new String[] {" 1", "1 ", "01", "+1", "-0", "1.0", "", "123456789012345678901",
            "00", "-", "1e3"})
        {
            x("SET", "badn", bad);
            x("INCR", "badn");
        }
        x("SET", "intn", "-5");
        x("INCR", "intn");
        x("SET", "nt", "5", "EX", "1000");
        x("INCR", "nt");
        on(Mode.TTL, "TTL", "nt");
        // INCRBYFLOAT
        x("SET", "f", "10.5");
        x("INCRBYFLOAT", "f", "0.1");
        x("INCRBYFLOAT", "f", "-5");
        x("INCRBYFLOAT", "f", "5.0e3");
        x("INCRBYFLOAT", "f", "5.0E+3");
        x("INCRBYFLOAT", "f", "-10010.6");
        x("GET", "f");
        x("INCRBYFLOAT", "f2", "3");
        x("INCRBYFLOAT", "f2", "3.0");
        x("INCRBYFLOAT", "f3", "-0.0");
        x("INCRBYFLOAT", "f3", ".5");
        x("INCRBYFLOAT", "f3", "5.");
        x("INCRBYFLOAT", "f3", "+1.5");
        x("INCRBYFLOAT", "f4", "0.1");
        x("INCRBYFLOAT", "f4", "0.2");
        x("INCRBYFLOAT", "f5", "1.23456789012345678901");
        x("INCRBYFLOAT", "f6", "0.000000000000000001");
        x("INCRBYFLOAT", "f6", "-0.000000000000000006");
        x("INCRBYFLOAT", "f7", "1e20");
        x("INCRBYFLOAT", "f7", "1.5");
        x("INCRBYFLOAT", "f8", "3.0e-3");
        x("INCRBYFLOAT", "f9", "0x10");
        x("INCRBYFLOAT", "f9", "0x1p3");
        x("INCRBYFLOAT", "f9", "-0X1.8P1");
        x("INCRBYFLOAT", "f9", "0x.8");
        x("INCRBYFLOAT", "f9", "0x");
        x("INCRBYFLOAT", "f9", "0x1p");
        x("INCRBYFLOAT", "f9", "0x1p99999999999");
        x("INCRBYFLOAT", "f9", "0x1p-99999999999");
        x("INCRBYFLOAT", "f9", "0e99999999999");
        x("INCRBYFLOAT", "f9", "1e99999999999");
        x("INCRBYFLOAT", "f9", "1\u0000abc");
        x("GET", "f9");
        x("INCRBYFLOAT", "f10", "1e30");
        x("INCRBYFLOAT", "f10", "1");
        x("INCRBYFLOAT", "f11", "1.7976931348623157e308");
        x("INCRBYFLOAT", "f11", "1.7976931348623157e308");
        x("INCRBYFLOAT", "f12", "3.814697265625e-6");
        x("INCRBYFLOAT", "f12", "0.000000000000000015");
        x("INCRBYFLOAT", "f13", "1.18973149535723176502e4932");
        x("INCRBYFLOAT", "f13", "1e4931");
        x("INCRBYFLOAT", "f14", "1.19e4932");
        x("INCRBYFLOAT", "f14", "1e-4940");
        x("INCRBYFLOAT", "f14", "3e-4951");
        x("INCRBYFLOAT", "f14", "1e-4951");
        x("INCRBYFLOAT", "f15", "-1e-20");
        x("INCRBYFLOAT", "f15", "-0.000000000000000005");
        x("INCRBYFLOAT", "f16", "123456789.123456789");
        x("INCRBYFLOAT", "f16", "-0.1");
        x("INCRBYFLOAT", "f17", "9223372036854775807");
        x("INCRBYFLOAT", "f17", "1");
        x("INCRBYFLOAT", "f", "abc");
        x("INCRBYFLOAT", "f", "");
        x("INCRBYFLOAT", "f", " 1");
        x("INCRBYFLOAT", "f", "1 ");
        x("INCRBYFLOAT", "f", "1,5");
        x("INCRBYFLOAT", "f", "nan");
        x("INCRBYFLOAT", "f", "inf");
        x("INCRBYFLOAT", "f", "-inf");
        x("INCRBYFLOAT", "f", "Infinity");
        x("INCRBYFLOAT", "f", "1e4933");
        x("INCRBYFLOAT", "f", "1e-5000");
        x("INCRBYFLOAT", "f", "e5");
        x("INCRBYFLOAT", "f", "--1");
        x("INCRBYFLOAT", "str", "1");
        x("SET", "finf", "inf");
        x("INCRBYFLOAT", "finf", "1");
        x("SET", "fbig", "1e4932");
        x("INCRBYFLOAT", "fbig", "1e4932");
        x("SET", "fint", "7");
        x("INCRBYFLOAT", "fint", "1");
        x("SET", "fint2", "9223372036854775807");
        x("INCRBYFLOAT", "fint2", "1");
        x("SET", "ft", "1.5", "EX", "1000");
        x("INCRBYFLOAT", "ft", "1");
        on(Mode.TTL, "TTL", "ft");
    }

    private void lcs()
    {
        x("MSET", "lcs1", "ohmytext", "lcs2", "mynewtext");
        x("LCS", "lcs1", "lcs2");
        x("LCS", "lcs1", "lcs2", "LEN");
        x("LCS", "lcs1", "lcs2", "IDX");
        x("LCS", "lcs1", "lcs2", "IDX", "MINMATCHLEN", "4");
        x("LCS", "lcs1", "lcs2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN");
        x("LCS", "lcs1", "lcs2", "IDX", "WITHMATCHLEN");
        x("LCS", "lcs1", "lcs2", "WITHMATCHLEN");
        x("LCS", "lcs1", "lcs2", "MINMATCHLEN", "2");
        x("LCS", "lcs1", "lcs2", "LEN", "IDX");
        x("LCS", "lcs1", "lcs2", "IDX", "LEN");
        x("LCS", "lcs1", "lcs2", "LEN", "LEN");
        x("LCS", "lcs1", "lcs2", "MINMATCHLEN", "abc");
        x("LCS", "lcs1", "lcs2", "IDX", "MINMATCHLEN", "-1");
        x("LCS", "lcs1", "lcs2", "MINMATCHLEN");
        x("LCS", "lcs1", "lcs2", "FOO");
        x("LCS", "lcs1", "missing");
        x("LCS", "missing", "missing2", "IDX");
        x("LCS", "missing", "missing2", "LEN");
        x("LCS", "lcs1");
        x("MSET", "l3", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", "l4", "GTCGTTCGGAATGCCGTTGCTCTGTAAA");
        x("LCS", "l3", "l4");
        x("LCS", "l3", "l4", "IDX", "WITHMATCHLEN");
        x("LCS", "l3", "l4", "IDX", "MINMATCHLEN", "2");
        x("LCS", "l4", "l3", "IDX");
        x("MSET", "l5", "aaaa", "l6", "aa");
        x("LCS", "l5", "l6", "IDX", "WITHMATCHLEN");
        x("LCS", "l5", "l5", "IDX", "WITHMATCHLEN");
        x("MSET", "l7", "abcXdef", "l8", "abcYdef");
        x("LCS", "l7", "l8", "IDX", "WITHMATCHLEN");
    }

    private void bits()
    {
        x("SETBIT", "b", "7", "1");
        x("SETBIT", "b", "7", "0");
        x("SETBIT", "b", "7", "1");
        x("SETBIT", "b", "100", "1");
        x("GET", "b");
        x("GETBIT", "b", "100");
        x("GETBIT", "b", "7");
        x("GETBIT", "b", "0");
        x("GETBIT", "b", "1000000");
        x("GETBIT", "missing", "5");
        x("SETBIT", "b", "-1", "1");
        x("SETBIT", "b", "abc", "1");
        x("SETBIT", "b", "4294967296", "1");
        x("SETBIT", "b", "9223372036854775807", "1");
        x("SETBIT", "b", "1", "2");
        x("SETBIT", "b", "1", "-1");
        x("SETBIT", "b", "1", "abc");
        x("SETBIT", "b", "abc", "abc");
        x("SETBIT", "b", "1", "01");
        x("GETBIT", "b", "-1");
        x("GETBIT", "b", "abc");
        x("GETBIT", "b", "4294967296");
        x("GETBIT", "b", "4294967295");
        x("GETBIT", "missing", "abc");
        x("SET", "bt", "v", "EX", "1000");
        x("SETBIT", "bt", "3", "1");
        on(Mode.TTL, "TTL", "bt");
        // BITCOUNT
        x("SET", "bc", "foobar");
        x("BITCOUNT", "bc");
        for (final String[] range : new String[][] {{"0", "0"}, {"1", "1"}, {"1", "1", "BYTE"}, {"5", "30", "BIT"},
            {"-1", "-1"}, {"-2", "-1", "BIT"}, {"0", "-1", "BIT"}, {"-100", "100"}, {"3", "1"}, {"-1", "-3"},
            {"0", "47", "bit"}, {"0", "48", "BIT"}, {"47", "47", "BIT"}, {"-100", "-90"}, {"100", "200"},
            {"-9223372036854775808", "9223372036854775807"}, {"-9223372036854775808", "-1", "BIT"},
            {"0", "9223372036854775807", "BIT"}, {"-1", "-100", "BIT"}})
        {
            final List<String> args = new ArrayList<>(List.of("BITCOUNT", "bc"));
            args.addAll(Arrays.asList(range));
            x(args.toArray(new String[0]));
        }
        x("BITCOUNT", "bc", "0");
        x("BITCOUNT", "bc", "0", "1", "BOTH");
        x("BITCOUNT", "bc", "a", "1");
        x("BITCOUNT", "bc", "0", "a");
        x("BITCOUNT", "bc", "0", "1", "BIT", "extra");
        x("BITCOUNT", "missing");
        x("BITCOUNT", "missing", "0");
        x("BITCOUNT", "missing", "0", "1", "FOO");
        x("BITCOUNT", "missing", "a", "b");
        x("BITCOUNT", "s5");
        x("BITCOUNT", "s5", "0", "-1");
        x("BITCOUNT", "s5", "0", "-1", "BIT");
        // BITPOS
        x("SET", "bp", "\u00ff\u00f0\u0000");
        x("BITPOS", "bp", "0");
        x("BITPOS", "bp", "1");
        x("BITPOS", "bp", "0", "2");
        x("BITPOS", "bp", "1", "2");
        x("BITPOS", "bp", "1", "2", "-1", "BYTE");
        x("BITPOS", "bp", "0", "7", "15", "BIT");
        x("BITPOS", "bp", "0", "0", "-1", "BIT");
        x("BITPOS", "bp", "1", "-5", "-1", "BIT");
        x("BITPOS", "bp", "1", "-1", "-1");
        x("BITPOS", "bp", "0", "5");
        x("BITPOS", "bp", "1", "3", "1");
        x("BITPOS", "bp", "1", "1", "0");
        x("BITPOS", "bp", "0", "-100", "100");
        x("BITPOS", "bp", "0", "1", "-1", "bit");
        x("BITPOS", "bp", "1", "12", "100", "BIT");
        x("BITPOS", "bp", "0", "100", "200", "BIT");
        x("BITPOS", "bp", "0", "-9223372036854775808", "9223372036854775807");
        x("BITPOS", "bp", "1", "0", "9223372036854775807", "BIT");
        x("SET", "allff", "\u00ff\u00ff");
        x("BITPOS", "allff", "0");
        x("BITPOS", "allff", "0", "0", "-1");
        x("BITPOS", "allff", "0", "0");
        x("BITPOS", "allff", "0", "1");
        x("BITPOS", "allff", "0", "-1");
        x("BITPOS", "allff", "0", "0", "-1", "BIT");
        x("BITPOS", "allff", "0", "8", "-1", "BIT");
        x("BITPOS", "allff", "1", "0", "-1", "BIT");
        x("SET", "all00", "\u0000\u0000");
        x("BITPOS", "all00", "1");
        x("BITPOS", "all00", "0");
        x("BITPOS", "all00", "1", "0", "-1", "BIT");
        x("BITPOS", "s5", "0");
        x("BITPOS", "s5", "1");
        x("BITPOS", "s5", "0", "0", "-1");
        x("BITPOS", "bp", "2");
        x("BITPOS", "bp", "-1");
        x("BITPOS", "bp", "a");
        x("BITPOS", "bp", "1", "a");
        x("BITPOS", "bp", "1", "0", "a");
        x("BITPOS", "bp", "1", "0", "1", "FOO");
        x("BITPOS", "bp", "1", "0", "1", "BIT", "x");
        x("BITPOS", "bp", "1", "0", "BIT");
        x("BITPOS", "missing", "1");
        x("BITPOS", "missing", "0");
        x("BITPOS", "missing", "3");
        x("BITPOS", "missing", "0", "a");
        x("BITPOS", "missing", "0", "1", "2", "FOO");
        x("BITPOS", "bp");
        // BITOP
        x("MSET", "bo1", "foobar", "bo2", "abcdef", "bo3", "ab");
        x("BITOP", "AND", "dest", "bo1", "bo2");
        x("GET", "dest");
        x("BITOP", "OR", "dest", "bo1", "bo2");
        x("GET", "dest");
        x("BITOP", "XOR", "dest", "bo1", "bo2");
        x("GET", "dest");
        x("BITOP", "NOT", "dest", "bo1");
        x("GET", "dest");
        x("BITOP", "and", "dest", "bo1", "bo3");
        x("GET", "dest");
        x("BITOP", "or", "dest", "bo3", "bo1", "missing");
        x("GET", "dest");
        x("BITOP", "xor", "dest", "bo1");
        x("GET", "dest");
        x("BITOP", "NOT", "dest", "bo1", "bo2");
        x("BITOP", "NOT", "dest", "missing");
        x("EXISTS", "dest");
        x("SET", "dest", "x");
        x("BITOP", "AND", "dest", "missing", "missing2");
        x("EXISTS", "dest");
        x("BITOP", "FOO", "dest", "bo1");
        x("BITOP", "AND", "dest");
        x("BITOP", "AND", "bo1", "bo1", "bo2");
        x("GET", "bo1");
        x("SET", "dt", "v", "EX", "1000");
        x("BITOP", "OR", "dt", "bo2");
        x("TTL", "dt");
    }

    private void keyspace()
    {
        x("MSET", "k1", "1", "k2", "2", "k3", "3");
        x("DEL", "k1", "k2", "missing");
        x("DEL", "k3", "k3");
        x("DEL", "missing");
        x("MSET", "k1", "1", "k2", "2");
        x("UNLINK", "k1", "k1", "k2", "missing");
        x("UNLINK", "missing");
        x("MSET", "k1", "1", "k2", "2");
        x("EXISTS", "k1", "k1", "missing", "k2");
        x("EXISTS", "missing");
        x("TYPE", "k1");
        x("TYPE", "missing");
        // RENAME, RENAMENX
        x("SET", "r1", "v1");
        x("RENAME", "r1", "r2");
        x("GET", "r1");
        x("GET", "r2");
        x("RENAME", "missing", "x");
        x("RENAMENX", "missing", "x");
        x("RENAME", "r2", "r2");
        x("RENAMENX", "r2", "r2");
        x("RENAME", "missing", "missing");
        x("SET", "rt", "v", "EX", "1000");
        x("RENAME", "rt", "rt2");
        on(Mode.TTL, "TTL", "rt2");
        x("SET", "r3", "v3");
        x("RENAMENX", "r2", "r3");
        x("RENAMENX", "r2", "r4");
        x("MGET", "r2", "r3", "r4");
        x("SET", "r5", "v5", "EX", "1000");
        x("RENAME", "r4", "r5");
        x("TTL", "r5");
        // COPY
        x("SET", "c1", "cv");
        x("COPY", "c1", "c2");
        x("COPY", "c1", "c2");
        x("SET", "c1", "cv2");
        x("COPY", "c1", "c2", "REPLACE");
        x("GET", "c2");
        x("COPY", "c1", "c1");
        x("COPY", "c1", "c1", "REPLACE");
        x("COPY", "c1", "c1", "DB", "5");
        x("COPY", "c1", "c1", "DB", "6");
        x("COPY", "c1", "c3", "DB", "16");
        x("COPY", "c1", "c3", "DB", "-1");
        x("COPY", "c1", "c3", "DB", "abc");
        x("COPY", "c1", "c3", "DB", "4294967296");
        x("COPY", "c1", "c3", "FOO");
        x("COPY", "c1", "c3", "DB");
        x("COPY", "c1", "c3", "REPLACE", "REPLACE");
        x("COPY", "missing", "c3");
        x("COPY", "missing", "c3", "DB", "99");
        x("COPY", "missing", "missing");
        x("SET", "ct", "v", "EX", "1000");
        x("COPY", "ct", "ct2", "DB", "6");
        x("COPY", "c1", "c4", "db", "6", "replace");
        x("SELECT", "6");
        x("GET", "c1");
        on(Mode.TTL, "TTL", "ct2");
        x("GET", "c4");
        x("DBSIZE");
        x("SELECT", "5");
        x("COPY", "c1");
        x("SET", "cx", "v", "EX", "1000");
        x("SET", "cy", "w");
        x("COPY", "cy", "cx", "REPLACE");
        x("TTL", "cx");
        x("SET", "cx", "v", "EX", "1000");
        x("RENAME", "cy", "cx");
        x("TTL", "cx");
        x("SET", "cz", "v", "EX", "1000");
        x("MSET", "cz", "w");
        x("TTL", "cz");
        x("SET", "cz", "v", "EX", "1000");
        x("SET", "cz", "w", "GET");
        x("TTL", "cz");
        x("SET", "cz", "v", "EX", "1000");
        x("GETDEL", "cz");
        x("TTL", "cz");
        x("SET", "cz", "v", "PX", "50");
        x("SET", "cw", "v", "PX", "50");
        sleep(300);
        x("SETRANGE", "cz", "2", "x");
        x("GET", "cz");
        x("TTL", "cz");
        x("SETBIT", "cw", "9", "1");
        x("GET", "cw");
        x("TTL", "cw");
        x("SET", "cv", "v", "PX", "50");
        sleep(300);
        x("COPY", "c1", "cv");
        x("RENAMENX", "c1", "cv");
        x("MSETNX", "cv", "1", "cu", "2");
        x("SET", "cv", "x", "NX");
        x("INCRBYFLOAT", "cu2", "1.5");
        x("gEt", "c1");
        x("Client", "GetName");
    }

    private void expiry()
    {
        x("SET", "e", "v");
        x("EXPIRE", "e", "1000");
        on(Mode.TTL, "TTL", "e");
        x("EXPIRE", "e", "1000", "NX");
        x("EXPIRE", "e", "2000", "XX");
        on(Mode.TTL, "TTL", "e");
        x("EXPIRE", "e", "500", "GT");
        x("EXPIRE", "e", "5000", "GT");
        on(Mode.TTL, "TTL", "e");
        x("EXPIRE", "e", "100000", "LT");
        x("EXPIRE", "e", "100", "LT");
        on(Mode.TTL, "TTL", "e");
        x("EXPIRE", "e", "100", "lt", "xx");
        x("EXPIRE", "e", "10", "NX", "XX");
        x("EXPIRE", "e", "10", "XX", "NX");
        x("EXPIRE", "e", "10", "GT", "LT");
        x("EXPIRE", "e", "10", "NX", "GT");
        x("EXPIRE", "e", "10", "NX", "LT");
        x("EXPIRE", "e", "10", "FOO");
        x("EXPIRE", "e", "abc", "FOO");
        x("EXPIRE", "e", "abc");
        x("EXPIRE", "e", "1.5");
        x("EXPIRE", "e", "abc", "NX", "XX");
        x("EXPIRE", "missing", "10");
        x("EXPIRE", "missing", "abc");
        x("EXPIRE", "missing", "-1");
        x("PERSIST", "e");
        x("PERSIST", "e");
        x("PERSIST", "missing");
        x("TTL", "e");
        x("EXPIRE", "e", "100", "XX");
        x("EXPIRE", "e", "100", "GT");
        x("EXPIRE", "e", "100", "LT");
        on(Mode.TTL, "TTL", "e");
        x("PERSIST", "e");
        x("EXPIRE", "e", "-5", "GT");
        x("EXISTS", "e");
        x("EXPIRE", "e", "9223372036854775807");
        x("EXPIRE", "e", "-9223372036854775808");
        x("EXPIRE", "e", "9223372036854775");
        x("EXPIRE", "e", "9223372036854776");
        x("EXPIRE", "e", "-9223372036854775");
        x("EXPIRE", "e", "-9223372036854776");
        x("EXISTS", "e");
        x("PEXPIRE", "e", "9223372036854775807");
        x("PEXPIREAT", "e", "9223372036854775807");
        x("PEXPIRETIME", "e");
        x("EXPIREAT", "e", "9223372036854775807");
        x("EXPIREAT", "e", "9223372036854775");
        x("PEXPIRETIME", "e");
        x("EXPIRETIME", "e");
        x("PERSIST", "e");
        x("EXPIRE", "e", "-1");
        x("EXISTS", "e");
        x("SET", "e", "v");
        x("EXPIRE", "e", "0");
        x("EXISTS", "e");
        x("SET", "e", "v");
        x("EXPIRE", "e", "-9223372036854775");
        x("EXISTS", "e");
        x("SET", "p", "v");
        x("PEXPIRE", "p", "100000");
        on(Mode.PTTL, "PTTL", "p");
        on(Mode.TTL, "TTL", "p");
        x("PEXPIREAT", "p", "4102444800123");
        x("PEXPIRETIME", "p");
        x("EXPIRETIME", "p");
        x("EXPIREAT", "p", "4102444800");
        x("PEXPIRETIME", "p");
        x("EXPIRETIME", "p");
        x("EXPIREAT", "p", "4102444801", "GT");
        x("EXPIREAT", "p", "4102444799", "GT");
        x("EXPIREAT", "p", "4102444799", "LT");
        x("EXPIRETIME", "p");
        x("PEXPIREAT", "p", "4102444799001", "LT");
        x("PEXPIRETIME", "p");
        x("PEXPIREAT", "p", "4102444799001", "NX");
        x("PEXPIREAT", "p", "abc");
        x("PEXPIRE", "p", "abc");
        x("EXPIREAT", "p", "abc");
        x("EXPIREAT", "p", "1");
        x("EXISTS", "p");
        x("EXPIREAT", "missing", "4102444800");
        x("PEXPIREAT", "missing", "4102444800000");
        x("SET", "p", "v");
        x("PEXPIREAT", "p", "0");
        x("EXISTS", "p");
        x("SET", "p", "v");
        x("PEXPIRE", "p", "-1", "NX");
        x("EXISTS", "p");
        x("TTL", "missing");
        x("PTTL", "missing");
        x("EXPIRETIME", "missing");
        x("PEXPIRETIME", "missing");
        x("SET", "nottl", "v");
        x("TTL", "nottl");
        x("PTTL", "nottl");
        x("EXPIRETIME", "nottl");
        x("PEXPIRETIME", "nottl");
        // keys that expire while the list runs
        x("SET", "px1", "v", "PX", "50");
        x("PSETEX", "px2", "50", "v");
        x("SET", "px3", "v");
        x("PEXPIRE", "px3", "50");
        x("SET", "px4", "v");
        x("GETEX", "px4", "PX", "50");
        sleep(300);
        x("GET", "px1");
        x("EXISTS", "px2");
        x("TTL", "px3");
        x("PTTL", "px4");
        x("SET", "px1", "again", "XX");
        x("SET", "px2", "again", "NX");
        x("GET", "px2");
        x("APPEND", "px3", "fresh");
        x("GET", "px3");
        x("INCR", "px4");
        x("TTL", "px4");
        // SETEX past etc
        x("SET", "px5", "v", "PX", "50");
        sleep(300);
        x("RENAME", "px5", "px6");
        x("COPY", "px5", "px6");
        x("EXPIRE", "px5", "100");
        x("PERSIST", "px5");
        x("GETDEL", "px5");
        x("STRLEN", "px5");
        x("OBJECT", "ENCODING", "px5");
    }

    private void patterns()
    {
        x("SELECT", "7");
        x("FLUSHDB");
        x("KEYS", "*");
        on(Mode.SCAN, "SCAN", "0");
        x("SCAN", "-1");
        x("SCAN", "+5");
        x("SCAN", "18446744073709551615");
        x("SCAN", "18446744073709551616");
        x("SCAN", "abc");
        x("SCAN", " 1");
        x("SCAN", "1 ");
        x("SCAN", "");
        x("SCAN", "0x10");
        x("SCAN", "0\u0000x");
        x("SCAN", "-18446744073709551615");
        x("SCAN", "-18446744073709551616");
        x("SCAN", "-");
        x("SCAN", "+");
        x("SCAN", "-0");
        x("SCAN", "0", "COUNT", "0");
        x("SCAN", "0", "COUNT", "-1");
        x("SCAN", "0", "COUNT", "abc");
        x("SCAN", "0", "COUNT");
        x("SCAN", "0", "MATCH");
        x("SCAN", "0", "TYPE");
        x("SCAN", "0", "FOO", "bar");
        x("SCAN", "abc", "COUNT", "abc");
        x("SCAN", "0", "COUNT", "abc", "FOO");
        x("RANDOMKEY");
        x("SET", "only", "1");
        x("RANDOMKEY");
        x("DEL", "only");
        x("MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "h*llo", "6", "h[a]llo", "7",
            "h\\llo", "8", "h?llo", "9", "a-b", "10", "]", "11", "[", "12", "\\", "13", "^", "14", "x]", "15", "", "16",
            "ab", "17", "a", "18", "\u00e9t\u00e9", "19", "-", "20", "a*", "21", "hell", "22");
        x("DBSIZE");
        on(Mode.SORTED, "KEYS", "*");
        for (final String pattern : new String[] {"h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo",
            "h\\*llo", "h\\[a\\]llo", "h[", "h[a", "h[^", "[", "\\", "h\\", "*[", "h[a-]llo", "h[-a]llo", "h[\\]]llo",
            "[]]", "[\\]]", "[]", "[^]", "*\\", "\\\\", "**", "***", "*?", "?*", "?", "", "a", "a*", "a**", "*a*",
            "[\\^]", "[a-]", "[-]", "x[]]", "h[a]llo", "h\\[a]llo", "[a-c]*", "*[^a-z]*", "\u00e9*", "[\u00e0-\u00ff]*",
            "[a-\u00ff]*", "[\u00ff-a]*", "h*l*o", "h*e*l*l*o", "*l", "*llo*", "h\\ello", "h[\\e]llo", "[^\\]]",
            "[", "[^", "nomatch*", "h??lo", "he*", "*-*", "[*]", "[?]"})
        {
            on(Mode.SORTED, "KEYS", pattern);
        }
        x("KEYS");
        x("KEYS", "a", "b");
        on(Mode.SCAN, "SCAN", "0");
        on(Mode.SCAN, "SCAN", "0", "MATCH", "h*llo");
        on(Mode.SCAN, "SCAN", "0", "MATCH", "h[ae]llo", "COUNT", "2");
        on(Mode.SCAN, "SCAN", "0", "COUNT", "1");
        on(Mode.SCAN, "SCAN", "0", "COUNT", "1000");
        on(Mode.SCAN, "SCAN", "0", "TYPE", "string");
        on(Mode.SCAN, "SCAN", "0", "TYPE", "STRING");
        on(Mode.SCAN, "SCAN", "0", "TYPE", "list");
        on(Mode.SCAN, "SCAN", "0", "TYPE", "foo");
        on(Mode.SCAN, "SCAN", "0", "match", "*", "type", "string", "count", "3");
        on(Mode.SCAN, "SCAN", "0", "MATCH", "a*", "MATCH", "h*");
        on(Mode.SCAN, "SCAN", "0", "MATCH", "**");
        on(Mode.SCAN, "SCAN", "0", "MATCH", "*");
        x("SCAN");
        x("RANDOMKEY", "x");
        // FLUSHDB, FLUSHALL and SELECT
        x("FLUSHDB", "FOO");
        x("FLUSHDB", "ASYNC", "SYNC");
        x("FLUSHALL", "FOO");
        x("FLUSHDB", "ASYNC");
        x("DBSIZE");
        x("SET", "x", "1");
        x("FLUSHDB", "sync");
        x("DBSIZE");
        x("SELECT", "15");
        x("SET", "in15", "v");
        x("DBSIZE");
        x("SELECT", "0");
        x("GET", "in15");
        x("SELECT", "16");
        x("SELECT", "-1");
        x("SELECT", "abc");
        x("SELECT", "1.5");
        x("SELECT", "4294967296");
        x("SELECT", "2147483648");
        x("SELECT", "9223372036854775808");
        x("SELECT", "");
        x("SELECT", " 1");
        x("SELECT", "01");
        x("SELECT");
        x("SELECT", "1", "2");
        x("GET", "in15");
        x("SELECT", "15");
        x("GET", "in15");
        x("FLUSHALL", "SYNC");
        x("DBSIZE");
        x("SELECT", "5");
        x("DBSIZE");
        x("SELECT", "8");
        x("RANDOMKEY");
    }

    private void connection()
    {
        x("PING");
        x("PING", "hello");
        x("PING", "");
        x("PING", "a", "b");
        x("ping");
        x("ECHO", "x");
        x("ECHO", "");
        x("ECHO", "\u0000\r\n");
        x("ECHO");
        x("ECHO", "a", "b");
        on(Mode.HELLO, "HELLO", "2");
        on(Mode.HELLO, "HELLO");
        x("HELLO", "4");
        x("HELLO", "1");
        x("HELLO", "0");
        x("HELLO", "-1");
        x("HELLO", "abc");
        x("HELLO", "2.0");
        x("HELLO", "9223372036854775808");
        on(Mode.HELLO, "HELLO", "2", "SETNAME", "myname");
        x("CLIENT", "GETNAME");
        x("HELLO", "2", "SETNAME", "bad name");
        x("CLIENT", "GETNAME");
        x("HELLO", "2", "FOO");
        x("HELLO", "2", "SETNAME");
        x("HELLO", "2", "AUTH", "default");
        on(Mode.HELLO, "HELLO", "2", "AUTH", "default", "anything");
        x("HELLO", "2", "AUTH", "bob", "pw");
        x("HELLO", "4", "AUTH", "bob", "pw");
        x("HELLO", "2", "AUTH", "bob", "pw", "SETNAME", "x");
        x("HELLO", "2", "SETNAME", "a b", "AUTH", "bob", "pw");
        x("AUTH", "pw");
        x("AUTH", "default", "pw");
        x("AUTH", "bob", "pw");
        x("AUTH", "a", "b", "c");
        x("AUTH");
        x("CLIENT", "SETNAME", "foo");
        x("CLIENT", "GETNAME");
        x("CLIENT", "SETNAME", "a b");
        x("CLIENT", "SETNAME", "a\nb");
        x("CLIENT", "SETNAME", "\u00e9");
        x("CLIENT", "GETNAME");
        x("CLIENT", "SETNAME", "");
        x("CLIENT", "GETNAME");
        x("CLIENT", "setname", "bar");
        x("client", "getname");
        x("CLIENT", "GETNAME", "x");
        x("CLIENT", "SETNAME");
        x("CLIENT", "SETNAME", "a", "b");
        x("CLIENT", "FOO");
        x("CLIENT");
        on(Mode.ID, "CLIENT", "ID");
        x("CLIENT", "ID", "x");
        on(Mode.TIME, "TIME");
        x("TIME", "x");
    }

    private void arityAndUnknown()
    {
        x("FOO");
        x("FOO", "a", "b");
        x("foo", "a b", "");
        x("FOO", repeat('x', 200));
        x("FOO", repeat('a', 100), repeat('b', 100));
        x("FOO", repeat('a', 127), "b", "c");
        x("FOO", repeat('a', 126), "b", "c");
        x("FOO", "a\u0000b", "c");
        x("F\u0000OO", "a");
        x("GET");
        x("GET", "a", "b");
        x("SET");
        x("SET", "k");
        x("GETDEL");
        x("GETEX");
        x("GETSET", "k");
        x("SETNX", "k");
        x("SETEX", "k", "1");
        x("PSETEX", "k", "1");
        x("MSET");
        x("MSET", "a");
        x("MSETNX", "a");
        x("MGET");
        x("APPEND", "k");
        x("STRLEN");
        x("GETRANGE", "k", "0");
        x("SETRANGE", "k", "0");
        x("INCR");
        x("INCR", "a", "b");
        x("DECR");
        x("INCRBY", "k");
        x("DECRBY", "k");
        x("INCRBYFLOAT", "k");
        x("SETBIT", "k", "1");
        x("GETBIT", "k");
        x("BITCOUNT");
        x("BITOP", "AND");
        x("DEL");
        x("UNLINK");
        x("EXISTS");
        x("TYPE");
        x("RENAME", "k");
        x("RENAMENX", "k");
        x("EXPIRE", "k");
        x("PEXPIRE", "k");
        x("EXPIREAT", "k");
        x("PEXPIREAT", "k");
        x("TTL");
        x("PTTL", "a", "b");
        x("EXPIRETIME");
        x("PEXPIRETIME");
        x("PERSIST");
        x("DBSIZE", "x");
        x("FLUSHALL", "a", "b");
        x("LCS");
    }

    /** Seeded (the same list every run): bit ranges, LCS of small alphabets, glob patterns against odd keys. */
    private void randomized()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(19);
        x("SELECT", "9");
        x("FLUSHDB");
        for (int v = 0; v < 6; v++)
        {
            final StringBuilder value = new StringBuilder();
            final int length = v == 0 ? 1 : random.nextInt(1, 7);
            for (int i = 0; i < length; i++)
            {
                value.append((char)(random.nextBoolean() ? random.nextInt(256) : random.nextBoolean() ? 0 : 0xFF));
            }
            x("SET", "rb" + v, value.toString());
            for (int i = 0; i < 25; i++)
            {
                final String start = Integer.toString(random.nextInt(-60, 60));
                final String end = Integer.toString(random.nextInt(-60, 60));
                final String unit = random.nextBoolean() ? "BIT" : "BYTE";
                final String bit = Integer.toString(random.nextInt(2));
                x("BITCOUNT", "rb" + v, start, end, unit);
                x("BITPOS", "rb" + v, bit, start, end, unit);
                x("BITPOS", "rb" + v, bit, start);
                x("GETRANGE", "rb" + v, start, end);
                x("GETBIT", "rb" + v, Integer.toString(random.nextInt(0, 60)));
            }
        }
        for (int i = 0; i < 40; i++)
        {
            final String alphabet = i % 2 == 0 ? "ab" : "abc";
            final StringBuilder a = new StringBuilder();
            final StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(0, 14); n > 0; n--)
            {
                a.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            for (int n = random.nextInt(0, 14); n > 0; n--)
            {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            x("MSET", "la", a.toString(), "lb", b.toString());
            x("LCS", "la", "lb");
            x("LCS", "la", "lb", "LEN");
            x("LCS", "la", "lb", "IDX", "WITHMATCHLEN");
            x("LCS", "la", "lb", "IDX", "MINMATCHLEN", Integer.toString(random.nextInt(0, 4)));
        }
        x("FLUSHDB");
        final String keyBytes = "ab-]^\\[*?\u00e9";
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < 60; i++)
        {
            final StringBuilder key = new StringBuilder();
            for (int n = random.nextInt(0, 5); n > 0; n--)
            {
                key.append(keyBytes.charAt(random.nextInt(keyBytes.length())));
            }
            keys.add(key.toString());
            keys.add("v");
        }
        final List<String> mset = new ArrayList<>(List.of("MSET"));
        mset.addAll(keys);
        x(mset.toArray(new String[0]));
        final String patternBytes = "ab-]^\\[*?\u00e9\u00ff";
        for (int i = 0; i < 400; i++)
        {
            final StringBuilder pattern = new StringBuilder();
            for (int n = random.nextInt(0, 7); n > 0; n--)
            {
                pattern.append(patternBytes.charAt(random.nextInt(patternBytes.length())));
            }
            on(Mode.SORTED, "KEYS", pattern.toString());
        }
        x("FLUSHDB");
        x("SELECT", "5");
    }

    /** Inline commands, and requests that break the protocol (each on a new connection). */
    private void protocol()
    {
        on(Mode.INLINE, "PING\r\n");
        on(Mode.INLINE, "  PING  \r\n");
        on(Mode.INLINE, "ECHO \"a\\x41b\\n\"\r\n");
        on(Mode.INLINE, "SET il 'x y'\n");
        on(Mode.INLINE, "GET il\r\n");
        on(Mode.INLINE, "ECHO 'it\\'s'\r\n");
        on(Mode.INLINE, "ECHO \"\"\r\n");
        on(Mode.INLINE, "ECHO a\tb\r\n");
        on(Mode.INLINE, "\r\nPING\r\n");
        on(Mode.INLINE, "*1\r\n$4\r\nPING\r\n");
        on(Mode.INLINE, "*0\r\n*1\r\n$4\r\nPING\r\n");
        on(Mode.INLINE, "*-1\r\n*1\r\n$4\r\nPING\r\n");
        on(Mode.INLINE, "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n");
        on(Mode.PROTOCOL, "*1\r\nfoo\r\n");
        on(Mode.PROTOCOL, "*abc\r\n");
        on(Mode.PROTOCOL, "*1\r\n$abc\r\n");
        on(Mode.PROTOCOL, "*1\r\n$-5\r\n");
        on(Mode.PROTOCOL, "*1\r\n$-1\r\n");
        on(Mode.PROTOCOL, "*1\r\n$2147483648\r\n");
        on(Mode.PROTOCOL, "*1\r\n$536870913\r\n");
        on(Mode.PROTOCOL, "*2147483648\r\n");
        on(Mode.PROTOCOL, "*+1\r\n$4\r\nPING\r\n");
        on(Mode.PROTOCOL, "*1\r\n$+4\r\nPING\r\n");
        on(Mode.PROTOCOL, "*01\r\n$4\r\nPING\r\n");
        on(Mode.PROTOCOL, "ECHO \"a\r\n");
        on(Mode.PROTOCOL, "ECHO 'a\r\n");
        on(Mode.PROTOCOL, "ECHO \"a\"b\r\n");
        on(Mode.PROTOCOL, "ECHO 'a'b\r\n");
        on(Mode.PROTOCOL, "ECHO \"\\x4\"\r\n");
        on(Mode.PROTOCOL, "*1\r\n$4\r\nPING\r\n");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // running it

    @Test
    void shouldAnswerAsRedisDoes() throws Exception
    {
        commands();
        final List<String> mismatches = new ArrayList<>();
        final InetSocketAddress redisAddress = new InetSocketAddress("127.0.0.1", redisPort);
        RawClient r = new RawClient(redisAddress);
        RawClient f = new RawClient(primary.respAddress());
        String db = "0";
        try
        {
            for (final Step step : steps)
            {
                if (step.mode() == Mode.SLEEP)
                {
                    Thread.sleep(step.sleepMillis());
                    continue;
                }
                String redisReply;
                String ferryReply;
                try
                {
                    redisReply = run(r, step);
                    ferryReply = run(f, step);
                }
                catch (final IOException ex)
                {
                    // a server that does not answer: note it, and go on with new connections on the same database
                    mismatches.add(step.text() + "\n      failed: " + ex);
                    r.close();
                    f.close();
                    r = new RawClient(redisAddress);
                    f = new RawClient(primary.respAddress());
                    r.call("SELECT", db);
                    f.call("SELECT", db);
                    continue;
                }
                if (!same(step.mode(), redisReply, ferryReply))
                {
                    mismatches.add(step.text() + "\n      redis: " + redisReply + "\n      ferry: " + ferryReply);
                }
                else if (redisReply.equals("+OK") && step.args().size() == 2 &&
                    new String(step.args().get(0), StandardCharsets.ISO_8859_1).equalsIgnoreCase("select"))
                {
                    db = new String(step.args().get(1), StandardCharsets.ISO_8859_1);
                }
            }
        }
        finally
        {
            r.close();
            f.close();
        }
        if (!mismatches.isEmpty())
        {
            fail(mismatches.size() + " mismatch(es) in " + steps.size() + " commands:\n  " +
                String.join("\n  ", mismatches));
        }
        assertTrue(steps.size() > 500, "the command list");
    }

    private static String run(final RawClient client, final Step step) throws IOException
    {
        switch (step.mode())
        {
            case SCAN ->
            {
                return scan(client, step.args());
            }
            case QUIT ->
            {
                final String reply = client.call(step.args()).render();
                return reply + (client.closed() ? " (closed)" : " (open)");
            }
            case INLINE ->
            {
                return client.raw(step.args().get(0)).render();
            }
            case PROTOCOL ->
            {
                try (RawClient fresh = new RawClient(client.address()))
                {
                    final Reply reply = fresh.raw(step.args().get(0));
                    final boolean protocolError = reply.type() == '-' &&
                        new String(reply.text(), StandardCharsets.ISO_8859_1).startsWith("ERR Protocol error");
                    return reply.render() + (protocolError ? fresh.closed() ? " (closed)" : " (open)" : "");
                }
            }
            default ->
            {
                return normalize(step.mode(), client.call(step.args()));
            }
        }
    }

    private static String normalize(final Mode mode, final Reply reply)
    {
        return switch (mode)
        {
            case SORTED ->
            {
                if (reply.type() != '*' || reply.items() == null)
                {
                    yield reply.render();
                }
                final List<String> items = new ArrayList<>();
                for (final Reply item : reply.items())
                {
                    items.add(item.render());
                }
                items.sort(null);
                yield "*" + items + " (sorted)";
            }
            case HELLO ->
            {
                if (reply.type() != '*' || reply.items() == null)
                {
                    yield reply.render();
                }
                final List<String> items = new ArrayList<>();
                for (int i = 0; i < reply.items().size(); i++)
                {
                    final Reply item = reply.items().get(i);
                    final boolean variable = i % 2 == 1 && reply.items().get(i - 1).text() != null &&
                        List.of("version", "id").contains(new String(reply.items().get(i - 1).text(),
                            StandardCharsets.ISO_8859_1));
                    items.add(variable ? item.type() + "<" + reply.items().get(i - 1).render() + ">" : item.render());
                }
                yield "*" + items;
            }
            case TIME ->
            {
                final boolean shape = reply.type() == '*' && reply.items() != null && reply.items().size() == 2 &&
                    reply.items().stream().allMatch(item -> item.type() == '$' && item.text() != null &&
                        item.text().length > 0 && new String(item.text(), StandardCharsets.ISO_8859_1).matches("[0-9]+"));
                yield shape ? "*[$<seconds>, $<microseconds>]" : reply.render();
            }
            case ID -> reply.type() == ':' && reply.integer() > 0 ? ":<id>" : reply.render();
            default -> reply.render();
        };
    }

    private static String scan(final RawClient client, final List<byte[]> args) throws IOException
    {
        final TreeSet<String> keys = new TreeSet<>();
        final List<byte[]> request = new ArrayList<>(args);
        for (int calls = 0; calls < 10_000; calls++)
        {
            final Reply reply = client.call(request);
            if (reply.type() != '*' || reply.items() == null || reply.items().size() != 2 ||
                reply.items().get(0).type() != '$' || reply.items().get(1).type() != '*')
            {
                return reply.render();
            }
            for (final Reply key : reply.items().get(1).items())
            {
                keys.add(key.render());
            }
            final byte[] cursor = reply.items().get(0).text();
            if (Arrays.equals(cursor, "0".getBytes(StandardCharsets.US_ASCII)))
            {
                return "scan " + keys;
            }
            request.set(1, cursor);
        }
        return "scan did not end";
    }

    private static boolean same(final Mode mode, final String redisReply, final String ferryReply)
    {
        if (mode != Mode.TTL && mode != Mode.PTTL || !redisReply.startsWith(":") || !ferryReply.startsWith(":"))
        {
            return redisReply.equals(ferryReply);
        }
        final long r = Long.parseLong(redisReply.substring(1));
        final long f = Long.parseLong(ferryReply.substring(1));
        if (r < 0 || f < 0)
        {
            return r == f;
        }
        return Math.abs(r - f) <= (mode == Mode.TTL ? TTL_TOLERANCE_SECONDS : TTL_TOLERANCE_MS);
    }
}
