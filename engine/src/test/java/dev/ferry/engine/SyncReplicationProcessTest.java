package dev.ferry.engine;

import dev.ferry.engine.cli.Ferry;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.JvmLauncher;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Synchronous replication as {@code ferry primary --stdin --sync-replicas 1} runs it, in child JVMs: each line's entry
 * is printed {@code acked OFFSET} on stdout only once the replica has it at the level; whatever was acknowledged
 * survives {@code kill -9} of the primary on the replica; a timeout is one line on stderr and the primary goes on.
 */
@ExtendWith(LeakCheck.class)
class SyncReplicationProcessTest
{
    private static final long STEP_SECONDS = 60;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    /** A child JVM running {@link Ferry}: its stdin, its stdout lines as they come, its stderr log. */
    private record Child(String name, Process process, OutputStream stdin, BlockingQueue<String> stdout, Path log)
    {
        void writeLine(final String line) throws IOException
        {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        /** @return the next stdout line within {@code seconds}, or null. */
        String nextLine(final long seconds) throws InterruptedException
        {
            return stdout.poll(seconds, TimeUnit.SECONDS);
        }

        String describe()
        {
            return "\n--- " + name + (process.isAlive() ? " (alive)" : " (exit " + process.exitValue() + ")") +
                " stderr ---\n" + JvmLauncher.tail(log);
        }
    }

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final Process process : children)
        {
            if (process.isAlive())
            {
                signal(process.pid(), "CONT"); // a frozen child dies too
            }
            process.destroyForcibly();
            try
            {
                process.getOutputStream().close();
            }
            catch (final IOException ignore)
            {
                // the child is gone: its stdin pipe is broken, closing it is all that was wanted
            }
        }
        for (final Process process : children)
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Child start(final String name, final String... args) throws IOException
    {
        final Path log = dir.resolve(name + ".err.log");
        final Process process = JvmLauncher.start(log, Ferry.class, args);
        children.add(process);
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        // stdout is a pipe: read it line by line until the child dies, so the test sees each acked line as it comes
        Thread.ofPlatform().daemon(true).name("stdout-" + name).start(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                for (String line = in.readLine(); line != null; line = in.readLine())
                {
                    lines.add(line);
                }
            }
            catch (final IOException ex)
            {
                ReplicationFixture.log("stdout of " + name + " ended: " + ex);
            }
        });
        return new Child(name, process, process.getOutputStream(), lines, log);
    }

    private static void signal(final long pid, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + signal + " " + pid);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("kill -" + signal + " " + pid, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    private static String freeAddress() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    private static String payload(final long offset)
    {
        return "entry " + offset + " " + "x".repeat((int)(offset % 50));
    }

    /** @return the offset of an {@code acked OFFSET} line. */
    private static long acked(final String line)
    {
        assertTrue(line.startsWith("acked "), () -> "stdout holds only acked lines: " + line);
        return Long.parseLong(line.substring("acked ".length()));
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAcknowledgedEntryOnTheReplicaWhenThePrimaryIsKilled() throws Exception
    {
        final String address = freeAddress();
        final Path secretFile = dir.resolve("secret");
        Secret.generate(secretFile);
        final Path replicaWal = dir.resolve("replica-wal");
        final Child primary = start("primary", "primary", "--wal", dir.resolve("primary-wal").toString(), "--listen",
            address, "--secret-file", secretFile.toString(), "--state", "none", "--stdin",
            "--sync-replicas", "1", "--sync-level", "durable", "--sync-timeout", "120s");
        final Child replica = start("replica", "replica", "--wal", replicaWal.toString(), "--primary", address, "--id",
            "r1", "--secret-file", secretFile.toString(), "--state", "none", "--sync", "batch");
        final List<Long> acks = new ArrayList<>();

        for (long i = 0; i < 100; i++)
        {
            primary.writeLine(payload(i));
        }
        while (acks.size() < 100)
        {
            final String line = primary.nextLine(STEP_SECONDS);
            assertNotNull(line, () -> "acked " + acks.size() + " not printed" + primary.describe() + replica.describe());
            acks.add(acked(line));
        }

        // a frozen replica acknowledges nothing: the entry is appended, but not acked
        signal(replica.process().pid(), "STOP");
        primary.writeLine(payload(100));
        assertNull(primary.nextLine(1), "no ack while the replica is frozen");
        assertTrue(primary.process().isAlive(), primary::describe);
        signal(replica.process().pid(), "CONT");
        final String thawed = primary.nextLine(STEP_SECONDS);
        assertNotNull(thawed, () -> "no ack once the replica went on" + primary.describe() + replica.describe());
        acks.add(acked(thawed));

        // more lines than get acknowledged before the kill: the primary dies with some appended, not yet acked
        for (long i = 101; i < 600; i++) // ~30 KB: within the pipe's buffer, the writes never wait for the primary
        {
            primary.writeLine(payload(i));
        }
        while (acks.getLast() < 300)
        {
            final String line = primary.nextLine(STEP_SECONDS);
            assertNotNull(line, () -> "acks stopped at " + acks.getLast() + primary.describe() + replica.describe());
            acks.add(acked(line));
        }
        primary.process().destroyForcibly(); // SIGKILL, right after reading an ack: the JVM itself, no launcher between
        assertTrue(primary.process().waitFor(30, TimeUnit.SECONDS), "the primary died");
        for (String line = primary.nextLine(5); line != null; line = primary.nextLine(5))
        {
            acks.add(acked(line)); // printed before it died: acknowledged too
        }
        for (int i = 0; i < acks.size(); i++)
        {
            assertEquals(i, acks.get(i), "acked in order, none missing");
        }

        replica.process().destroy(); // SIGTERM: its shutdown hook closes the WAL
        assertTrue(replica.process().waitFor(30, TimeUnit.SECONDS), () -> "the replica stopped" + replica.describe());
        final Map<Long, String> held = read(replicaWal, acks.getLast() + 1);
        for (final long offset : acks)
        {
            assertEquals(payload(offset), held.get(offset), "the replica holds acknowledged offset " + offset +
                replica.describe());
        }
        ReplicationFixture.log(acks.size() + " acknowledged entries on the replica after kill -9 of the primary");
    }

    /**
     * Issue 17's scenario, with processes: synchronous DURABLE replication, {@code kill -9} of the primary right after
     * an acknowledged append, {@code ferry promote} of the replica that acknowledged (its {@code --serve} port), and a
     * new replica of the promoted node: every acknowledged entry is there, at its offset.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldLoseNoAcknowledgedEntryWhenTheReplicaThatAcknowledgedIsPromoted() throws Exception
    {
        final String address = freeAddress();
        final String serve = freeAddress();
        final Path secretFile = dir.resolve("secret");
        Secret.generate(secretFile);
        final Child primary = start("primary", "primary", "--wal", dir.resolve("primary-wal").toString(), "--listen",
            address, "--secret-file", secretFile.toString(), "--state", "none", "--stdin",
            "--sync-replicas", "1", "--sync-level", "durable", "--sync-timeout", "120s");
        final Child replica = start("replica", "replica", "--wal", dir.resolve("replica-wal").toString(), "--primary",
            address, "--id", "r1", "--secret-file", secretFile.toString(), "--state", "none", "--serve", serve);
        final List<Long> acks = new ArrayList<>();
        for (long i = 0; i < 400; i++)
        {
            primary.writeLine(payload(i));
        }
        while (acks.isEmpty() || acks.getLast() < 200)
        {
            final String line = primary.nextLine(STEP_SECONDS);
            assertNotNull(line, () -> "acks stopped at " + acks.size() + primary.describe() + replica.describe());
            acks.add(acked(line));
        }
        primary.process().destroyForcibly(); // SIGKILL, right after reading an ack
        assertTrue(primary.process().waitFor(30, TimeUnit.SECONDS), "the primary died");
        for (String line = primary.nextLine(5); line != null; line = primary.nextLine(5))
        {
            acks.add(acked(line));
        }

        final dev.ferry.engine.cli.CliRun.Run promoted = dev.ferry.engine.cli.CliRun.ferry("promote", "--replica", serve,
            "--secret-file", secretFile.toString());
        assertEquals(0, promoted.exit(), () -> promoted + replica.describe());
        assertTrue(promoted.out().contains("\"epoch\":1"), promoted::toString);
        final Path r2Wal = dir.resolve("r2-wal");
        final Child r2 = start("r2", "replica", "--wal", r2Wal.toString(), "--primary", serve, "--id", "r2",
            "--secret-file", secretFile.toString(), "--state", "none");
        final long last = acks.getLast();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final java.net.InetSocketAddress promotedAddress = dev.ferry.net.Endpoint.parse(serve, "address");
        long durable = -1;
        while (System.nanoTime() < deadline && durable <= last)
        {
            Thread.sleep(100);
            // the promoted node's view of r2 (its WAL is not read while r2 writes it)
            durable = dev.ferry.engine.cli.StatusDocuments.read(dev.ferry.engine.status.StatusClient.requestJson(
                promotedAddress, java.time.Duration.ofSeconds(5), Secret.load(secretFile))).replicas().stream()
                .filter(r -> r.id().equals("r2")).mapToLong(ReplicaStatus::durable).findFirst().orElse(-1);
        }
        r2.process().destroy(); // SIGTERM: its shutdown hook closes its WAL
        assertTrue(r2.process().waitFor(30, TimeUnit.SECONDS), () -> "r2 stopped" + r2.describe());
        final Map<Long, String> held = read(r2Wal, last + 1);
        for (final long offset : acks)
        {
            assertEquals(payload(offset), held.get(offset), "the promoted node served acknowledged offset " + offset +
                replica.describe() + r2.describe());
        }
        ReplicationFixture.log(acks.size() + " acknowledged entries on a replica of the promoted node after kill -9");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldReportATimeoutOnOneLineAndGoOnServing() throws Exception
    {
        final String address = freeAddress();
        final Child primary = start("primary", "primary", "--wal", dir.resolve("primary-wal").toString(), "--listen",
            address, "--insecure-no-secret", "--state", "none", "--stdin", "--sync-replicas", "1", "--sync-level",
            "received", "--sync-timeout", "500ms");
        primary.writeLine(payload(0));
        assertNull(primary.nextLine(2), "no replica: nothing acknowledged");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (!Files.readString(primary.log()).contains("TIMEOUT"))
        {
            assertTrue(System.nanoTime() < deadline, primary::describe);
            Thread.sleep(20);
        }
        final List<String> timeouts = Files.readAllLines(primary.log()).stream().filter(l -> l.contains("TIMEOUT")).toList();
        assertEquals(1, timeouts.size(), primary::describe);
        assertTrue(timeouts.getFirst().contains("offset 0 ") && timeouts.getFirst().contains("RECEIVED") &&
            timeouts.getFirst().contains("stays in the WAL"), timeouts::getFirst);
        assertTrue(primary.process().isAlive(), () -> "the primary goes on" + primary.describe());

        final String[] hostPort = address.split(":");
        try (Replica replica = Replica.start(new ReplicaConfig().walDirectory(dir.resolve("r1")).insecureNoSecret(true)
            .primary(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]))).id("r1")))
        {
            primary.writeLine(payload(1));
            final String line = primary.nextLine(STEP_SECONDS);
            assertNotNull(line, primary::describe);
            assertEquals(1, acked(line), "the next entry is acknowledged");
            ReplicationFixture.await("r1 to hold the entry that timed out", java.time.Duration.ofSeconds(STEP_SECONDS),
                () -> replica.receivedOffset() >= 2);
        }
        primary.stdin().close();
        assertTrue(primary.process().isAlive(), () -> "serving after stdin ended" + primary.describe());
        assertEquals(payload(0), read(dir.resolve("r1"), 2).get(0L), "the entry that timed out replicated");
    }

    /** @return the payloads of offsets {@code [0, count)} of a WAL, as text. */
    private static Map<Long, String> read(final Path walDir, final long count)
    {
        final Map<Long, String> payloads = new HashMap<>();
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true));
             WalCursor cursor = wal.cursor())
        {
            for (int polls = 0; polls < 100_000 && payloads.size() < count; polls++)
            {
                final int read = cursor.poll(e ->
                {
                    if (!e.crcMatches())
                    {
                        fail(walDir + ": entry " + e.offset() + " fails its CRC");
                    }
                    payloads.put(e.offset(), new String(e.payload().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                    return true;
                }, 4096);
                if (read == 0)
                {
                    break;
                }
            }
        }
        return payloads;
    }
}
