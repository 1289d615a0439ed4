package dev.ferry.jmh.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine the harness runs on: its page cache, its ports, its child JVMs' logs and its scratch directories.
 */
final class Host
{
    private Host()
    {
    }

    /**
     * Let the kernel write back the dirty pages of earlier runs ({@code sync}), so one run's write-back does not
     * throttle the next run's page faults. Best effort: skipped where there is no {@code sync} command.
     *
     * @param output where progress goes.
     */
    static void settle(final BenchOutput output)
    {
        output.progress("sync (writing back dirty pages of earlier runs)");
        try
        {
            new ProcessBuilder("sync").inheritIO().start().waitFor(120, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            output.println("");
            output.println("[bench] no sync command: runs may disturb each other through page-cache write-back");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    static void awaitLog(final ChildJvm child, final String text, final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(child.log()) || !Files.readString(child.log()).contains(text))
        {
            if (!child.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("child JVM did not print '" + text + "'; see " + child.log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        try (var paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
