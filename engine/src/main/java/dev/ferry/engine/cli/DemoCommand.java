package dev.ferry.engine.cli;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.RetentionPolicy;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code ferry demo}: a primary and three replicas in one process on temporary directories, all applying the
 * key-value state machine: a few seconds of PUTs at a fixed rate; r2 stopped and resumed (it streams from where it
 * stopped); r3 stopped long enough to fall out of the primary's retention, then brought back by a snapshot; a live
 * progress line; then per replica a checksum of the log both hold and of the state, and latency percentiles.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"A primary and three replicas in this process on temporary directories, applying key-value PUTs at",
        "a fixed rate: r2 stopped and resumed mid-way (it streams from where it stopped), r3 stopped until retention",
        "deleted its position, then brought back by a snapshot; a live line of progress, lag and snapshot progress;",
        "then a checksum line per replica over the log it shares with the primary, its state, and latency percentiles."})
final class DemoCommand implements Callable<Integer>
{
    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @Option(names = "--seconds", defaultValue = "6", description = "Load duration (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rate", defaultValue = "50000", description = "Entries per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "128", description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--keys", defaultValue = "20000", description = "Distinct keys the PUTs go to (default: ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--codec", defaultValue = "none", converter = Converters.CodecName.class,
        description = "none, snappy or zstd (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = "--snapshot-rate", defaultValue = "2000000", paramLabel = "BYTES_PER_SEC",
        description = "How fast the primary sends r3 its snapshot (default: ${DEFAULT-VALUE}, so it shows on the line).")
    long snapshotRate;

    @Option(names = "--keep", description = "Keep the temporary WAL directories and print where they are.")
    boolean keep;

    @Override
    public Integer call() throws Exception
    {
        if (seconds < 2 || rate <= 0 || size < 1 || keys < 1 || (snapshotRate != 0 && snapshotRate < 4096))
        {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "--seconds must be >= 2, --rate, --size and --keys > 0, --snapshot-rate 0 or >= 4096");
        }
        final Path root = Files.createTempDirectory("ferry-demo");
        System.out.println("ferry demo: primary + replicas r1, r2, r3 under " + root + "; " + rate + " PUTs/s of " + size +
            " B values over " + keys + " keys for " + seconds + " s, codec " + codec.name().toLowerCase(java.util.Locale.ROOT));
        final Histogram awaitLatency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Path secret = root.resolve("secret");
        Secret.generate(secret); // the demo authenticates its replicas as a deployment would
        final Map<String, KvStateMachine> states = new ConcurrentHashMap<>();
        final KvStateMachine primaryState = new KvStateMachine();
        final long entryBytes = size + 32L;
        final PrimaryConfig config = new PrimaryConfig().walDirectory(root.resolve("primary")).codec(codec).secretFile(secret)
            .stateMachine(primaryState)
            .snapshotEveryEntries(Math.max(1, rate)) // about once a second: retention keeps the WAL after the newest
            .snapshotRateBytesPerSec(snapshotRate)
            // one-second roll cycles kept one second: a replica away for long falls out of retention; a slot further
            // behind than a quarter of the run no longer holds it back
            .retention(new RetentionPolicy(Duration.ofSeconds(1), 0))
            .retentionIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .slotCapBytes(Math.max(1, (long)rate * seconds * entryBytes / 4));
        config.wal().rollCycle("TEST_SECONDLY");
        final Primary primary = Primary.open(config);
        final Map<String, Replica> replicas = new ConcurrentHashMap<>();
        int exit = Ferry.EXIT_FAILURE;
        try
        {
            final InetSocketAddress address = primary.localAddress();
            for (final String id : REPLICAS)
            {
                replicas.put(id, start(root, id, address, secret, states));
            }
            final KvGenerator generator = new KvGenerator(size, keys);
            final MemorySegment value = MemorySegment.ofArray(new byte[size]);
            final long total = (long)rate * seconds;
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
            final long start = System.nanoTime();
            // another thread stops and starts replicas on a schedule (fractions of the run), so the load keeps its own
            final Thread chaos = Thread.ofPlatform().name("demo-chaos").start(() ->
            {
                final long runNs = TimeUnit.SECONDS.toNanos(seconds);
                sleepUntil(start + runNs / 10);
                final long r3Stopped = stop(replicas.get("r3"), "r3", "it will fall out of the primary's retention");
                sleepUntil(start + runNs * 3 / 10);
                stop(replicas.get("r2"), "r2", "it will resume where it stopped");
                sleepUntil(start + runNs * 5 / 10);
                final Replica r2 = start(root, "r2", address, secret, states);
                replicas.put("r2", r2);
                System.out.println();
                System.out.println("  -- resumed r2 from offset " + r2.receivedOffset());
                sleepUntil(start + runNs * 7 / 10);
                // back once retention has passed it (or at 85% of the run at the latest, so the load still rolls
                // cycles while it catches up)
                final long latest = start + runNs * 85 / 100;
                while (primary.status().oldest() <= r3Stopped && System.nanoTime() < latest)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                final Replica r3 = start(root, "r3", address, secret, states);
                replicas.put("r3", r3);
                System.out.println();
                final long oldest = primary.status().oldest();
                System.out.println("  -- restarted r3 at offset " + r3.receivedOffset() + "; the primary's oldest is " +
                    oldest + (oldest > r3.receivedOffset() ? ": it comes back by a snapshot" :
                    ": it can still stream (retention has not passed it yet)"));
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
                if (size >= Long.BYTES)
                {
                    value.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
                }
                final long offset = primary.append(generator.entry(i, value));
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
            final long head = primary.nextOffset();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!caughtUp(primary, replicas, head) && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                if (System.nanoTime() >= nextLine)
                {
                    nextLine += TimeUnit.MILLISECONDS.toNanos(500);
                    progress(primary.status());
                }
            }
            final PrimaryStatus status = primary.status();
            progress(status);
            System.out.println();
            final Replica r3 = replicas.get("r3");
            System.out.println(r3.snapshotsLoaded() == 0 ? "r3 caught up by streaming: the primary still held its position" :
                "r3 came back by " + r3.snapshotsLoaded() + " snapshot(s) (the primary began " +
                status.replicas().stream().filter(r -> r.id().equals("r3")).findFirst().orElseThrow().snapshots() +
                "); what it held before is in " + r3.movedAside());
            for (final Replica replica : replicas.values())
            {
                replica.stop();
            }
            primary.close();
            boolean equal = true;
            final byte[] primaryBytes = StateStore.snapshotBytes(primaryState);
            for (final String id : REPLICAS)
            {
                final String[] digests = digests(root.resolve("primary"), root.resolve(id));
                final boolean logEqual = digests[0].equals(digests[1]);
                System.out.println("checksum " + String.format("%-7s", id) + digests[1] +
                    (logEqual ? "  (equal)" : "  (DIFFERENT: the primary has " + digests[0] + ")"));
                final boolean stateEqual = java.util.Arrays.equals(primaryBytes, StateStore.snapshotBytes(states.get(id)));
                System.out.println("state    " + String.format("%-7s", id) + states.get(id).size(0) + " keys at offset " +
                    states.get(id).appliedOffset() + (stateEqual ? "  (equal)" : "  (DIFFERENT)"));
                equal &= logEqual && stateEqual;
            }
            for (final ReplicaStatus r : status.replicas())
            {
                System.out.printf("append->ack %s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us over %d acks%n",
                    r.id(), r.ackP50Micros(), r.ackP99Micros(), r.ackP999Micros(), r.acks());
            }
            System.out.printf("awaitReplicated(1 replica, RECEIVED) from intended send time, every 256th entry: " +
                "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                awaitLatency.getValueAtPercentile(50) / 1e3, awaitLatency.getValueAtPercentile(99) / 1e3,
                awaitLatency.getValueAtPercentile(99.9) / 1e3, awaitLatency.getMaxValue() / 1e3);
            exit = equal ? 0 : Ferry.EXIT_FAILURE;
        }
        finally
        {
            for (final Replica replica : replicas.values())
            {
                replica.stop();
            }
            primary.close();
            if (keep)
            {
                System.out.println("kept " + root);
            }
            else
            {
                deleteTree(root);
            }
        }
        return exit;
    }

    private static Replica start(final Path root, final String id, final InetSocketAddress primary, final Path secret,
        final Map<String, KvStateMachine> states)
    {
        final KvStateMachine state = new KvStateMachine();
        states.put(id, state);
        return Replica.start(new ReplicaConfig().walDirectory(root.resolve(id)).primary(primary).id(id).secretFile(secret)
            .stateMachine(state));
    }

    private static long stop(final Replica replica, final String id, final String what)
    {
        replica.stop();
        final long at = replica.receivedOffset();
        System.out.println();
        System.out.println("  -- stopped " + id + " at offset " + at + "; " + what);
        return at;
    }

    private static void sleepUntil(final long deadlineNs)
    {
        long now;
        while ((now = System.nanoTime()) < deadlineNs)
        {
            LockSupport.parkNanos(deadlineNs - now);
        }
    }

    private static boolean caughtUp(final Primary primary, final Map<String, Replica> replicas, final long head)
    {
        if (primary.appliedOffset() < head)
        {
            return false;
        }
        for (final Replica replica : replicas.values())
        {
            if (replica.appliedOffset() < head)
            {
                return false;
            }
        }
        return true;
    }

    private static void progress(final PrimaryStatus status)
    {
        final StringBuilder line = new StringBuilder("\r  head ").append(status.head()).append(" oldest ").append(status.oldest());
        for (final ReplicaStatus r : status.replicas())
        {
            line.append(" | ").append(r.id()).append(' ');
            if (r.snapshotTotalBytes() > 0)
            {
                line.append(String.format("snapshot %.0f%% of %d KB", 100 * r.snapshotProgress(), r.snapshotTotalBytes() / 1024));
            }
            else
            {
                line.append(r.state().name().toLowerCase(java.util.Locale.ROOT)).append(" lag ").append(r.lagEntries())
                    .append('/').append(r.lagMillis()).append(" ms");
            }
        }
        line.append("        ");
        System.out.print(line);
        System.out.flush();
    }

    /**
     * @return the primary's and the replica's digests over the offsets both WALs hold.
     */
    private static String[] digests(final Path primary, final Path replica)
    {
        try (Wal one = Wal.open(new WalConfig().directory(primary).readOnly(true));
             Wal two = Wal.open(new WalConfig().directory(replica).readOnly(true)))
        {
            final long from = Math.max(one.oldestOffset(), two.oldestOffset());
            final long to = Math.min(one.nextOffset(), two.nextOffset()) - 1;
            return new String[] {WalDigest.of(one, from, to).toString(), WalDigest.of(two, from, to).toString()};
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
