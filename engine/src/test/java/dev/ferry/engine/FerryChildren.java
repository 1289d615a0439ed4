package dev.ferry.engine;

import dev.ferry.engine.cli.Ferry;
import dev.ferry.wal.JvmLauncher;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Child JVMs running {@link Ferry}'s main with subcommand arguments, the way {@code ./ferry} runs them: each one's
 * stderr goes to {@code <name>.err.log} and its stdout, a pipe, is drained into {@code <name>.out.log} so a chatty
 * child never blocks on it. Every child is killed ({@code SIGKILL}) and reaped after each test; waits are bounded, and a
 * wait that fails shows the end of every child's log. A JUnit extension:
 * {@code @RegisterExtension final FerryChildren children = new FerryChildren(() -> dir);} beside the test's
 * {@code @TempDir Path dir}.
 */
final class FerryChildren implements AfterEachCallback
{
    private final Supplier<Path> logs;
    private final List<Child> children = new ArrayList<>();

    /**
     * A child JVM and its stderr log.
     *
     * @param name   its name, unique in the test (a restarted node gets a new one: {@code archive-2}).
     * @param process the process.
     * @param log    its stderr.
     */
    record Child(String name, Process process, Path log)
    {
        boolean alive()
        {
            return process.isAlive();
        }

        /** @return its whole stderr so far (what {@code Cli.event} printed). */
        String stderr()
        {
            try
            {
                return Files.readString(log);
            }
            catch (final IOException ex)
            {
                return "";
            }
        }

        String describe()
        {
            return "--- " + name + (process.isAlive() ? " (alive)" : " (exit " + process.exitValue() + ")") + " ---\n" +
                JvmLauncher.tail(log);
        }
    }

    /**
     * @param logs the directory the logs go to, read when first needed (JUnit injects a {@code @TempDir} after field
     *             initialisers).
     */
    FerryChildren(final Supplier<Path> logs)
    {
        this.logs = logs;
    }

    /**
     * @param name a name unique in the test.
     * @param args the command line after {@code ferry}.
     * @return the running child.
     * @throws IOException if it cannot be started.
     */
    Child start(final String name, final String... args) throws IOException
    {
        final Path log = logs.get().resolve(name + ".err.log");
        final Process process = JvmLauncher.start(log, Ferry.class, args);
        final Child child = new Child(name, process, log);
        children.add(child);
        ReplicationFixture.log("started " + name + ": ferry " + String.join(" ", args));
        process.getOutputStream().close();
        final Path out = logs.get().resolve(name + ".out.log");
        Thread.ofPlatform().daemon(true).name("drain-" + name).start(() ->
        {
            try (InputStream in = process.getInputStream(); OutputStream copy = Files.newOutputStream(out))
            {
                in.transferTo(copy); // ends when the child dies
            }
            catch (final IOException ex)
            {
                ReplicationFixture.log("stdout of " + name + " not copied: " + ex);
            }
        });
        return child;
    }

    /**
     * Run a command line in this JVM (the same code as a child, without a JVM start), which must exit 0.
     *
     * @param args the command line after {@code ferry}.
     * @return its stdout.
     */
    String ferry(final String... args)
    {
        final dev.ferry.engine.cli.CliRun.Run run = dev.ferry.engine.cli.CliRun.ferry(args);
        org.junit.jupiter.api.Assertions.assertEquals(0, run.exit(),
            () -> "ferry " + String.join(" ", args) + ": " + run + logs());
        return run.out();
    }

    /**
     * @param wal   a WAL directory (a running node's too).
     * @param range {@code --from N --to M}, or nothing for all of it.
     * @return {@code ferry checksum}'s line.
     */
    String checksum(final Path wal, final String... range)
    {
        final String[] args = new String[3 + range.length];
        args[0] = "checksum";
        args[1] = "--wal";
        args[2] = wal.toString();
        System.arraycopy(range, 0, args, 3, range.length);
        return ferry(args).strip();
    }

    /**
     * @param wal a WAL directory of a node with the key-value state machine.
     * @return {@code ferry kv dump}'s output, which must hold a key.
     */
    String kvDump(final Path wal)
    {
        final String dump = ferry("kv", "dump", "--wal", wal.toString());
        org.junit.jupiter.api.Assertions.assertFalse(dump.isBlank(), () -> "no key in " + wal);
        return dump;
    }

    /**
     * @param wal a WAL directory, perhaps of a running node.
     * @return its next offset read now, or -1 if it cannot be read (yet).
     */
    static long nextOffset(final Path wal)
    {
        if (!Files.isDirectory(wal))
        {
            return -1;
        }
        try (dev.ferry.wal.Wal view = dev.ferry.wal.Wal.open(new dev.ferry.wal.WalConfig().directory(wal).readOnly(true)))
        {
            view.refresh();
            return view.nextOffset();
        }
        catch (final dev.ferry.wal.WalException | IllegalStateException | AssertionError ex)
        {
            return -1;
        }
    }

    /**
     * {@code kill -9}: no shutdown hook, nothing flushed or closed; returns once it is dead.
     *
     * @param child the child.
     * @throws InterruptedException if interrupted while waiting.
     */
    void kill(final Child child) throws InterruptedException
    {
        child.process().destroyForcibly();
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), () -> child.name() + " did not die" + logs());
    }

    /**
     * {@code kill} (SIGTERM): its shutdown hooks run (a node closes its WAL); returns once it exited.
     *
     * @param child the child.
     * @throws InterruptedException if interrupted while waiting.
     */
    void stop(final Child child) throws InterruptedException
    {
        child.process().destroy();
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), () -> child.name() + " did not stop" + logs());
    }

    /**
     * Wait for a condition, polling every 20 ms, failing if it does not hold within {@code timeout} or if one of
     * {@code mustLive} dies first.
     *
     * @param what      what is waited for, for the failure message.
     * @param timeout   how long at most.
     * @param condition the condition.
     * @param mustLive  children that must stay alive meanwhile.
     */
    void await(final String what, final Duration timeout, final BooleanSupplier condition, final Child... mustLive)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            for (final Child child : mustLive)
            {
                if (!child.alive())
                {
                    fail(child.name() + " died while waiting for " + what + logs());
                }
            }
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + timeout + " waiting for " + what + logs());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * @return the end of every child's stderr log, each under a header saying whether it is alive.
     */
    String logs()
    {
        final StringBuilder text = new StringBuilder();
        for (final Child child : children)
        {
            text.append('\n').append(child.describe());
        }
        return text.toString();
    }

    /**
     * @return {@code 127.0.0.1:PORT} with a port that was free a moment ago.
     * @throws IOException if no port can be bound.
     */
    static String freeAddress() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws InterruptedException
    {
        for (final Child child : children)
        {
            child.process().destroyForcibly();
        }
        for (final Child child : children)
        {
            child.process().waitFor(30, TimeUnit.SECONDS);
        }
        children.clear();
    }
}
