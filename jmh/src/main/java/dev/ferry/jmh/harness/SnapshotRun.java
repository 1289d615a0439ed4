package dev.ferry.jmh.harness;

import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.ReplicaState;
import dev.ferry.engine.SnapshotProgress;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.Crc32c;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Snapshot resync, measured (issue 16): a primary in this JVM holding a key-value state of {@value #KEYS} keys
 * (64 B values), and a replica in this JVM whose WAL belongs to another history, so the primary must send it the
 * snapshot. Reports the snapshot's shipping rate (bytes of the snapshot over the time from the replica's
 * {@code SNAPSHOTTING} to its last byte received, compression off), to compare with the raw loopback bulk transfer of
 * the same run, and the time from the replica's start to streaming with the whole state applied.
 */
final class SnapshotRun
{
    /** The state's keys: a snapshot of about 90 MB. */
    static final int KEYS = 1_000_000;
    private static final int VALUE_BYTES = 64;
    private static final long TIMEOUT_NS = TimeUnit.MINUTES.toNanos(5);

    private final BenchOutput output;

    SnapshotRun(final BenchOutput output)
    {
        this.output = output;
    }

    void run(final Path scratch) throws IOException
    {
        output.progress("snapshot resync of " + KEYS + " keys");
        final Path dir = Files.createDirectories(scratch.resolve("snapshot-run"));
        final Path secret = dir.resolve("secret");
        Secret.generate(secret);
        final Path replicaWal = anotherHistory(dir.resolve("replica"));
        final PrimaryConfig config = new PrimaryConfig().walDirectory(dir.resolve("primary")).secretFile(secret)
            .listen(new InetSocketAddress("127.0.0.1", 0)).stateMachine(new KvStateMachine()).snapshotEveryEntries(KEYS);
        try (Primary primary = Primary.open(config))
        {
            final KvEntryWriter writer = new KvEntryWriter(128);
            final String value = "v".repeat(VALUE_BYTES);
            for (int i = 0; i < KEYS; i++)
            {
                primary.append(writer.reset().put(0, "key:" + i, value).entry());
            }
            final StateStore store = new StateStore(dir.resolve("primary"));
            await("the primary's snapshot at " + KEYS, () -> store.newestOffset() == KEYS);
            final long snapshotBytes = Files.size(store.newestFile());

            final AtomicLong snapshottingNs = new AtomicLong();
            final long startNs = System.nanoTime();
            final ReplicaConfig replicaConfig = new ReplicaConfig().walDirectory(replicaWal).primary(primary.localAddress())
                .id("snapshot-run").secretFile(secret).stateMachine(new KvStateMachine())
                .listener((from, to, error) ->
                {
                    if (to == ReplicaState.SNAPSHOTTING)
                    {
                        snapshottingNs.set(System.nanoTime());
                    }
                });
            final Replica replica = Replica.start(replicaConfig);
            try
            {
                long receivedNs = 0;
                while (replica.state() != ReplicaState.STREAMING || replica.appliedOffset() != KEYS)
                {
                    final SnapshotProgress progress = replica.snapshotProgress();
                    if (receivedNs == 0 && (progress != null && progress.totalBytes() > 0 &&
                        progress.bytes() == progress.totalBytes() || replica.snapshotsLoaded() > 0))
                    {
                        receivedNs = System.nanoTime();
                    }
                    check(startNs, "the replica to stream after its snapshot", replica);
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                }
                final long streamingNs = System.nanoTime();
                final double shipping = snapshotBytes * 1e9 / (receivedNs - snapshottingNs.get());
                output.throughput("throughput.snapshotShipping", shipping, null).put("unit", "bytes/s");
                final double seconds = (streamingNs - startNs) / 1e9;
                output.seconds("time.snapshotResync." + KEYS + "keys", seconds);
                output.done(String.format("snapshot resync of %d keys: %.1f MB shipped at %.0f MB/s; too old to " +
                    "streaming in %.2f s", KEYS, snapshotBytes / 1e6, shipping / 1e6, seconds));
            }
            finally
            {
                replica.stop();
            }
        }
    }

    /**
     * A replica WAL with one entry of a history of its own: the primary cannot stream to it.
     */
    private static Path anotherHistory(final Path walDir)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir)))
        {
            History.create().save(wal.directory());
            final MemorySegment payload = MemorySegment.ofArray(new byte[16]);
            wal.appendAt(0, 1, Crc32c.compute(payload, 0, 16), payload);
        }
        return walDir;
    }

    private static void await(final String what, final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static void check(final long startNs, final String what, final Replica replica)
    {
        if (System.nanoTime() - startNs > TIMEOUT_NS || replica.state() == ReplicaState.STOPPED && replica.lastError() != null)
        {
            throw new IllegalStateException("gave up waiting for " + what + ": " + replica.state() + ", " +
                replica.lastError());
        }
    }
}
