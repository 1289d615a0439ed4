package dev.ferry.jmh.harness;

import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.ReplicaState;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.net.auth.Secret;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Promotion time (issue 17): a replica with the key-value state machine, caught up with a primary of
 * {@value #ENTRIES} entries; the primary stops; {@link Replica#promote} is timed until the first entry appended in the
 * new epoch is accepted (the promoted node's append returns). Its state is saved, the epoch recorded and a primary
 * opened on its WAL within that time. {@value #ROUNDS} rounds, each promoting a fresh pair (the median is reported).
 * In-process, one JVM: the figure is Ferry's work, not a process start.
 */
final class PromotionRun
{
    static final int ENTRIES = 100_000;
    private static final int ROUNDS = 5;
    private static final long TIMEOUT_NS = TimeUnit.MINUTES.toNanos(2);

    private final BenchOutput output;

    PromotionRun(final BenchOutput output)
    {
        this.output = output;
    }

    void run(final Path scratch) throws IOException
    {
        output.progress("promotion of a replica of " + ENTRIES + " entries, " + ROUNDS + " rounds");
        final Histogram micros = new Histogram(3);
        for (int round = 0; round < ROUNDS; round++)
        {
            micros.recordValue(round(Files.createDirectories(scratch.resolve("promotion-" + round))));
        }
        final double seconds = micros.getValueAtPercentile(50) / 1e6;
        output.seconds("time.promotion", seconds);
        output.done(String.format("promotion to the first entry accepted in the new epoch: median %.1f ms, max %.1f ms " +
            "(%d rounds, %d entries, key-value state)", micros.getValueAtPercentile(50) / 1e3, micros.getMaxValue() / 1e3,
            ROUNDS, ENTRIES));
    }

    private long round(final Path dir) throws IOException
    {
        final Path secret = dir.resolve("secret");
        Secret.generate(secret);
        final KvEntryWriter writer = new KvEntryWriter(128);
        final Replica replica;
        try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir.resolve("primary")).secretFile(secret)
            .listen(new InetSocketAddress("127.0.0.1", 0)).stateMachine(new KvStateMachine())))
        {
            replica = Replica.start(new ReplicaConfig().walDirectory(dir.resolve("replica"))
                .primary(primary.localAddress()).id("promoted").secretFile(secret).stateMachine(new KvStateMachine()));
            for (int i = 0; i < ENTRIES; i++)
            {
                primary.append(writer.reset().put(0, "key:" + (i % 10_000), "value-" + i).entry());
            }
            final long start = System.nanoTime();
            while (replica.appliedOffset() != ENTRIES || replica.state() != ReplicaState.STREAMING)
            {
                if (System.nanoTime() - start > TIMEOUT_NS)
                {
                    replica.stop();
                    throw new IllegalStateException("the replica did not catch up: " + replica.lastError());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        final long startNs = System.nanoTime();
        try (Primary promoted = replica.promote(new PrimaryConfig().secretFile(secret)
            .listen(new InetSocketAddress("127.0.0.1", 0)).stateMachine(new KvStateMachine())))
        {
            promoted.append(writer.reset().put(0, "key:0", "first-of-the-new-epoch").entry());
            return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNs);
        }
    }
}
