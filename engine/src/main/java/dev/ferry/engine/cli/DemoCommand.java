package dev.ferry.engine.cli;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;
import dev.ferry.wal.codec.Codec;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code ferry demo}: a primary and two replicas in one process on temporary directories, a few seconds of load at
 * a fixed rate, one replica stopped and resumed, a live progress line, then checksums and latency percentiles.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"A primary and two replicas in this process on temporary directories: load at a fixed rate,",
        "replica r2 stopped and resumed mid-way, a live line of progress and lag, then checksums and latency percentiles."})
final class DemoCommand implements Callable<Integer>
{
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Option(names = "--seconds", defaultValue = "6", description = "Load duration (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rate", defaultValue = "50000", description = "Entries per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "128", description = "Entry size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--codec", defaultValue = "none", converter = Converters.CodecName.class,
        description = "none, snappy or zstd (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = "--keep", description = "Keep the temporary WAL directories and print where they are.")
    boolean keep;

    @Override
    public Integer call() throws Exception
    {
        if (seconds <= 0 || rate <= 0 || size < 8)
        {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "--seconds and --rate must be > 0 and --size >= 8");
        }
        final Path root = Files.createTempDirectory("ferry-demo");
        System.out.println("ferry demo: primary + replicas r1, r2 under " + root + "; " + rate + " entries/s of " + size +
            " B for " + seconds + " s, codec " + codec.name().toLowerCase(java.util.Locale.ROOT));
        final Histogram awaitLatency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Path secret = root.resolve("secret");
        Secret.generate(secret); // the demo authenticates its replicas as a deployment would
        try (Primary primary = Primary.open(
            new PrimaryConfig().walDirectory(root.resolve("primary")).codec(codec).secretFile(secret)))
        {
            final InetSocketAddress address = primary.localAddress();
            final Replica r1 = Replica.start(replicaConfig(root, "r1", address, secret));
            final AtomicReference<Replica> r2Ref =
                new AtomicReference<>(Replica.start(replicaConfig(root, "r2", address, secret)));
            final MemorySegment payload = MemorySegment.ofArray(new byte[size]);
            final long total = (long)rate * seconds;
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
            final long start = System.nanoTime();
            // r2 is stopped at 30% and resumed at 60% of the run by another thread, so the load keeps its schedule
            final Thread chaos = Thread.ofPlatform().name("demo-chaos").start(() ->
            {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds) * 3 / 10);
                final Replica stopping = r2Ref.get();
                stopping.stop();
                System.out.println();
                System.out.println("  -- stopped r2 at offset " + stopping.receivedOffset());
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds) * 3 / 10);
                final Replica resumed = Replica.start(replicaConfig(root, "r2", address, secret));
                r2Ref.set(resumed);
                System.out.println();
                System.out.println("  -- resumed r2 from offset " + resumed.receivedOffset());
            });
            long nextLine = start;
            for (long i = 0; i < total; i++)
            {
                final long due = start + i * intervalNs;
                long now;
                while ((now = System.nanoTime()) < due)
                {
                    LockSupport.parkNanos(Math.min(due - now, 50_000));
                }
                payload.set(LONG_LE, 0, i);
                final long offset = primary.append(payload);
                if ((i & 255) == 0)
                {
                    if (primary.awaitReplicated(offset, 1, AckLevel.RECEIVED, Duration.ofSeconds(1)))
                    {
                        awaitLatency.recordValue(System.nanoTime() - due);
                    }
                }
                if (System.nanoTime() >= nextLine)
                {
                    nextLine += TimeUnit.MILLISECONDS.toNanos(500);
                    progress(primary.status());
                }
            }
            chaos.join();
            final Replica r2 = r2Ref.get();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((r1.receivedOffset() < primary.nextOffset() || r2.receivedOffset() < primary.nextOffset()) &&
                System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            final PrimaryStatus status = primary.status();
            progress(status);
            System.out.println();
            r1.stop();
            r2.stop();
            final String p = digest(root.resolve("primary"));
            final String d1 = digest(root.resolve("r1"));
            final String d2 = digest(root.resolve("r2"));
            System.out.println("checksum primary " + p);
            System.out.println("checksum r1      " + d1 + (d1.equals(p) ? "  (equal)" : "  (DIFFERENT)"));
            System.out.println("checksum r2      " + d2 + (d2.equals(p) ? "  (equal)" : "  (DIFFERENT)"));
            for (final ReplicaStatus r : status.replicas())
            {
                System.out.printf("append->ack %s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us over %d acks%n",
                    r.id(), r.ackP50Micros(), r.ackP99Micros(), r.ackP999Micros(), r.acks());
            }
            System.out.printf("awaitReplicated(1 replica, RECEIVED) from intended send time, every 256th entry: " +
                "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                awaitLatency.getValueAtPercentile(50) / 1e3, awaitLatency.getValueAtPercentile(99) / 1e3,
                awaitLatency.getValueAtPercentile(99.9) / 1e3, awaitLatency.getMaxValue() / 1e3);
            return d1.equals(p) && d2.equals(p) ? 0 : Ferry.EXIT_FAILURE;
        }
        finally
        {
            if (keep)
            {
                System.out.println("kept " + root);
            }
            else
            {
                deleteTree(root);
            }
        }
    }

    private static ReplicaConfig replicaConfig(
        final Path root, final String id, final InetSocketAddress primary, final Path secret)
    {
        return new ReplicaConfig().walDirectory(root.resolve(id)).primary(primary).id(id).secretFile(secret);
    }

    private static void progress(final PrimaryStatus status)
    {
        final StringBuilder line = new StringBuilder("\r  head ").append(status.head());
        for (final ReplicaStatus r : status.replicas())
        {
            line.append(" | ").append(r.id()).append(' ').append(r.state().name().toLowerCase(java.util.Locale.ROOT))
                .append(" received ").append(r.received()).append(" lag ").append(r.lagEntries()).append(" entries/")
                .append(r.lagMillis()).append(" ms");
        }
        line.append("        ");
        System.out.print(line);
        System.out.flush();
    }

    private static String digest(final Path dir)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(dir).readOnly(true)))
        {
            return WalDigest.of(wal, -1, -1).toString();
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
