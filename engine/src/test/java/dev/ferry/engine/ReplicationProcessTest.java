package dev.ferry.engine;

import dev.ferry.engine.cli.Ferry;
import dev.ferry.engine.cli.StatusDocuments;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.FerryException;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.JvmLauncher;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalDigest;
import dev.ferry.wal.WalException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replication across processes, the way {@code ./ferry} runs it: a primary and a replica in child JVMs running
 * {@link Ferry}'s main with subcommand arguments; the replica and then the primary are killed with SIGKILL in the
 * middle of the load and restarted; in the end both WALs hold the same dense entries.
 */
@ExtendWith(LeakCheck.class)
class ReplicationProcessTest
{
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * Entries the first primary is asked to generate at {@link #RATE} per second. It must still be generating when it
     * is killed, after the replica passed 50,000, was killed, restarted and passed 150,000: two child JVM start-ups on
     * two shared cores next to a generator thread that keeps one core busy. 400,000 (a 4 s window) finished too early
     * in 2 of 7 runs here; 1,000,000 gives a 10 s window and costs nothing, the primary is killed long before.
     */
    private static final long GENERATE = 1_000_000;
    private static final long RATE = 100_000;
    private static final int SIZE = 64;
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Secret secret;

    private final List<Child> children = new ArrayList<>();
    private final List<Wal> views = new ArrayList<>();

    /** A child JVM, its stderr log and a copy of its stdout. */
    private record Child(String name, Process process, Path log)
    {
        boolean alive()
        {
            return process.isAlive();
        }

        String describe()
        {
            return "--- " + name + (process.isAlive() ? " (alive)" : " (exit " + process.exitValue() + ")") + " ---\n" +
                JvmLauncher.tail(log);
        }
    }

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final Child child : children)
        {
            child.process().destroyForcibly();
        }
        for (final Child child : children)
        {
            child.process().waitFor(30, TimeUnit.SECONDS);
        }
        for (final Wal view : views)
        {
            view.close();
        }
    }

    private Child start(final String name, final String... args) throws IOException
    {
        final Path log = dir.resolve(name + ".err.log");
        final Process process = JvmLauncher.start(log, Ferry.class, args);
        final Child child = new Child(name, process, log);
        ReplicationFixture.log("started " + name);
        children.add(child);
        process.getOutputStream().close();
        final Path out = dir.resolve(name + ".out.log");
        // stdout is a pipe: drain it so a chatty child can never block on it; ends when the child dies
        Thread.ofPlatform().daemon(true).name("drain-" + name).start(() ->
        {
            try (InputStream in = process.getInputStream(); OutputStream copy = Files.newOutputStream(out))
            {
                in.transferTo(copy);
            }
            catch (final IOException ex)
            {
                ReplicationFixture.log("stdout of " + name + " not copied: " + ex);
            }
        });
        return child;
    }

    private String logs()
    {
        final StringBuilder text = new StringBuilder();
        for (final Child child : children)
        {
            text.append('\n').append(child.describe());
        }
        for (final String wal : List.of("primary-wal", "replica-wal"))
        {
            text.append('\n').append(cycleFiles(dir.resolve(wal)));
        }
        return text.toString();
    }

    /**
     * The WAL's cycle files with the first int of each (the Chronicle header: 0x80000000 = claimed, never completed,
     * what a SIGKILL during a roll leaves; see KilledDuringRollTest).
     */
    private static String cycleFiles(final Path wal)
    {
        final StringBuilder text = new StringBuilder("--- ").append(wal.getFileName()).append(" cycle files:");
        try (Stream<Path> files = Files.list(wal))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList())
            {
                final ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
                {
                    channel.read(header, 0);
                }
                text.append(' ').append(file.getFileName()).append(String.format("=0x%08x", header.getInt(0)));
            }
        }
        catch (final IOException ex)
        {
            text.append(" (unreadable: ").append(ex).append(')');
        }
        return text.toString();
    }

    private static void kill(final Child child) throws InterruptedException
    {
        child.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), child.name() + " did not die");
    }

    private void await(final String what, final BooleanSupplier condition, final Child... mustLive)
    {
        final long deadline = System.nanoTime() + STEP.toNanos();
        for (int polls = 0; !condition.getAsBoolean(); polls++)
        {
            for (final Child child : mustLive)
            {
                if (!child.alive())
                {
                    fail(child.name() + " died while waiting for " + what + logs());
                }
            }
            if (System.nanoTime() > deadline || polls > 100_000)
            {
                fail("timed out after " + STEP + " waiting for " + what + logs());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** A read-only view of a WAL another process writes; opened once the writer has created it. */
    private final class WalView
    {
        private final Path directory;
        private Wal wal;
        private WalException notYet;

        WalView(final Path directory)
        {
            this.directory = directory;
        }

        /** @return the WAL's next offset as its files say now, or -1 before the writer created it. */
        long next()
        {
            if (wal == null)
            {
                if (!Files.isDirectory(directory))
                {
                    return -1;
                }
                try
                {
                    wal = Wal.open(new WalConfig().directory(directory).readOnly(true));
                    views.add(wal);
                }
                catch (final WalException ex)
                {
                    notYet = ex; // the writer is still creating it: try again on the next poll
                    return -1;
                }
            }
            wal.refresh();
            return wal.nextOffset();
        }

        @Override
        public String toString()
        {
            return directory + (wal == null ? " (not open: " + notYet + ")" : " next " + wal.nextOffset());
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
    }

    private static WalDigest digest(final Path walDir)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            return WalDigest.of(wal, -1, -1);
        }
    }

    /** Every entry from 0 in order, CRC intact, holding the generator's payload: its own offset, then letters. */
    private static long assertDenseGenerated(final Path walDir)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true));
             WalCursor cursor = wal.cursor())
        {
            final long[] expected = {0};
            for (int polls = 0; polls < 1_000_000; polls++)
            {
                final int read = cursor.poll(e ->
                {
                    if (e.offset() != expected[0] || e.length() != SIZE || !e.crcMatches() ||
                        e.payload().get(LONG_LE, 0) != e.offset() || e.payloadByte(SIZE - 1) != (byte)('a' + (SIZE - 1) % 26))
                    {
                        fail(walDir + ": unexpected entry " + e + " where offset " + expected[0] + " was due");
                    }
                    expected[0]++;
                    return true;
                }, 65_536);
                if (read == 0)
                {
                    break;
                }
            }
            assertEquals(wal.nextOffset(), expected[0], walDir + ": read every entry up to the head");
            return expected[0];
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldConvergeAfterKillMinus9OfTheReplicaAndThenThePrimary() throws Exception
    {
        final int port = freePort();
        final String address = "127.0.0.1:" + port;
        final Path primaryWal = dir.resolve("primary-wal");
        final Path replicaWal = dir.resolve("replica-wal");
        final Path secretFile = dir.resolve("secret");
        secret = Secret.generate(secretFile);
        final String[] primaryArgs = {"primary", "--wal", primaryWal.toString(), "--listen", address,
            "--roll-cycle", "TEST_SECONDLY", "--secret-file", secretFile.toString()};
        final String[] replicaArgs = {"replica", "--wal", replicaWal.toString(), "--primary", address, "--id", "r1",
            "--secret-file", secretFile.toString(), "--state", "none"};
        final WalView primaryView = new WalView(primaryWal);
        final WalView replicaView = new WalView(replicaWal);

        final Child primary1 = start("primary-1", concat(primaryArgs,
            "--generate", String.valueOf(GENERATE), "--size", String.valueOf(SIZE), "--rate", String.valueOf(RATE),
            "--state", "none")); // raw entries: the checks below read the generator's payload
        final Child replica1 = start("replica-1", replicaArgs);

        await("the replica to pass 50,000 entries", () -> replicaView.next() > 50_000, primary1, replica1);
        kill(replica1);
        final long replicaAtKill = replicaView.next();
        ReplicationFixture.log("killed the replica at " + replicaAtKill + ", primary at " + primaryView.next());

        final Child replica2 = start("replica-2", replicaArgs);
        // what `ferry checksum` does on a WAL another process is writing: a consistent prefix, checked at the end
        final WalDigest livePrefix = digest(primaryWal);
        assertTrue(livePrefix.count() > 50_000 && livePrefix.first() == 0, livePrefix::toString);
        await("the restarted replica to pass 150,000 entries", () -> replicaView.next() > 150_000, primary1, replica2);
        kill(primary1);
        final long primaryAtKill = primaryView.next();
        ReplicationFixture.log("killed the primary at " + primaryAtKill + ", replica at " + replicaView.next());
        assertTrue(primaryAtKill < GENERATE, "the primary was killed mid-generation, at " + primaryAtKill + logs());
        assertFalse(JvmLauncher.tail(primary1.log()).contains("generated " + GENERATE + " entries"), logs());
        assertTrue(replicaView.next() >= replicaAtKill, "what the replica had at kill -9 survived" + logs());

        final Child primary2 = start("primary-2", primaryArgs);
        await("the restarted primary to listen", () -> JvmLauncher.tail(primary2.log()).contains("primary listening"),
            primary2, replica2);
        final long[] heads = new long[2];
        await("the replica to reach the restarted primary's head", () ->
        {
            heads[0] = primaryView.next();
            heads[1] = replicaView.next();
            return heads[1] == heads[0] && replicaStreamingAt(address, heads[0]);
        }, primary2, replica2);
        ReplicationFixture.log("converged at " + heads[0]);
        assertTrue(heads[0] >= primaryAtKill, "the primary kept what it had at kill -9" + logs());
        assertTrue(primary2.alive() && replica2.alive(), logs());

        for (final Child child : List.of(replica2, primary2))
        {
            child.process().destroy(); // SIGTERM: the shutdown hooks close the WALs
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), child.name() + " did not stop" + logs());
        }
        ReplicationFixture.log(logs());
        final WalDigest expected = digest(primaryWal);
        final WalDigest actual = digest(replicaWal);
        assertEquals(expected, actual, "replica and primary hold the same entries" + logs());
        assertEquals(0, expected.first());
        assertEquals(expected.last() + 1, expected.count(), "dense");
        assertEquals(heads[0], expected.count(), "count == the primary's next offset");
        assertEquals(heads[0], assertDenseGenerated(primaryWal));
        try (Wal wal = Wal.open(new WalConfig().directory(primaryWal).readOnly(true)))
        {
            assertEquals(livePrefix, WalDigest.of(wal, 0, livePrefix.last()), "the prefix digested while it was written");
        }
        assertEquals(heads[0], assertDenseGenerated(replicaWal));
    }

    /**
     * A primary in a JVM that checks Chronicle's thread ownership (as an embedding application's may: the child runs
     * without {@code -Ddisable.single.threaded.check}) applies what it generates: its applier's cursor is opened by
     * the thread that polls it, not by the one that opened the primary (which stopped applying at offset 0).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldApplyOnThePrimaryWithChroniclesThreadChecksOn() throws Exception
    {
        final String address = "127.0.0.1:" + freePort();
        final Path secretFile = dir.resolve("secret");
        secret = Secret.generate(secretFile);
        final Child primary = start("primary", "primary", "--wal", dir.resolve("primary-wal").toString(), "--listen",
            address, "--secret-file", secretFile.toString(), "--generate", "5000", "--size", "16");
        await("the primary to apply what it generated", () ->
        {
            final PrimaryStatus now = statusOrNull(address);
            return now != null && now.head() == 5_000 && now.applied() == 5_000;
        }, primary);
        assertFalse(JvmLauncher.tail(primary.log()).contains("state machine stopped"), logs());
    }

    /**
     * A snapshot transfer across processes, cut by {@code kill -9} of the replica and then of the primary: each time
     * it resumes from the replica's last verified byte (the primaries' status counts the transfers they began: one
     * in all), and the replica ends with the primary's state.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldResumeASnapshotTransferAfterKillMinus9OfEitherSide() throws Exception
    {
        final String address = "127.0.0.1:" + freePort();
        final Path primaryWal = dir.resolve("primary-wal");
        final Path replicaWal = dir.resolve("replica-wal");
        final Path secretFile = dir.resolve("secret");
        secret = Secret.generate(secretFile);
        final String[] replicaArgs = {"replica", "--wal", replicaWal.toString(), "--primary", address, "--id", "r1",
            "--secret-file", secretFile.toString()};
        // r1 first follows another primary: its history is not the one it will be sent a snapshot of
        final Child old = start("old-primary", "primary", "--wal", dir.resolve("old-wal").toString(), "--listen", address,
            "--secret-file", secretFile.toString(), "--generate", "100", "--size", "16");
        final Child first = start("replica-1", replicaArgs);
        final WalView replicaView = new WalView(replicaWal);
        await("r1 on the old history", () -> replicaView.next() == 100, old, first);
        kill(first);
        kill(old);

        final String[] primaryArgs = {"primary", "--wal", primaryWal.toString(), "--listen", address,
            "--secret-file", secretFile.toString(), "--snapshot-rate", "1000000"};
        final Child primary1 = start("primary-1", concat(primaryArgs, "--generate", "40000", "--size", "100",
            "--keys", "40000"));
        await("the primary to apply what it generated", () ->
        {
            final PrimaryStatus now = statusOrNull(address);
            return now != null && now.applied() == 40_000;
        }, primary1);
        final Child replica2 = start("replica-2", replicaArgs);
        await("a quarter of the snapshot", () -> snapshotProgress(address) > 0.25, primary1, replica2);
        kill(replica2);
        final Child replica3 = start("replica-3", replicaArgs);
        await("the transfer resumed past half", () -> snapshotProgress(address) > 0.5, primary1, replica3);
        assertEquals(1, status(address).replicas().getFirst().snapshots(), "resumed, not begun again" + logs());
        kill(primary1);
        final Child primary2 = start("primary-2", primaryArgs);
        await("r1 streaming after its snapshot", () ->
        {
            final PrimaryStatus now = statusOrNull(address);
            return now != null && now.replicas().stream().anyMatch(r -> r.id().equals("r1") &&
                r.state() == SlotState.STREAMING && r.applied() == now.head() && now.head() == 40_000);
        }, primary2, replica3);
        assertEquals(0, status(address).replicas().getFirst().snapshots(),
            "the restarted primary resumed the transfer, it began none" + logs());
        assertTrue(JvmLauncher.tail(replica3.log()).contains("aside"), "r1 says where its old WAL went" + logs());

        for (final Child child : List.of(replica3, primary2))
        {
            child.process().destroy();
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), child.name() + " did not stop" + logs());
        }
        assertArrayEquals(state(primaryWal), state(replicaWal), "equal states" + logs());
    }

    private PrimaryStatus status(final String address)
    {
        final String[] hostPort = address.split(":");
        return StatusDocuments.read(StatusClient.requestJson(
            new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), Duration.ofSeconds(2), secret));
    }

    private PrimaryStatus statusOrNull(final String address)
    {
        try
        {
            return status(address);
        }
        catch (final FerryException ex)
        {
            return null; // not listening yet
        }
    }

    private double snapshotProgress(final String address)
    {
        final PrimaryStatus now = statusOrNull(address);
        return now == null ? 0 : now.replicas().stream().filter(r -> r.id().equals("r1"))
            .mapToDouble(ReplicaStatus::snapshotProgress).max().orElse(0);
    }

    /** The key-value state a WAL directory holds (its newest snapshot, then the WAL after it), as snapshot bytes. */
    private static byte[] state(final Path walDir) throws IOException
    {
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            final dev.ferry.engine.state.KvStateMachine state = new dev.ferry.engine.state.KvStateMachine();
            final dev.ferry.engine.state.Applier applier =
                dev.ferry.engine.state.Applier.openReadOnly(wal, state, message -> { });
            while (!applier.caughtUp())
            {
                applier.doWork(System.nanoTime());
            }
            applier.close();
            return dev.ferry.engine.state.StateStore.snapshotBytes(state);
        }
    }

    /** True if the primary at {@code address} answers status with r1 STREAMING and caught up at {@code head}. */
    private boolean replicaStreamingAt(final String address, final long head)
    {
        final String[] hostPort = address.split(":");
        final PrimaryStatus status;
        try
        {
            status = StatusDocuments.read(StatusClient.requestJson(
                new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), Duration.ofSeconds(2), secret));
        }
        catch (final FerryException ex)
        {
            ReplicationFixture.log("status not available yet: " + ex.getMessage());
            return false;
        }
        assertNotNull(status.replicas());
        return status.head() == head && status.replicas().stream().anyMatch(r ->
            r.id().equals("r1") && r.state() == SlotState.STREAMING && r.received() == head && r.lagEntries() == 0);
    }

    private static String[] concat(final String[] first, final String... more)
    {
        final String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
