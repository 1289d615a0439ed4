package dev.ferry.wal;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Fails a test that leaves something of Ferry's behind (Chronicle's {@code QueueTestCommon} habit): after each test,
 * no thread named {@code ferry-…} that was not running before it, no more open file descriptors than before it, and
 * no more open {@link Arenas} than before it. What a closed component stops or releases on its own thread gets
 * {@link #GRACE} to go. Register with {@code @ExtendWith(LeakCheck.class)} on a test class.
 * <p>
 * File descriptors are compared by what they point at ({@code /proc/self/fd}; Linux only, skipped elsewhere), so a
 * failure names the file or socket. The JDK opens some descriptors on first use and keeps them for the JVM's life: NIO
 * its pre-close socket (seen: the first {@code ServerSocket} closed left one socket open), {@code SecureRandom} the
 * random devices. The first snapshot is therefore taken after a warm-up that opens those, and the jars the class
 * loaders open as tests load classes from them are left out.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback
{
    /** Every thread Ferry starts is named with this prefix. */
    public static final String THREAD_PREFIX = "ferry-";

    /** How long a closed component's threads, descriptors and arenas get to go after the test. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    private static final Path FDS = Path.of("/proc/self/fd");
    /** What the listing's own descriptor points at. */
    private static final String LISTING = "/proc/" + ProcessHandle.current().pid() + "/fd";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        context.getStore(NAMESPACE).put(context.getUniqueId(), Snapshot.take());
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        final Snapshot before = context.getStore(NAMESPACE).remove(context.getUniqueId(), Snapshot.class);
        if (before != null)
        {
            before.check(GRACE);
        }
    }

    /**
     * What was running and open at one moment.
     *
     * @param threads the live threads named {@link #THREAD_PREFIX}.
     * @param fds     how many descriptors point at each target (empty where there is no {@code /proc/self/fd}).
     * @param arenas  {@link Arenas#openArenas()}.
     */
    public record Snapshot(Set<Thread> threads, Map<String, Integer> fds, long arenas)
    {
        /**
         * @return what is running and open now.
         */
        public static Snapshot take()
        {
            WarmUp.done();
            final Set<Thread> threads = new HashSet<>();
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                if (thread.isAlive() && thread.getName().startsWith(THREAD_PREFIX))
                {
                    threads.add(thread);
                }
            }
            return new Snapshot(threads, openFds(), Arenas.openArenas());
        }

        /**
         * @return what is running or open now that was not when this snapshot was taken; empty if nothing.
         */
        public List<String> leaksNow()
        {
            final Snapshot now = take();
            final List<String> leaks = new ArrayList<>();
            for (final Thread thread : now.threads)
            {
                if (!threads.contains(thread))
                {
                    leaks.add("thread " + thread.getName() + " (" + thread.getState() + ")");
                }
            }
            for (final Map.Entry<String, Integer> fd : now.fds.entrySet())
            {
                final int more = fd.getValue() - fds.getOrDefault(fd.getKey(), 0);
                if (more > 0)
                {
                    leaks.add(more + " more file descriptor(s) open on " + fd.getKey());
                }
            }
            if (now.arenas > arenas)
            {
                leaks.add((now.arenas - arenas) + " more arena(s) open (" + now.arenas + ", " + arenas + " before)");
            }
            return leaks;
        }

        /**
         * Give what is still going {@code grace} to go, then fail if anything is left.
         *
         * @param grace how long to wait for threads to end and resources to be released.
         * @throws AssertionError naming every thread, descriptor target and arena count left behind.
         */
        public void check(final Duration grace)
        {
            final long deadline = System.nanoTime() + grace.toNanos();
            List<String> leaks = leaksNow();
            while (!leaks.isEmpty() && System.nanoTime() - deadline < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                leaks = leaksNow();
            }
            if (!leaks.isEmpty())
            {
                throw new AssertionError("left behind after " + grace.toMillis() + " ms: " + String.join("; ", leaks));
            }
        }
    }

    private static Map<String, Integer> openFds()
    {
        final Map<String, Integer> targets = new HashMap<>();
        if (!Files.isDirectory(FDS))
        {
            return targets;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS))
        {
            for (final Path fd : fds)
            {
                final String target = target(fd);
                if (target != null && !lifelong(target))
                {
                    targets.merge(target, 1, Integer::sum);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot list " + FDS, ex);
        }
        return targets;
    }

    private static String target(final Path fd)
    {
        try
        {
            return Files.readSymbolicLink(fd).toString();
        }
        catch (final IOException ex)
        {
            return null; // closed while listed: the listing's own descriptor, or another thread's
        }
    }

    /** Opened by the JVM on first use and kept until it exits: not a test's leak. */
    private static boolean lifelong(final String target)
    {
        return target.endsWith(".jar") || target.equals(LISTING);
    }

    /** Opens, once per JVM, what the JDK keeps open for the JVM's life after its first use. */
    private static final class WarmUp
    {
        static
        {
            final InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(loopback);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept();
                 Selector selector = Selector.open())
            {
                accepted.configureBlocking(false);
                accepted.register(selector, SelectionKey.OP_READ);
                selector.selectNow();
                client.write(ByteBuffer.wrap(new byte[1]));
            }
            catch (final IOException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
            new SecureRandom().nextBytes(new byte[8]);
        }

        static void done()
        {
            // the static initialiser ran
        }
    }
}
