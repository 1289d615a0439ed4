package dev.ferry.engine.serve;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.status.StatusJson;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Computes the status document for {@code STATUS_REQUEST}s off the sender thread: the percentiles of every replica's
 * latency histogram (a copy of ~250 KB each) and the JSON are built on a daemon thread of their own, so a status request
 * never stalls replication. At most one document is computed at a time, and one computed less than
 * {@link #FRESH_NS} ago is served again: a flood of authenticated status requests costs at most one computation per
 * {@code FRESH_NS}.
 * <p>
 * {@link #request()} from the sender thread; thread-safe.
 */
final class StatusPublisher implements AutoCloseable
{
    /** How long a computed document is served again. */
    static final long FRESH_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Supplier<PrimaryStatus> status;
    private final long freshNs;
    private ExecutorService executor;
    private CompletableFuture<byte[]> latest;
    private long latestAtNs;

    /**
     * @param status computes the status; called on the publisher's thread, so it must be thread-safe.
     */
    StatusPublisher(final Supplier<PrimaryStatus> status)
    {
        this(status, FRESH_NS);
    }

    /**
     * @param status  computes the status; called on the publisher's thread, so it must be thread-safe.
     * @param freshNs how long a computed document is served again.
     */
    StatusPublisher(final Supplier<PrimaryStatus> status, final long freshNs)
    {
        this.status = status;
        this.freshNs = freshNs;
    }

    /**
     * @return the status JSON as UTF-8, computed or being computed off this thread.
     */
    synchronized CompletableFuture<byte[]> request()
    {
        final long nowNs = System.nanoTime();
        if (latest != null && (!latest.isDone() || nowNs - latestAtNs < freshNs))
        {
            return latest;
        }
        if (executor == null)
        {
            executor = Executors.newSingleThreadExecutor(runnable ->
            {
                final Thread thread = new Thread(runnable, "ferry-status");
                thread.setDaemon(true);
                return thread;
            });
        }
        latestAtNs = nowNs;
        latest = CompletableFuture.supplyAsync(() -> StatusJson.write(status.get()).getBytes(StandardCharsets.UTF_8),
            executor);
        return latest;
    }

    @Override
    public synchronized void close()
    {
        if (executor != null)
        {
            executor.shutdownNow();
            executor = null;
        }
    }
}
