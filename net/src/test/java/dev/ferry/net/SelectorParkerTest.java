package dev.ferry.net;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.idle.BackoffIdleStrategy;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The selector parker blocks until a watched channel is readable or it is woken, never for its full period when
 * either happens, and does not block at all when its owner says it has other work.
 */
@ExtendWith(LeakCheck.class)
class SelectorParkerTest
{
    private static final long ONE_MINUTE_MS = TimeUnit.MINUTES.toMillis(1);

    @Test
    void shouldWakeWhenAWatchedChannelBecomesReadable() throws Exception
    {
        try (WatchedLink link = new WatchedLink())
        {
            final SocketChannel client = link.client;
            final SocketChannel accepted = link.accepted;
            final SelectorParker parker = link.parker;
            final Thread writer = Thread.ofPlatform().start(() ->
            {
                awaitParked(parker);
                try
                {
                    client.write(ByteBuffer.wrap(new byte[] {42}));
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            // blocks up to a minute unless the byte wakes it: the test's own timeout is the assertion
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> parker.park(TimeUnit.MINUTES.toNanos(1)));
            writer.join();
            assertEquals(1, parker.blocks());
            assertEquals(1, accepted.read(ByteBuffer.allocate(4)), "the byte is still there for the owner to read");
        }
    }

    @Test
    void shouldSayWithoutBlockingWhetherAWatchedChannelHasBytes() throws Exception
    {
        try (WatchedLink link = new WatchedLink())
        {
            assertFalse(link.parker.readyNow(), "nothing sent yet");
            link.client.write(ByteBuffer.wrap(new byte[] {7}));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean ready = false;
            while (!ready && System.nanoTime() < deadline)
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
    void shouldWakeOnWakeupFromAnotherThread() throws Exception
    {
        try (SelectorParker parker = new SelectorParker(() -> true, ONE_MINUTE_MS))
        {
            final Thread waker = Thread.ofPlatform().start(() ->
            {
                awaitParked(parker);
                parker.wakeup();
            });
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> parker.park(TimeUnit.MINUTES.toNanos(1)));
            waker.join();
        }
    }

    @Test
    void shouldNotBlockInTheSelectorWhenTheOwnerHasOtherWork()
    {
        final AtomicBoolean asked = new AtomicBoolean();
        try (SelectorParker parker = new SelectorParker(() ->
        {
            asked.set(true);
            return false;
        }, ONE_MINUTE_MS))
        {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> parker.park(1_000));
            assertTrue(asked.get());
            assertEquals(0, parker.blocks(), "slept the 1 µs period out instead of blocking for a minute");
        }
    }

    @Test
    void shouldDriveABackoffStrategyAsItsParkingStep()
    {
        try (SelectorParker parker = new SelectorParker(() -> true, ONE_MINUTE_MS))
        {
            final var idle = (BackoffIdleStrategy)IdleStrategies.parse("backoff", parker);
            final CountDownLatch woken = new CountDownLatch(1);
            final Thread waker = Thread.ofPlatform().start(() ->
            {
                awaitParked(parker);
                parker.wakeup();
                woken.countDown();
            });
            assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
            {
                while (parker.blocks() == 0)
                {
                    idle.idle(0); // spins and yields first, then parks through the parker
                }
                woken.await();
                waker.join();
            });
            assertEquals(BackoffIdleStrategy.State.PARKING, idle.state());
        }
    }

    @Test
    void shouldReleaseAClosedChannelsRegistrationWithoutBlocking() throws Exception
    {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SelectorParker parker = new SelectorParker(() -> false, ONE_MINUTE_MS))
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

    private static void awaitParked(final SelectorParker parker)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!parker.isParked() && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
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
            parker = new SelectorParker(() -> true, ONE_MINUTE_MS);
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
