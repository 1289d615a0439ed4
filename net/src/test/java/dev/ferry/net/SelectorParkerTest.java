package dev.ferry.net;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.idle.BackoffIdleStrategy;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The selector parker blocks until a watched channel is readable or it is woken, never for its full period when
 * either happens, and does not block at all when its owner says it has other work.
 * <p>
 * No wall-clock bounds: a parker that may block blocks for an hour ({@link #ONE_HOUR_MS}), its owner runs on a thread
 * of its own ({@link Owner}), and each test waits for a condition (parked, returned) with a {@link #DEADLINE} far
 * below that hour, so only a wake-up can make it return in time, however loaded the machine.
 */
@ExtendWith(LeakCheck.class)
class SelectorParkerTest
{
    private static final long ONE_HOUR_MS = TimeUnit.HOURS.toMillis(1);
    private static final long ONE_HOUR_NS = TimeUnit.HOURS.toNanos(1);
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @Test
    void shouldWakeWhenAWatchedChannelBecomesReadable() throws Throwable
    {
        try (WatchedLink link = new WatchedLink())
        {
            final SelectorParker parker = link.parker;
            final Owner owner = new Owner(() -> parker.park(ONE_HOUR_NS));
            awaitParked(parker);
            link.client.write(ByteBuffer.wrap(new byte[] {42}));
            owner.awaitReturned("a park woken by a readable channel");
            assertEquals(1, parker.blocks());
            assertEquals(1, link.accepted.read(ByteBuffer.allocate(4)), "the byte is still there for the owner to read");
        }
    }

    @Test
    void shouldSayWithoutBlockingWhetherAWatchedChannelHasBytes() throws Exception
    {
        try (WatchedLink link = new WatchedLink())
        {
            assertFalse(link.parker.readyNow(), "nothing sent yet");
            link.client.write(ByteBuffer.wrap(new byte[] {7}));
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            boolean ready = false;
            while (!ready && System.nanoTime() - deadline < 0)
            {
                ready = link.parker.readyNow(); // loopback delivery is asynchronous: a bounded poll
            }
            assertTrue(ready, "the byte makes the channel ready");
            assertEquals(0, link.parker.blocks(), "never blocked");
            assertEquals(1, link.accepted.read(ByteBuffer.allocate(4)), "the byte is still there for the owner to read");
            assertFalse(link.parker.readyNow(), "read: nothing is waiting any more");
            link.parker.close();
            assertTrue(link.parker.readyNow(), "a closed selector sends its owner back to its loop, never throws");
        }
    }

    @Test
    void shouldWakeOnWakeupFromAnotherThread() throws Throwable
    {
        try (SelectorParker parker = new SelectorParker(() -> true, ONE_HOUR_MS))
        {
            final Owner owner = new Owner(() -> parker.park(ONE_HOUR_NS));
            awaitParked(parker);
            parker.wakeup();
            owner.awaitReturned("a park woken by wakeup()");
            assertEquals(1, parker.blocks());
        }
    }

    @Test
    void shouldNotBlockInTheSelectorWhenTheOwnerHasOtherWork() throws Throwable
    {
        final AtomicBoolean asked = new AtomicBoolean();
        try (SelectorParker parker = new SelectorParker(() ->
        {
            asked.set(true);
            return false;
        }, ONE_HOUR_MS))
        {
            final Owner owner = new Owner(() -> parker.park(1_000));
            owner.awaitReturned("a 1 µs park of an owner with other work");
            assertTrue(asked.get());
            assertEquals(0, parker.blocks(), "slept the 1 µs period out instead of blocking for an hour");
        }
    }

    @Test
    void shouldDriveABackoffStrategyAsItsParkingStep() throws Throwable
    {
        try (SelectorParker parker = new SelectorParker(() -> true, ONE_HOUR_MS))
        {
            final var idle = (BackoffIdleStrategy)IdleStrategies.parse("backoff", parker);
            final Owner owner = new Owner(() ->
            {
                while (parker.blocks() == 0)
                {
                    idle.idle(0); // spins and yields first, then parks through the parker
                }
            });
            awaitParked(parker);
            parker.wakeup();
            owner.awaitReturned("a backoff strategy parked through the parker and woken");
            assertEquals(BackoffIdleStrategy.State.PARKING, idle.state());
        }
    }

    @Test
    void shouldReleaseAClosedChannelsRegistrationWithoutBlocking() throws Exception
    {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SelectorParker parker = new SelectorParker(() -> false, ONE_HOUR_MS))
        {
            final SocketChannel accepted = server.accept();
            accepted.configureBlocking(false);
            parker.wakeOnRead(accepted);
            accepted.close(); // the owner closes its connection
            assertTrue(accepted.isRegistered(), "the JDK keeps a closed socket registered (and its descriptor open)");
            parker.forgetClosed();
            assertFalse(accepted.isRegistered(), "released by forgetClosed, with no select by park()");
            assertTrue(client.isOpen());
        }
    }

    @Test
    void shouldRejectABlockTimeBelowOneMillisecond()
    {
        final FerryException ex = assertThrows(FerryException.class, () -> new SelectorParker(() -> true, 0));
        assertEquals(ErrorCode.CONFIGURATION, ex.code());
    }

    /**
     * Waits until the owner is parked (or about to park: a wake-up then makes the park return at once).
     *
     * @throws AssertionError if it has not parked by the {@link #DEADLINE}.
     */
    private static void awaitParked(final SelectorParker parker)
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!parker.isParked())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("the owner did not park within " + DEADLINE);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * A parker's owner: runs {@code body} (which parks) on a thread of its own, as a Ferry agent would.
     */
    private static final class Owner
    {
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Owner(final Executable body)
        {
            thread = Thread.ofPlatform().name("parker-owner").start(() ->
            {
                try
                {
                    body.execute();
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
        }

        /**
         * Waits for the body to return; rethrows what it threw. A test's parker (closed when the test ends) sends a
         * body still parked after a failure back to its thread.
         *
         * @throws AssertionError if it is still running at the {@link #DEADLINE}, far below the hour a park may block.
         */
        void awaitReturned(final String what) throws Throwable
        {
            thread.join(DEADLINE);
            assertFalse(thread.isAlive(), () -> what + ": did not return within " + DEADLINE);
            if (failure.get() != null)
            {
                throw failure.get();
            }
        }
    }

    /**
     * A loopback connection whose accepted end a parker (that may always block) watches for reads.
     */
    private static final class WatchedLink implements AutoCloseable
    {
        final ServerSocketChannel server;
        final SocketChannel client;
        final SocketChannel accepted;
        final SelectorParker parker;

        WatchedLink() throws IOException
        {
            server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            client = SocketChannel.open(server.getLocalAddress());
            accepted = server.accept();
            accepted.configureBlocking(false);
            parker = new SelectorParker(() -> true, ONE_HOUR_MS);
            parker.wakeOnRead(accepted);
        }

        @Override
        public void close() throws IOException
        {
            parker.close();
            accepted.close();
            client.close();
            server.close();
        }
    }
}
