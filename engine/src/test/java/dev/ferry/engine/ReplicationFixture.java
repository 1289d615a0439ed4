package dev.ferry.engine;

import dev.ferry.net.auth.Secret;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Primaries and replicas on loopback in temporary directories, closed after each test; waits with deadlines. A JUnit
 * extension: {@code @RegisterExtension final ReplicationFixture fixture = new ReplicationFixture(() -> dir);} beside
 * the test's {@code @TempDir Path dir}.
 */
final class ReplicationFixture implements AfterEachCallback, AutoCloseable
{
    private final Supplier<Path> root;
    private final List<AutoCloseable> open = new ArrayList<>();

    /**
     * @param root the test's temporary directory, read when first needed (JUnit injects it after field initialisers).
     */
    ReplicationFixture(final Supplier<Path> root)
    {
        this.root = root;
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        close();
    }

    PrimaryConfig primaryConfig()
    {
        return new PrimaryConfig().walDirectory(root.get().resolve("primary")).listen(new InetSocketAddress("127.0.0.1", 0))
            .secretFile(secretFile())
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)).eventLog(ReplicationFixture::log);
    }

    /**
     * @return the secret file every node of the fixture uses (created on first use, 0600), as a deployment would.
     */
    Path secretFile()
    {
        final Path file = root.get().resolve("secret");
        if (!Files.exists(file))
        {
            Secret.generate(file);
        }
        return file;
    }

    static void log(final String message)
    {
        System.err.println(System.currentTimeMillis() % 100_000 + " " + message);
    }

    Primary primary(final PrimaryConfig config)
    {
        return track(Primary.open(config));
    }

    ReplicaConfig replicaConfig(final String id, final InetSocketAddress primary)
    {
        return new ReplicaConfig().walDirectory(root.get().resolve(id)).primary(primary).id(id).secretFile(secretFile())
            .backoffMinNs(TimeUnit.MILLISECONDS.toNanos(20)).backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(200))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)).eventLog(ReplicationFixture::log);
    }

    Replica replica(final String id, final InetSocketAddress primary)
    {
        return track(Replica.start(replicaConfig(id, primary)));
    }

    <T extends AutoCloseable> T track(final T closeable)
    {
        open.add(closeable);
        return closeable;
    }

    Path dir(final String name)
    {
        return root.get().resolve(name);
    }

    static void await(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        await(() -> what, timeout, condition);
    }

    /**
     * @param what described when the wait fails, so the description can show how things stood then.
     */
    static void await(final Supplier<String> what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + timeout + " waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Append {@code count} key-value PUTs: key {@code k<i % keys>}, value {@code <prefix><i>}, for i from {@code from}.
     *
     * @param primary where.
     * @param prefix  the values' prefix.
     * @param from    the first i.
     * @param count   how many.
     * @param keys    how many distinct keys.
     */
    static void put(final Primary primary, final String prefix, final int from, final int count, final int keys)
    {
        final dev.ferry.engine.state.KvEntryWriter writer = new dev.ferry.engine.state.KvEntryWriter(256);
        for (int i = from; i < from + count; i++)
        {
            primary.append(writer.reset().put(0, "k" + i % keys, prefix + i).entry());
        }
    }

    static WalDigest digest(final Path walDir)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            return WalDigest.of(wal, -1, -1);
        }
    }

    @Override
    public void close()
    {
        RuntimeException failure = null;
        for (int i = open.size() - 1; i >= 0; i--)
        {
            try
            {
                open.get(i).close();
            }
            catch (final Exception ex)
            {
                failure = failure == null ? new IllegalStateException("closing test resources failed", ex) : failure;
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
