package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LeakCheck} names a Ferry thread, a file descriptor and an arena left behind, and lets go of what is released
 * within its grace period.
 */
@ExtendWith(LeakCheck.class)
class LeakCheckTest
{
    private static final Duration SHORT_GRACE = Duration.ofMillis(100);

    @TempDir
    Path dir;

    @Test
    void shouldReportAFerryThreadLeftRunning() throws InterruptedException
    {
        final LeakCheck.Snapshot before = LeakCheck.Snapshot.take();
        final CountDownLatch release = new CountDownLatch(1);
        final Thread leaked = Thread.ofPlatform().name("ferry-leak-check-test").start(() -> awaitQuietly(release));
        try
        {
            final AssertionError error = assertThrows(AssertionError.class, () -> before.check(SHORT_GRACE));
            assertTrue(error.getMessage().contains("thread ferry-leak-check-test"), error.getMessage());
        }
        finally
        {
            release.countDown();
            leaked.join();
        }
        before.check(LeakCheck.GRACE);
    }

    @Test
    void shouldGiveAFerryThreadItsGracePeriodToEnd()
    {
        final LeakCheck.Snapshot before = LeakCheck.Snapshot.take();
        Thread.ofPlatform().name("ferry-leak-check-test-ending").start(() ->
            awaitQuietly(new CountDownLatch(1), Duration.ofMillis(200)));
        before.check(LeakCheck.GRACE);
    }

    @Test
    void shouldLeaveOtherThreadsAlone() throws InterruptedException
    {
        final LeakCheck.Snapshot before = LeakCheck.Snapshot.take();
        final CountDownLatch release = new CountDownLatch(1);
        final Thread other = Thread.ofPlatform().name("not-ferrys").start(() -> awaitQuietly(release));
        try
        {
            assertEquals(List.of(), before.leaksNow());
        }
        finally
        {
            release.countDown();
            other.join();
        }
    }

    @Test
    void shouldReportAFileLeftOpenByItsPath() throws IOException
    {
        final Path file = Files.createFile(dir.resolve("left-open"));
        final LeakCheck.Snapshot before = LeakCheck.Snapshot.take();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            assertTrue(channel.isOpen());
            final AssertionError error = assertThrows(AssertionError.class, () -> before.check(SHORT_GRACE));
            assertTrue(error.getMessage().contains("1 more file descriptor(s) open on " + file.toRealPath()),
                error.getMessage());
        }
        before.check(LeakCheck.GRACE);
    }

    @Test
    void shouldReportASocketLeftOpen() throws IOException
    {
        final LeakCheck.Snapshot before = LeakCheck.Snapshot.take();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            assertTrue(socket.isBound());
            final AssertionError error = assertThrows(AssertionError.class, () -> before.check(SHORT_GRACE));
            assertTrue(error.getMessage().contains("open on socket:["), error.getMessage());
        }
        before.check(LeakCheck.GRACE);
    }

    @Test
    void shouldReportAnArenaLeftOpen()
    {
        final LeakCheck.Snapshot before = LeakCheck.Snapshot.take();
        final Arena arena = Arenas.ofShared();
        try
        {
            arena.allocate(64);
            final AssertionError error = assertThrows(AssertionError.class, () -> before.check(SHORT_GRACE));
            assertTrue(error.getMessage().contains("1 more arena(s) open"), error.getMessage());
        }
        finally
        {
            arena.close();
        }
        before.check(LeakCheck.GRACE);
    }

    @Test
    void shouldCountAnArenaOutOnlyWhenItReallyCloses() throws InterruptedException
    {
        final long before = Arenas.openArenas();
        final Arena arena = Arenas.ofConfined();
        assertEquals(before + 1, Arenas.openArenas());
        final AtomicReference<RuntimeException> refused = new AtomicReference<>();
        final Thread other = Thread.ofPlatform().start(() ->
        {
            try
            {
                arena.close();
            }
            catch (final RuntimeException ex)
            {
                refused.set(ex);
            }
        });
        other.join();
        assertInstanceOf(WrongThreadException.class, refused.get(), "a confined arena closes on its own thread only");
        assertEquals(before + 1, Arenas.openArenas(), "a refused close is not counted");
        arena.close();
        assertEquals(before, Arenas.openArenas());
        assertThrows(IllegalStateException.class, arena::close);
        assertEquals(before, Arenas.openArenas(), "a second close is refused and not counted again");
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        awaitQuietly(latch, Duration.ofMinutes(1));
    }

    private static void awaitQuietly(final CountDownLatch latch, final Duration timeout)
    {
        try
        {
            latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

}
