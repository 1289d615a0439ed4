package dev.ferry.engine.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.tls.TestCertificates;
import dev.ferry.wal.JvmLauncher;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The command line contract of DESIGN.md: every subcommand has --help; errors are one line on stderr with a non-zero
 * exit (2 for usage, 1 for a failure while running); dump / checksum / status --json print the documented formats.
 * Runs {@link Ferry#execute} in this JVM with System.out / System.err swapped, and child JVMs for the subcommands
 * that run until killed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class CliTest
{
    private static final String LOOPBACK = "127.0.0.1";
    private static final long FIXED_TIMESTAMP_NS = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    /**
     * Chronicle's first use in a JVM may log (banners, warnings): get it done before any output is captured.
     */
    @BeforeAll
    static void warmUpChronicle(@TempDir final Path warm)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(warm.resolve("warm"))))
        {
            wal.append(new byte[8]);
        }
    }

    private static CliRun.Run ferry(final String... args)
    {
        return CliRun.ferry(args);
    }

    private static int closedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK)))
        {
            return socket.getLocalPort();
        }
    }

    private static void assertOneErrorLine(final CliRun.Run run, final int exit, final String... mentions)
    {
        assertEquals(exit, run.exit(), run::toString);
        assertEquals(1, run.errLines().size(), () -> "exactly one line on stderr: " + run);
        final String line = run.errLines().getFirst();
        for (final String mention : mentions)
        {
            assertTrue(line.contains(mention), () -> "stderr names '" + mention + "': " + run);
        }
        assertTrue(line.startsWith("ferry") || line.matches("^[a-z]+: .*"), () -> "names the command: " + line);
    }

    // ---------------------------------------------------------------------------------------------------- help

    @ParameterizedTest
    @ValueSource(strings = {"demo", "primary", "replica", "status", "dump", "checksum"})
    void everySubcommandHasHelp(final String subcommand)
    {
        final CliRun.Run run = ferry(subcommand, "--help");
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("Usage: ferry " + subcommand), run::toString);
        assertTrue(run.out().contains("--help"), run::toString);
        assertTrue(run.err().isEmpty(), run::toString);
    }

    @Test
    void topLevelHelpListsEverySubcommand()
    {
        final CliRun.Run run = ferry("--help");
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("Usage: ferry"), run::toString);
        for (final String subcommand : List.of("demo", "primary", "replica", "status", "dump", "checksum"))
        {
            assertTrue(run.out().contains(subcommand), () -> subcommand + " listed: " + run);
        }
        assertTrue(run.err().isEmpty(), run::toString);
    }

    @Test
    void requiredOptionsAppearInUsage()
    {
        assertTrue(ferry("primary", "--help").out().contains("--listen=HOST:PORT"));
        assertTrue(ferry("replica", "--help").out().contains("--primary=HOST:PORT"));
        assertTrue(ferry("dump", "--help").out().contains("--wal=DIR"));
        assertTrue(ferry("checksum", "--help").out().contains("--wal=DIR"));
        assertTrue(ferry("status", "--help").out().contains("--json"));
    }

    // ---------------------------------------------------------------------------------------------- usage errors

    @Test
    void unknownFlagIsAUsageErrorOnOneLineNamingIt()
    {
        final CliRun.Run run = ferry("dump", "--wal", dir.toString(), "--bogus");
        assertOneErrorLine(run, Ferry.EXIT_USAGE, "--bogus");
        assertTrue(run.out().isEmpty(), run::toString);
        assertOneErrorLine(ferry("status", "--primary", "127.0.0.1:1", "--bogus=1"), Ferry.EXIT_USAGE, "--bogus");
    }

    /**
     * {@code ferry dump --bogus}: the wrong flag is what the user typed wrong; picocli validates required options
     * before it reports unmatched arguments, so the line names only the missing --wal.
     */
    @Test
    void unknownFlagIsNamedEvenWhenARequiredOptionIsAlsoMissing()
    {
        final CliRun.Run run = ferry("dump", "--bogus");
        assertOneErrorLine(run, Ferry.EXIT_USAGE, "--bogus");
        assertTrue(run.out().isEmpty(), run::toString);
    }

    @Test
    void missingRequiredOptionIsAUsageErrorOnOneLineNamingIt()
    {
        assertOneErrorLine(ferry("replica", "--wal", dir.toString(), "--id", "r1"), Ferry.EXIT_USAGE, "--primary");
        assertOneErrorLine(ferry("dump"), Ferry.EXIT_USAGE, "--wal");
        assertOneErrorLine(ferry("status"), Ferry.EXIT_USAGE, "--primary");
    }

    @Test
    void missingSubcommandIsAUsageError()
    {
        assertOneErrorLine(ferry(), Ferry.EXIT_USAGE, "subcommand");
    }

    @Test
    void badOptionValuesAreUsageErrorsNamingTheOption()
    {
        assertOneErrorLine(ferry("status", "--primary", "127.0.0.1:1", "--timeout", "soon"), Ferry.EXIT_USAGE, "--timeout");
        assertOneErrorLine(ferry("status", "--primary", "no-port-here"), Ferry.EXIT_USAGE, "--primary");
        assertOneErrorLine(ferry("dump", "--wal", dir.toString(), "--limit", "many"), Ferry.EXIT_USAGE, "--limit");
    }

    /**
     * Ferry's contract: "exit 2 for a usage error (wrong flag or value)". A negative --limit / --from is a wrong value,
     * like primary's negative --rate (which is exit 2).
     */
    @Test
    void negativeOffsetsAndLimitsAreUsageErrors()
    {
        final Path wal = smallWal(3);
        assertOneErrorLine(ferry("primary", "--wal", dir.resolve("p").toString(), "--listen", "127.0.0.1:0", "--rate", "-1"),
            Ferry.EXIT_USAGE, "--rate");
        assertOneErrorLine(ferry("dump", "--wal", wal.toString(), "--limit", "-1"), Ferry.EXIT_USAGE, "--limit");
        assertOneErrorLine(ferry("checksum", "--wal", wal.toString(), "--from", "-1"), Ferry.EXIT_USAGE, "--from");
    }

    /**
     * Synchronous replication's flags are checked before anything is opened: a wrong one is a usage error naming it
     * (the CLI's face of CONFIGURATION), and the WAL directory is not created.
     */
    @Test
    void badSyncReplicationFlagsAreUsageErrorsNamingTheFlag()
    {
        final Path wal = dir.resolve("p");
        final String[] primary = {"primary", "--wal", wal.toString(), "--listen", "127.0.0.1:0", "--insecure-no-secret"};
        assertOneErrorLine(ferry(with(primary, "--sync-replicas", "-1")), Ferry.EXIT_USAGE, "--sync-replicas", "-1");
        assertOneErrorLine(ferry(with(primary, "--sync-replicas", "65")), Ferry.EXIT_USAGE, "--sync-replicas", "64");
        assertOneErrorLine(ferry(with(primary, "--sync-level", "durable")), Ferry.EXIT_USAGE, "--sync-level durable",
            "needs --sync-replicas");
        assertOneErrorLine(ferry(with(primary, "--sync-replicas", "1", "--sync-level", "eventually")), Ferry.EXIT_USAGE,
            "--sync-level", "eventually");
        assertOneErrorLine(ferry(with(primary, "--sync-replicas", "1", "--sync-timeout", "0s")), Ferry.EXIT_USAGE,
            "--sync-timeout");
        assertOneErrorLine(ferry(with(primary, "--sync-replicas", "1", "--sync-timeout", "soon")), Ferry.EXIT_USAGE,
            "--sync-timeout");
        assertFalse(Files.exists(wal), "nothing was opened");
        final String help = ferry("primary", "--help").out();
        for (final String flag : List.of("--sync-replicas=K", "--sync-level=received|durable|applied",
            "--sync-timeout=DURATION"))
        {
            assertTrue(help.contains(flag), () -> "--help shows " + flag + ": " + help);
        }
    }

    private static String[] with(final String[] args, final String... more)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    // ------------------------------------------------------------------------------------------- runtime errors

    @Test
    void dumpOfAMissingWalFailsWithStorageOnOneLine()
    {
        final String missing = dir.resolve("nonexistent").toString();
        final CliRun.Run run = ferry("dump", "--wal", missing);
        assertOneErrorLine(run, Ferry.EXIT_FAILURE, "STORAGE", missing);
        assertTrue(run.out().isEmpty(), run::toString);
        assertFalse(Files.exists(Path.of(missing)), "a read-only command creates nothing");

        assertOneErrorLine(ferry("checksum", "--wal", missing), Ferry.EXIT_FAILURE, "STORAGE", missing);
        assertOneErrorLine(ferry("dump", "--wal", "/nonexistent"), Ferry.EXIT_FAILURE, "STORAGE", "/nonexistent");
    }

    @Test
    void statusOfAnUnreachablePrimaryFailsWithConnectionOnOneLine() throws IOException
    {
        final int port = closedPort();
        // bounded by --timeout: a status that ignored it would not return, and fail on the class @Timeout (how soon
        // after the second it returns is up to the machine's load)
        final CliRun.Run run = ferry("status", "--primary", LOOPBACK + ":" + port, "--timeout", "1s");
        assertOneErrorLine(run, Ferry.EXIT_FAILURE, "CONNECTION", String.valueOf(port));
        assertTrue(run.out().isEmpty(), run::toString);
    }

    @Test
    void primaryOnAPortInUseExitsNonZeroWithOneLineNamingThePort() throws Exception
    {
        final Path log = dir.resolve("primary.log");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK)))
        {
            final int port = taken.getLocalPort();
            final Process child = JvmLauncher.start(log, Ferry.class, "primary", "--wal", dir.resolve("p").toString(),
                "--listen", LOOPBACK + ":" + port, "--insecure-no-secret");
            try
            {
                child.getOutputStream().close();
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), () -> "primary still running: " + JvmLauncher.tail(log));
                final String stdout = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                final List<String> err = CliRun.lines(Files.readString(log));
                assertNotEquals(0, child.exitValue(), () -> "exit code; stderr: " + err);
                assertEquals(1, err.size(), () -> "exactly one line on stderr: " + err + "; stdout: " + stdout);
                assertTrue(err.getFirst().contains(String.valueOf(port)), () -> "names the port: " + err);
                assertTrue(err.getFirst().startsWith("ferry primary: "), () -> "names the command: " + err);
            }
            finally
            {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void replicaOfAnUnreachablePrimaryKeepsRetrying() throws Exception
    {
        final int port = closedPort();
        final Path log = dir.resolve("replica.log");
        final long start = System.nanoTime();
        final Process child = JvmLauncher.start(log, Ferry.class, "replica", "--wal", dir.resolve("r").toString(),
            "--primary", LOOPBACK + ":" + port, "--id", "r1", "--insecure-no-secret");
        try
        {
            child.getOutputStream().close();
            waitFor("two retry lines after 2 s", Duration.ofSeconds(60), () ->
                !child.isAlive() ||
                    (System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(2) && retryLines(log) >= 2),
                () -> JvmLauncher.tail(log));
            assertTrue(child.isAlive(), () -> "the replica keeps retrying, but exited " + exitOf(child) + ": " +
                JvmLauncher.tail(log));
            assertTrue(retryLines(log) >= 2, () -> JvmLauncher.tail(log));
            for (final String line : CliRun.lines(readLog(log)))
            {
                if (line.contains("retry"))
                {
                    assertTrue(line.contains("CONNECTION"), () -> "a retry names the error: " + line);
                }
            }
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A replica that retried while its primary was down, then streamed, then was stopped with SIGTERM (Ctrl-C,
     * {@code kill}) stopped cleanly: no error line on stderr for a connection failure it had already recovered from.
     */
    @Test
    void replicaStoppedCleanlyAfterRecoveringPrintsNoStaleError() throws Exception
    {
        final int port = closedPort();
        final Path log = dir.resolve("replica.log");
        final Process child = JvmLauncher.start(log, Ferry.class, "replica", "--wal", dir.resolve("r").toString(),
            "--primary", LOOPBACK + ":" + port, "--id", "r1", "--insecure-no-secret");
        try
        {
            child.getOutputStream().close();
            waitFor("a retry line", Duration.ofSeconds(60), () -> !child.isAlive() || retryLines(log) >= 1,
                () -> JvmLauncher.tail(log));
            try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir.resolve("p")).insecureNoSecret(true)
                .listen(new InetSocketAddress(LOOPBACK, port)).heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))))
            {
                primary.append(payload(1));
                waitFor("the replica to stream and acknowledge", Duration.ofSeconds(60), () ->
                {
                    final ReplicaSlot slot = primary.slot("r1");
                    return !child.isAlive() || (slot != null && slot.state() == SlotState.STREAMING && slot.receivedOffset() == 1);
                }, () -> JvmLauncher.tail(log));
                assertTrue(child.isAlive(), () -> JvmLauncher.tail(log));
                child.destroy(); // SIGTERM: the shutdown hook stops the replica
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), () -> JvmLauncher.tail(log));
            }
            final List<String> err = CliRun.lines(readLog(log));
            assertTrue(err.stream().anyMatch(l -> l.contains("streaming from")), err::toString);
            assertTrue(err.stream().noneMatch(l -> l.startsWith("ferry replica:")),
                () -> "a clean stop reports no error, got: " + err);
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String exitOf(final Process process)
    {
        return process.isAlive() ? "(alive)" : String.valueOf(process.exitValue());
    }

    private static String readLog(final Path log)
    {
        try
        {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private static long retryLines(final Path log)
    {
        return CliRun.lines(readLog(log)).stream().filter(l -> l.contains("retry")).count();
    }

    private static void waitFor(
        final String what, final Duration timeout, final BooleanSupplier condition, final Supplier<String> context)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + timeout + " waiting for " + what + ": " + context.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    // ---------------------------------------------------------------------------------------- dump and checksum

    private static byte[] payload(final int i)
    {
        final byte[] bytes = new byte[1 + i % 7];
        for (int b = 0; b < bytes.length; b++)
        {
            bytes[b] = (byte)(i * 31 + b * 7 - 100);
        }
        return bytes;
    }

    private Path smallWal(final int entries)
    {
        final Path wal = dir.resolve("small");
        try (Wal w = Wal.open(new WalConfig().directory(wal).clockNs(() -> FIXED_TIMESTAMP_NS)))
        {
            for (int i = 0; i < entries; i++)
            {
                assertEquals(i, w.append(payload(i)));
            }
        }
        return wal;
    }

    /** SHA-256 over (offset u64 LE, length u32 LE, payload) of entries [from, to]: computed here, not by WalDigest. */
    private static String expectedDigest(final int from, final int to) throws NoSuchAlgorithmException
    {
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = from; i <= to; i++)
        {
            final byte[] p = payload(i);
            sha.update(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(i).putInt(p.length).array());
            sha.update(p);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void checksumPrintsOneDocumentedLine() throws Exception
    {
        final Path wal = smallWal(10);
        final CliRun.Run all = ferry("checksum", "--wal", wal.toString());
        assertEquals(0, all.exit(), all::toString);
        assertTrue(all.err().isEmpty(), all::toString);
        assertEquals(List.of("first=0 last=9 count=10 digest=" + expectedDigest(0, 9)), all.outLines(), all::toString);
        assertTrue(all.outLines().getFirst().matches("first=\\d+ last=\\d+ count=\\d+ digest=[0-9a-f]{64}"));

        final CliRun.Run range = ferry("checksum", "--wal", wal.toString(), "--from", "3", "--to", "5");
        assertEquals(0, range.exit(), range::toString);
        assertEquals(List.of("first=3 last=5 count=3 digest=" + expectedDigest(3, 5)), range.outLines(), range::toString);

        final CliRun.Run from = ferry("checksum", "--wal", wal.toString(), "--from", "7");
        assertEquals(List.of("first=7 last=9 count=3 digest=" + expectedDigest(7, 9)), from.outLines(), from::toString);

        final CliRun.Run to = ferry("checksum", "--wal", wal.toString(), "--to", "0");
        assertEquals(List.of("first=0 last=0 count=1 digest=" + expectedDigest(0, 0)), to.outLines(), to::toString);

        final CliRun.Run single = ferry("checksum", "--wal", wal.toString(), "--from", "4", "--to", "4");
        assertEquals(List.of("first=4 last=4 count=1 digest=" + expectedDigest(4, 4)), single.outLines(), single::toString);
    }

    @Test
    void checksumOutsideTheWalFailsOnOneLine()
    {
        final Path wal = smallWal(10);
        assertOneErrorLine(ferry("checksum", "--wal", wal.toString(), "--to", "10"), Ferry.EXIT_FAILURE, "10");
        assertOneErrorLine(ferry("checksum", "--wal", wal.toString(), "--from", "5", "--to", "3"), Ferry.EXIT_FAILURE, "3");
        assertOneErrorLine(ferry("checksum", "--wal", wal.toString(), "--from", "11", "--to", "12"), Ferry.EXIT_FAILURE, "CONFIGURATION");
        final CliRun.Run atHead = ferry("checksum", "--wal", wal.toString(), "--from", "10");
        assertEquals(0, atHead.exit(), atHead::toString);
        assertTrue(atHead.out().startsWith("first=-1 last=-1 count=0 digest="), "nothing from the head on: " + atHead);
    }

    /**
     * {@code dump --from 11} of a WAL whose next offset is 10 fails (CONFIGURATION, "beyond the next offset");
     * {@code checksum --from 11} must agree rather than print an empty digest with exit 0.
     */
    @Test
    void checksumFromBeyondTheHeadFailsLikeDump()
    {
        final Path wal = smallWal(10);
        assertOneErrorLine(ferry("dump", "--wal", wal.toString(), "--from", "11"), Ferry.EXIT_FAILURE, "11");
        assertOneErrorLine(ferry("checksum", "--wal", wal.toString(), "--from", "11"), Ferry.EXIT_FAILURE, "11");
    }

    @Test
    void dumpPrintsOffsetTimestampLengthHex()
    {
        final int entries = 10;
        final Path wal = smallWal(entries);
        final CliRun.Run run = ferry("dump", "--wal", wal.toString());
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.err().isEmpty(), run::toString);
        final List<String> lines = run.outLines();
        assertEquals(entries, lines.size(), run::toString);
        for (int i = 0; i < entries; i++)
        {
            assertEquals(i + "\t" + FIXED_TIMESTAMP_NS + "\t" + payload(i).length + "\t" + HexFormat.of().formatHex(payload(i)),
                lines.get(i));
        }

        final CliRun.Run window = ferry("dump", "--wal", wal.toString(), "--from", "4", "--limit", "3");
        assertEquals(0, window.exit(), window::toString);
        assertEquals(lines.subList(4, 7), window.outLines(), window::toString);

        final CliRun.Run tail = ferry("dump", "--wal", wal.toString(), "--from", "8", "--limit", "100");
        assertEquals(lines.subList(8, 10), tail.outLines(), tail::toString);

        final CliRun.Run none = ferry("dump", "--wal", wal.toString(), "--limit", "0");
        assertEquals(0, none.exit(), none::toString);
        assertTrue(none.out().isEmpty(), none::toString);

        assertOneErrorLine(ferry("dump", "--wal", wal.toString(), "--from", "11"), Ferry.EXIT_FAILURE, "11");
    }

    /**
     * A WAL written with {@code primary --roll-cycle TEST_SECONDLY} (as the tests and DESIGN.md suggest): reading it
     * must not put Chronicle's roll-cycle override warnings on stderr, where they break "errors are one line".
     */
    @Test
    void readingAWalWithANonDefaultRollCyclePrintsNothingButTheResult()
    {
        final Path wal = dir.resolve("secondly");
        try (Wal w = Wal.open(new WalConfig().directory(wal).rollCycle("TEST_SECONDLY")))
        {
            for (int i = 0; i < 3; i++)
            {
                w.append(payload(i));
            }
        }
        final CliRun.Run checksum = ferry("checksum", "--wal", wal.toString());
        assertEquals(0, checksum.exit(), checksum::toString);
        assertEquals(1, checksum.outLines().size(), checksum::toString);
        assertTrue(checksum.err().isEmpty(), () -> "nothing on stderr: " + checksum);
        assertOneErrorLine(ferry("dump", "--wal", wal.toString(), "--from", "7"), Ferry.EXIT_FAILURE, "7");
    }

    @Test
    void dumpAndChecksumOfAnEmptyWal()
    {
        final Path wal = dir.resolve("empty");
        try (Wal w = Wal.open(new WalConfig().directory(wal)))
        {
            assertTrue(w.isEmpty());
        }
        final CliRun.Run dump = ferry("dump", "--wal", wal.toString());
        assertEquals(0, dump.exit(), dump::toString);
        assertTrue(dump.out().isEmpty(), dump::toString);
        final CliRun.Run checksum = ferry("checksum", "--wal", wal.toString());
        assertEquals(0, checksum.exit(), checksum::toString);
        assertEquals(1, checksum.outLines().size(), checksum::toString);
        assertTrue(checksum.outLines().getFirst().startsWith("first=-1 last=-1 count=0 digest="), checksum::toString);
    }

    // ------------------------------------------------------------------------------------------------------ kv

    @Test
    void kvDumpAndGetShowTheStateAWalOfKeyValueEntriesBuilds() throws Exception
    {
        final Path walDir = dir.resolve("kv");
        final KvEntryWriter writer = new KvEntryWriter(64);
        try (Wal w = Wal.open(new WalConfig().directory(walDir)))
        {
            w.append(writer.reset().put(0, "b", "x\ty").put(0, "a", "1").entry());
            w.append(writer.reset().put(0, "c", "3").put(1, "z", "9").entry());
            w.append(writer.reset().delete(0, KvEntryWriter.utf8("c")).entry());
        }
        final CliRun.Run dump = ferry("kv", "dump", "--wal", walDir.toString());
        assertEquals(0, dump.exit(), dump::toString);
        assertEquals(List.of("a\t1", "b\tx\\ty"), dump.outLines(), "key order; a tab in a value escaped");
        assertEquals(List.of("z\t9"), ferry("kv", "dump", "--wal", walDir.toString(), "--db", "1").outLines());

        final CliRun.Run get = ferry("kv", "get", "--wal", walDir.toString(), "a");
        assertEquals(0, get.exit(), get::toString);
        assertEquals(List.of("1"), get.outLines());
        assertOneErrorLine(ferry("kv", "get", "--wal", walDir.toString(), "c"), Ferry.EXIT_FAILURE, "'c'");
        assertOneErrorLine(ferry("kv", "dump", "--wal", walDir.toString(), "--db", "16"), Ferry.EXIT_USAGE, "--db");
        assertTrue(Files.notExists(walDir.resolve("state")), "read-only: no snapshot written beside the node");
    }

    @Test
    void kvOfARawWalNamesTheFirstEntryThatIsNotKeyValue() throws Exception
    {
        final Path walDir = dir.resolve("raw");
        try (Wal w = Wal.open(new WalConfig().directory(walDir)))
        {
            w.append("not a key-value entry".getBytes(StandardCharsets.US_ASCII));
        }
        assertOneErrorLine(ferry("kv", "dump", "--wal", walDir.toString()), Ferry.EXIT_FAILURE, "APPLY", "offset 0");
    }

    @Test
    void generatedKeyValueEntriesCycleOverTheKeys() throws Exception
    {
        final Path walDir = dir.resolve("generated");
        final KvGenerator generator = new KvGenerator(4, 3);
        try (Wal w = Wal.open(new WalConfig().directory(walDir)))
        {
            for (int i = 0; i < 5; i++)
            {
                w.append(generator.entry(i, KvEntryWriter.utf8("v" + i + "..")));
            }
        }
        assertEquals(List.of("key:0\tv3..", "key:1\tv4..", "key:2\tv2.."),
            ferry("kv", "dump", "--wal", walDir.toString()).outLines());
    }

    @Test
    void primaryStdinUnderKvStopsAtAMalformedLineNamingIt() throws Exception
    {
        final Path log = dir.resolve("primary.log");
        final Path walDir = dir.resolve("p");
        final Process child = JvmLauncher.start(log, Ferry.class, "primary", "--wal", walDir.toString(),
            "--listen", LOOPBACK + ":" + closedPort(), "--insecure-no-secret", "--stdin");
        try
        {
            try (var in = child.getOutputStream())
            {
                in.write("a\t1\nb\t2\nno tab here\nc\t3\n".getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), () -> "primary still running: " + JvmLauncher.tail(log));
            assertNotEquals(0, child.exitValue());
            final String err = Files.readString(log);
            assertTrue(err.contains("stdin line 3") && err.contains("no tab here"), err);
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of("a\t1", "b\t2"), ferry("kv", "dump", "--wal", walDir.toString()).outLines(),
            "the lines before it, nothing for it or after it");
    }

    // -------------------------------------------------------------------------------------------------- status

    @Test
    void statusJsonIsOneDocumentWithHeadAndEveryReplica() throws Exception
    {
        try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir.resolve("p")).insecureNoSecret(true)
            .listen(new InetSocketAddress(LOOPBACK, 0)).heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)));
             Replica replica = Replica.start(new ReplicaConfig().walDirectory(dir.resolve("r1")).insecureNoSecret(true)
                 .primary(primary.localAddress()).id("r1").heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))))
        {
            for (int i = 0; i < 100; i++)
            {
                primary.append(payload(i));
            }
            waitFor("r1 to acknowledge 100 entries", Duration.ofSeconds(30), () ->
            {
                final ReplicaSlot slot = primary.slot("r1");
                return replica.receivedOffset() == 100 && slot != null && slot.receivedOffset() == 100 &&
                    slot.durableOffset() == 100;
            }, () -> "replica at " + replica.receivedOffset() + ", state " + replica.state() + ", error " + replica.lastError());

            final String address = Endpoint.format(primary.localAddress());
            // a replica starved of CPU may be reconnecting at any one moment: ask until it is seen streaming
            final CliRun.Run[] last = {null};
            waitFor("status to show r1 STREAMING", Duration.ofSeconds(60), () ->
            {
                last[0] = ferry("status", "--primary", address, "--json");
                return last[0].exit() != 0 || last[0].out().contains("\"STREAMING\"");
            }, () -> String.valueOf(last[0]));
            final CliRun.Run run = last[0];
            assertEquals(0, run.exit(), run::toString);
            assertTrue(run.err().isEmpty(), run::toString);
            final JsonNode status = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(run.out());
            assertTrue(status.isObject(), run::toString);
            assertEquals(100, status.path("head").asLong(-1), run::toString);
            assertTrue(status.has("oldest"), run::toString);
            final JsonNode replicas = status.path("replicas");
            assertTrue(replicas.isArray(), run::toString);
            assertEquals(1, replicas.size(), run::toString);
            final JsonNode r1 = replicas.get(0);
            for (final String field : List.of("id", "state", "received", "durable", "applied", "lagEntries", "lagMillis"))
            {
                assertTrue(r1.has(field), () -> field + " in " + run.out());
            }
            assertEquals("r1", r1.get("id").asText());
            assertEquals("STREAMING", r1.get("state").asText());
            assertEquals(100, r1.get("received").asLong());
            assertEquals(100, r1.get("durable").asLong());
            assertEquals(100, r1.get("applied").asLong());
            assertEquals(0, r1.get("lagEntries").asLong());
            assertTrue(r1.get("lagMillis").isIntegralNumber() && r1.get("lagMillis").asLong() >= 0, run::toString);

            final CliRun.Run table = ferry("status", "--primary", address);
            assertEquals(0, table.exit(), table::toString);
            assertTrue(table.outLines().getFirst().startsWith("head=100 "), table::toString);
            assertTrue(table.outLines().stream().anyMatch(l -> l.startsWith("r1 ") && l.contains("STREAMING")), table::toString);

            // a status client with a secret refuses a node without one: its answer proves nothing
            final Path secret = dir.resolve("secret");
            Secret.generate(secret);
            assertOneErrorLine(ferry("status", "--primary", address, "--secret-file", secret.toString(), "--json"),
                Ferry.EXIT_FAILURE, "AUTHENTICATION");
            final CliRun.Run missing = ferry("status", "--primary", address, "--secret-file", dir.resolve("no-such-secret").toString());
            assertTrue(missing.exit() != 0, missing::toString);
            assertEquals(1, missing.errLines().size(), missing::toString);
            assertTrue(missing.err().contains("no-such-secret"), missing::toString);
        }
    }

    /** --secret-file on every subcommand that talks to a node (DESIGN's contract): status is authenticated like a replica. */
    @Test
    void statusOfANodeWithASecretNeedsTheSecret() throws Exception
    {
        final Path secret = dir.resolve("secret");
        Secret.generate(secret);
        try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir.resolve("p")).secretFile(secret)
            .listen(new InetSocketAddress(LOOPBACK, 0))))
        {
            primary.append(payload(1));
            final String address = Endpoint.format(primary.localAddress());
            final CliRun.Run withSecret = ferry("status", "--primary", address, "--secret-file", secret.toString(), "--json");
            assertEquals(0, withSecret.exit(), withSecret::toString);
            assertEquals(1, new ObjectMapper().readTree(withSecret.out()).path("head").asLong(-1), withSecret::toString);

            final CliRun.Run without = ferry("status", "--primary", address, "--json");
            assertOneErrorLine(without, Ferry.EXIT_FAILURE, "AUTHENTICATION");
            assertTrue(without.out().isEmpty(), without::toString);

            final Path other = dir.resolve("other");
            Secret.generate(other);
            assertOneErrorLine(ferry("status", "--primary", address, "--secret-file", other.toString()),
                Ferry.EXIT_FAILURE, "AUTHENTICATION");
        }
    }

    @Test
    void statusOfATlsNodeNeedsItsCaAndTheSecret() throws Exception
    {
        final Path secret = dir.resolve("secret");
        Secret.generate(secret);
        final TestCertificates tls = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
        try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir.resolve("p")).secretFile(secret)
            .tls(tls.serverConfig()).listen(new InetSocketAddress(LOOPBACK, 0))))
        {
            primary.append(payload(1));
            final String address = Endpoint.format(primary.localAddress());
            final CliRun.Run run = ferry("status", "--primary", address, "--secret-file", secret.toString(),
                "--tls-ca", tls.caCert().toString(), "--json");
            assertEquals(0, run.exit(), run::toString);
            assertEquals(1, new ObjectMapper().readTree(run.out()).path("head").asLong(-1), run::toString);

            assertOneErrorLine(ferry("status", "--primary", address, "--secret-file", secret.toString()),
                Ferry.EXIT_FAILURE, "CONFIGURATION", "--tls-ca");
        }
    }

    @Test
    void nodesRefuseToStartWithoutASecretOrTheDeliberateChoice() throws Exception
    {
        final String listen = LOOPBACK + ":" + closedPort();
        assertOneErrorLine(ferry("primary", "--wal", dir.resolve("p").toString(), "--listen", listen),
            Ferry.EXIT_FAILURE, "--insecure-no-secret");
        assertOneErrorLine(ferry("replica", "--wal", dir.resolve("r").toString(), "--primary", listen, "--id", "r1"),
            Ferry.EXIT_FAILURE, "--secret-file");

        final Path readable = dir.resolve("readable");
        Files.writeString(readable, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
        assertOneErrorLine(ferry("primary", "--wal", dir.resolve("p").toString(), "--listen", listen,
            "--secret-file", readable.toString()), Ferry.EXIT_FAILURE, "chmod 600");

        final Path shortSecret = dir.resolve("short");
        Files.writeString(shortSecret, "fifteen-bytes!!\n");
        Files.setPosixFilePermissions(shortSecret, PosixFilePermissions.fromString("rw-------"));
        assertOneErrorLine(ferry("replica", "--wal", dir.resolve("r").toString(), "--primary", listen, "--id", "r1",
            "--secret-file", shortSecret.toString()), Ferry.EXIT_FAILURE, "at least 16");

        assertOneErrorLine(ferry("primary", "--wal", dir.resolve("p").toString(), "--listen", listen,
            "--secret-file", shortSecret.toString(), "--insecure-no-secret"), Ferry.EXIT_FAILURE, "choose one");
    }
}
