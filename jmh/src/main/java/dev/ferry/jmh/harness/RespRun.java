package dev.ferry.jmh.harness;

import org.HdrHistogram.Histogram;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ferry against Redis by the same client in the same run (issue 19): {@code redis-benchmark -t set} with 50 clients
 * and pipelines of 16 against a Ferry primary with one replica ({@code ferry primary --resp}, {@code ferry replica
 * --resp}, each in a JVM of its own) and against {@code redis-server} with one replica, both persisting: Redis with
 * {@code appendonly yes, appendfsync everysec} (the primary and its replica), and Redis' defaults (RDB snapshots, no
 * AOF); Ferry with its defaults ({@code --sync batch}: every acknowledged write fsynced, one fsync per cycle of
 * commands, as Redis' {@code appendfsync always} would) and with {@code --sync interval} (at most one sync per
 * interval, Redis' {@code everysec}); then {@code -t get} against each replica; then the replication lag (a write on
 * the primary until a reader polling the replica sees it) for Ferry's defaults and Redis with AOF. Skipped, saying so, where Debian's {@code redis-server}
 * and {@code redis-benchmark} are not installed.
 */
final class RespRun
{
    private static final int CLIENTS = 50;
    private static final int PIPELINE = 16;
    private static final int KEYSPACE = 100_000;

    private final BenchOptions options;
    private final BenchOutput output;

    RespRun(final BenchOptions options, final BenchOutput output)
    {
        this.options = options;
        this.output = output;
    }

    static boolean available()
    {
        return executable("redis-server") != null && executable("redis-benchmark") != null;
    }

    private static String executable(final String name)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        {
            if (Files.isExecutable(Path.of(directory, name)))
            {
                return Path.of(directory, name).toString();
            }
        }
        return null;
    }

    /** A server process, stopped on close. */
    private interface Stop extends AutoCloseable
    {
        @Override
        void close();
    }

    /** A pair of servers under test: a primary and its replica, on loopback. */
    private record Pair(String name, int primary, int replica, List<Stop> processes) implements AutoCloseable
    {
        @Override
        public void close()
        {
            for (int i = processes.size() - 1; i >= 0; i--)
            {
                processes.get(i).close();
            }
        }
    }

    void run(final Path scratch) throws Exception
    {
        if (!available())
        {
            output.done("resp: skipped: redis-server and redis-benchmark are not installed (apt-get install redis-server " +
                "redis-tools)");
            return;
        }
        final int requests = options.quick ? 200_000 : 1_000_000;
        final int lagSamples = options.quick ? 2000 : 10_000;
        final Histogram ferryLag;
        final Histogram ferryIntervalLag;
        final Histogram redisLag;
        try (Pair ferry = ferry(scratch, "ferry", List.of()))
        {
            warm(ferry, requests);
            output.throughput("throughput.resp.set.ferry", benchmark(ferry.primary(), "set", requests),
                "throughput.resp.set.redisAof");
            output.throughput("throughput.resp.get.ferryReplica", benchmark(ferry.replica(), "get", requests),
                "throughput.resp.get.redisReplica");
            ferryLag = lag(ferry, lagSamples);
        }
        try (Pair ferry = ferry(scratch, "ferry-interval", List.of("--sync", "interval")))
        {
            warm(ferry, requests);
            output.throughput("throughput.resp.set.ferrySyncInterval", benchmark(ferry.primary(), "set", requests),
                "throughput.resp.set.redisAof");
            ferryIntervalLag = lag(ferry, lagSamples);
        }
        try (Pair redis = redis(scratch, "redis-aof", true))
        {
            warm(redis, requests / 4);
            output.throughput("throughput.resp.set.redisAof", benchmark(redis.primary(), "set", requests), null);
            output.throughput("throughput.resp.get.redisReplica", benchmark(redis.replica(), "get", requests), null);
            redisLag = lag(redis, lagSamples);
        }
        try (Pair redis = redis(scratch, "redis-default", false))
        {
            warm(redis, requests / 4);
            output.throughput("throughput.resp.set.redisDefault", benchmark(redis.primary(), "set", requests),
                "throughput.resp.set.redisAof");
        }
        output.writeHlog("resp-lag-ferry.hlog", ferryLag, "write on a Ferry primary until visible on its replica (ns)");
        output.writeHlog("resp-lag-ferry-interval.hlog", ferryIntervalLag, "write on a Ferry primary until visible on " +
            "its replica, both --sync interval (ns)");
        output.writeHlog("resp-lag-redis.hlog", redisLag, "write on a Redis primary (AOF everysec) until visible on " +
            "its replica (ns)");
        output.latency("latency.resp.replicationLag.ferry", ferryLag, "resp-lag-ferry.hlog", "latency.resp.replicationLag.redis");
        output.latency("latency.resp.replicationLag.ferrySyncInterval", ferryIntervalLag, "resp-lag-ferry-interval.hlog",
            "latency.resp.replicationLag.redis");
        output.latency("latency.resp.replicationLag.redis", redisLag, "resp-lag-redis.hlog", null);
        output.done(String.format("resp: replication lag p50/p99: Ferry %.1f/%.1f us, Ferry --sync interval %.1f/%.1f us, " +
            "Redis %.1f/%.1f us", ferryLag.getValueAtPercentile(50) / 1e3, ferryLag.getValueAtPercentile(99) / 1e3,
            ferryIntervalLag.getValueAtPercentile(50) / 1e3, ferryIntervalLag.getValueAtPercentile(99) / 1e3,
            redisLag.getValueAtPercentile(50) / 1e3, redisLag.getValueAtPercentile(99) / 1e3));
    }

    /**
     * @param flags given to both nodes (e.g. {@code --sync interval}).
     */
    private Pair ferry(final Path scratch, final String name, final List<String> flags) throws Exception
    {
        final int listen = Host.freePort();
        final int primaryResp = Host.freePort();
        final int replicaResp = Host.freePort();
        final List<Stop> processes = new ArrayList<>();
        final ChildJvm primary = new ChildJvm(scratch.resolve(name + "-primary.log"), "dev.ferry.engine.cli.Ferry",
            concat(List.of("primary", "--wal", scratch.resolve(name + "-primary").toString(), "--listen",
                "127.0.0.1:" + listen, "--insecure-no-secret", "--resp", "127.0.0.1:" + primaryResp), flags));
        processes.add(primary::close);
        Host.awaitLog(primary, "listening", Duration.ofSeconds(60));
        final ChildJvm replica = new ChildJvm(scratch.resolve(name + "-replica.log"), "dev.ferry.engine.cli.Ferry",
            concat(List.of("replica", "--wal", scratch.resolve(name + "-replica").toString(), "--primary",
                "127.0.0.1:" + listen, "--id", "r1", "--insecure-no-secret", "--resp", "127.0.0.1:" + replicaResp), flags));
        processes.add(replica::close);
        Host.awaitLog(replica, "streaming from", Duration.ofSeconds(60));
        final Pair pair = new Pair(name, primaryResp, replicaResp, processes);
        awaitAnswer(pair.primary());
        awaitAnswer(pair.replica());
        return pair;
    }

    private static List<String> concat(final List<String> first, final List<String> second)
    {
        final List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private Pair redis(final Path scratch, final String name, final boolean aof) throws Exception
    {
        final int primaryPort = Host.freePort();
        final int replicaPort = Host.freePort();
        final List<Stop> processes = new ArrayList<>();
        processes.add(redisServer(scratch, name + "-primary", primaryPort, aof, null));
        awaitAnswer(primaryPort);
        processes.add(redisServer(scratch, name + "-replica", replicaPort, aof, primaryPort));
        awaitAnswer(replicaPort);
        final Pair pair = new Pair(name, primaryPort, replicaPort, processes);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ask(replicaPort, "INFO", "replication").contains("master_link_status:up"))
        {
            if (System.nanoTime() > deadline)
            {
                pair.close();
                throw new IllegalStateException("the Redis replica did not link to its primary");
            }
            Thread.sleep(20);
        }
        return pair;
    }

    private static Stop redisServer(final Path scratch, final String name, final int port, final boolean aof,
        final Integer replicaOf) throws IOException
    {
        final Path dir = Files.createDirectories(scratch.resolve(name));
        final List<String> command = new ArrayList<>(List.of(executable("redis-server"), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--logfile", "redis.log"));
        if (aof)
        {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "everysec"));
        }
        if (replicaOf != null)
        {
            command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(replicaOf)));
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        return () ->
        {
            process.destroy();
            try
            {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        };
    }

    /** The same work before it is measured, on both nodes (a JVM's first 100,000s of requests run interpreted). */
    private void warm(final Pair pair, final int requests) throws Exception
    {
        output.progress("resp: warming up " + pair.name());
        benchmark(pair.primary(), "set", requests);
        benchmark(pair.replica(), "get", requests);
    }

    /** {@code redis-benchmark -t TEST}: requests per second. */
    private double benchmark(final int port, final String test, final int requests) throws Exception
    {
        output.progress("resp: redis-benchmark -t " + test + " -n " + requests + " on port " + port);
        final Process process = new ProcessBuilder(executable("redis-benchmark"), "-h", "127.0.0.1", "-p",
            Integer.toString(port), "-t", test, "-n", Integer.toString(requests), "-c", Integer.toString(CLIENTS), "-P",
            Integer.toString(PIPELINE), "-r", Integer.toString(KEYSPACE), "--csv").redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new IllegalStateException("redis-benchmark failed: " + out);
        }
        for (final String line : out.split("\n"))
        {
            final String[] fields = line.replace("\"", "").split(",");
            if (fields.length > 1 && fields[0].equalsIgnoreCase(test))
            {
                final double rps = Double.parseDouble(fields[1]);
                output.done(String.format("resp: redis-benchmark -t %s -n %d -c %d -P %d -r %d on port %d: %.0f requests/s",
                    test, requests, CLIENTS, PIPELINE, KEYSPACE, port, rps));
                return rps;
            }
        }
        throw new IllegalStateException("no " + test + " line in redis-benchmark's output: " + out);
    }

    /** Write on the primary, then poll the replica until it reads the value: the time from the write's reply on. */
    private Histogram lag(final Pair pair, final int samples) throws Exception
    {
        output.progress("resp: replication lag of " + pair.name());
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (RawClient writer = new RawClient(pair.primary()); RawClient reader = new RawClient(pair.replica()))
        {
            for (int i = 0; i < samples + 200; i++)
            {
                final String value = Integer.toString(i);
                final long start = System.nanoTime();
                writer.call("SET", "lag", value);
                final long deadline = start + TimeUnit.SECONDS.toNanos(10);
                while (!value.equals(reader.call("GET", "lag")))
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new IllegalStateException(pair.name() + "'s replica did not see a write within 10 s");
                    }
                }
                if (i >= 200) // the first ones warm the path up
                {
                    histogram.recordValue(Math.min(System.nanoTime() - start, histogram.getHighestTrackableValue()));
                }
                Thread.sleep(0, 500_000);
            }
        }
        return histogram;
    }

    private static void awaitAnswer(final int port) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try (RawClient client = new RawClient(port))
            {
                if ("PONG".equals(client.call("PING")))
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("nothing answers PING on port " + port, ex);
                }
            }
            Thread.sleep(20);
        }
    }

    private static String ask(final int port, final String... args) throws IOException
    {
        try (RawClient client = new RawClient(port))
        {
            return client.call(args);
        }
    }

    /** A minimal RESP2 client: one request, one reply (simple, error, integer or bulk), as text. */
    private static final class RawClient implements AutoCloseable
    {
        private final Socket socket = new Socket();
        private final OutputStream out;
        private final InputStream in;

        RawClient(final int port) throws IOException
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        String call(final String... args) throws IOException
        {
            final StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (final String arg : args)
            {
                request.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            final String line = line();
            if (line.startsWith("$"))
            {
                final int length = Integer.parseInt(line.substring(1));
                if (length < 0)
                {
                    return null;
                }
                final byte[] bytes = in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            return line.substring(1);
        }

        private String line() throws IOException
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n')
            {
                if (b < 0)
                {
                    throw new IOException("closed");
                }
                if (b != '\r')
                {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
