package dev.ferry.engine.serve;

import dev.ferry.engine.PrimaryStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A status request never computes percentiles on the sender thread, and a flood of them costs one computation per
 * {@link StatusPublisher#FRESH_NS} (issue 15, finding 6).
 */
class StatusPublisherTest
{
    @Test
    void shouldComputeOffTheCallersThreadAndServeAFreshDocumentAgain() throws Exception
    {
        final AtomicReference<String> computedOn = new AtomicReference<>();
        final AtomicInteger computations = new AtomicInteger();
        final long freshNs = TimeUnit.MILLISECONDS.toNanos(500);
        try (StatusPublisher publisher = new StatusPublisher(() ->
        {
            computedOn.set(Thread.currentThread().getName());
            computations.incrementAndGet();
            return new PrimaryStatus(7, 0, "h", 0, "none", 0, List.of(), 7);
        }, freshNs))
        {
            final CompletableFuture<byte[]> first = publisher.request();
            final String json = new String(first.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            assertTrue(json.startsWith("{\"head\":7"), json);
            assertEquals("ferry-status", computedOn.get());
            assertNotSame(Thread.currentThread().getName(), computedOn.get());

            final long floodStart = System.nanoTime();
            for (int i = 0; i < 1000; i++)
            {
                publisher.request(); // a flood: served from the document computed at most freshNs ago
            }
            final long windows = (System.nanoTime() - floodStart) / freshNs + 1;
            assertTrue(computations.get() <= 1 + windows, "computed " + computations.get() + " times");

            LockSupport.parkNanos(freshNs + TimeUnit.MILLISECONDS.toNanos(10));
            final CompletableFuture<byte[]> later = publisher.request();
            later.get(30, TimeUnit.SECONDS);
            assertNotSame(first, later, "an older document is computed again");
        }
    }
}
