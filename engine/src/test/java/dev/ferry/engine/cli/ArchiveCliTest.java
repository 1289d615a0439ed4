package dev.ferry.engine.cli;

import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry archive}, {@code archive ls}, {@code archive verify} and {@code restore} as a user runs them, in this
 * JVM: a round trip to a directory archive, and every usage and input error as one line on stderr with the contract's
 * exit code.
 */
class ArchiveCliTest
{
    @TempDir
    Path dir;

    private Path wal(final int entries)
    {
        final Path walDir = dir.resolve("wal");
        try (Wal wal = Wal.open(new WalConfig().directory(walDir)))
        {
            History.create("p").save(walDir);
            final KvEntryWriter writer = new KvEntryWriter(64);
            for (int i = 0; i < entries; i++)
            {
                wal.append(writer.reset().put(0, "key:" + (i % 10), "v" + i).entry());
            }
        }
        return walDir;
    }

    private static void assertOneErrorLine(final CliRun.Run run, final int exit, final String... mentions)
    {
        assertEquals(exit, run.exit(), run::toString);
        assertEquals(1, run.errLines().size(), () -> "exactly one line on stderr: " + run);
        for (final String mention : mentions)
        {
            assertTrue(run.errLines().getFirst().contains(mention), () -> "stderr names '" + mention + "': " + run);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"archive", "restore"})
    void hasHelp(final String subcommand)
    {
        final CliRun.Run run = CliRun.ferry(subcommand, "--help");
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("Usage: ferry " + subcommand), run::toString);
    }

    @Test
    void shipsListsVerifiesAndRestores()
    {
        final Path walDir = wal(1000);
        final String uri = dir.resolve("archive").toUri().toString();
        final CliRun.Run ship = CliRun.ferry("archive", "--wal", walDir.toString(), "--to", uri, "--once");
        assertEquals(0, ship.exit(), ship::toString);

        final CliRun.Run ls = CliRun.ferry("archive", "ls", "--from", uri, "--json");
        assertEquals(0, ls.exit(), ls::toString);
        assertTrue(ls.out().contains("\"first\":0,\"last\":999"), ls::toString);
        assertTrue(CliRun.ferry("archive", "ls", "--from", uri).out().contains("offsets 0-999"));

        final CliRun.Run verify = CliRun.ferry("archive", "verify", "--from", uri);
        assertEquals(0, verify.exit(), verify::toString);
        final String whole = CliRun.ferry("checksum", "--wal", walDir.toString()).out().trim();
        assertTrue(verify.out().contains(" ok " + whole), verify::toString);

        final Path restored = dir.resolve("restored");
        final CliRun.Run restore = CliRun.ferry("restore", "--from", uri, "--wal", restored.toString(), "--to-offset",
            "499");
        assertEquals(0, restore.exit(), restore::toString);
        assertTrue(restore.out().startsWith("restored generation="), restore::toString);
        assertTrue(restore.out().contains(" first=0 last=499 "), restore::toString);
        assertEquals(CliRun.ferry("checksum", "--wal", walDir.toString(), "--to", "499").out(),
            CliRun.ferry("checksum", "--wal", restored.toString()).out());
        assertEquals("v499", CliRun.ferry("kv", "get", "--wal", restored.toString(), "key:9").out().trim());
    }

    @Test
    void timesInEveryFormAUserHas()
    {
        final long ns = 1_796_571_144_082_123_456L;
        assertEquals(ns, RestoreCommand.parseTime(Long.toString(ns)));
        assertEquals(1_796_571_144_082_123_000L, RestoreCommand.parseTime("1796571144082123"));
        assertEquals(1_796_571_144_082_000_000L, RestoreCommand.parseTime("1796571144082"));
        assertEquals(1_796_571_144_000_000_000L, RestoreCommand.parseTime("1796571144"));
        final long iso = RestoreCommand.parseTime("2026-12-06T15:32:24.082Z");
        assertEquals(iso, RestoreCommand.parseTime("2026-12-06T15:32:24.082"));
        assertEquals(iso, RestoreCommand.parseTime("2026-12-06T16:32:24.082+01:00"));
        assertEquals(java.time.Instant.parse("2026-12-06T15:32:24.082Z").toEpochMilli() * 1_000_000L, iso);
    }

    @Test
    void listsAsOneJsonDocumentWhateverTheArchiveHolds() throws Exception
    {
        final Path walDir = wal(10);
        final Path archive = dir.resolve("archive");
        assertEquals(0, CliRun.ferry("archive", "--wal", walDir.toString(), "--to", archive.toString(), "--once").exit());
        // a generation object whose reason holds control characters (damaged, or written by hand)
        try (var generations = Files.list(archive.resolve("generations")))
        {
            final Path meta = generations.findFirst().orElseThrow().resolve("generation");
            Files.writeString(meta, String.join("\n", Files.readAllLines(meta).stream().map(line ->
                line.startsWith("reason=") ? "reason=line\\none\\ttab\\u0001" : line).toList()) + "\n");
        }
        final CliRun.Run ls = CliRun.ferry("archive", "ls", "--from", archive.toString(), "--json");
        assertEquals(0, ls.exit(), ls::toString);
        final com.fasterxml.jackson.databind.JsonNode document = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(ls.out());
        assertEquals("line\none\ttab\u0001", document.path("generations").get(0).path("reason").asText());
    }

    @Test
    void usageErrors()
    {
        final Path walDir = wal(10);
        final String uri = dir.resolve("archive").toUri().toString();
        assertOneErrorLine(CliRun.ferry("archive", "--to", uri), 2, "--wal");
        assertOneErrorLine(CliRun.ferry("restore", "--from", uri, "--wal", dir.resolve("r").toString(), "--to-offset",
            "5", "--to-time", "2026-01-01T00:00:00Z"), 2, "--to-offset", "--to-time");
        assertOneErrorLine(CliRun.ferry("restore", "--from", uri, "--wal", dir.resolve("r").toString(), "--to-time",
            "yesterday"), 2, "--to-time");
        assertOneErrorLine(CliRun.ferry("restore", "--from", uri, "--wal", dir.resolve("r").toString(), "--to-offset",
            "-1"), 2, "--to-offset");
        assertOneErrorLine(CliRun.ferry("replica", "--wal", dir.resolve("s").toString(), "--id", "s",
            "--insecure-no-secret"), 2, "--primary", "--from-archive");
        assertOneErrorLine(CliRun.ferry("replica", "--wal", dir.resolve("s").toString(), "--id", "s",
            "--insecure-no-secret", "--primary", "127.0.0.1:1", "--from-archive", uri), 2, "--primary", "--from-archive");
        assertOneErrorLine(CliRun.ferry("archive", "--wal", walDir.toString(), "--to", "ftp://host/x"), 1,
            "CONFIGURATION", "ftp://host/x");
    }

    @Test
    void inputErrorsLoseNothing() throws Exception
    {
        final Path walDir = wal(10);
        final Path missing = dir.resolve("no-archive");
        assertOneErrorLine(CliRun.ferry("restore", "--from", missing.toUri().toString(), "--wal",
            dir.resolve("r").toString()), 1, "STORAGE", "no archive");
        assertFalse(Files.exists(missing), "a reader never creates an archive");
        assertOneErrorLine(CliRun.ferry("archive", "ls", "--from", missing.toString()), 1, "no archive");
        assertOneErrorLine(CliRun.ferry("archive", "--wal", dir.resolve("no-wal").toString(), "--to",
            dir.resolve("a").toString(), "--once"), 1, "STORAGE", "no-wal");
        // a WAL directory whose node never started: --once ships nothing, and says so (it exited 0)
        final Path notStarted = Files.createDirectories(dir.resolve("not-started"));
        final CliRun.Run nothing = CliRun.ferry("archive", "--wal", notStarted.toString(), "--to",
            dir.resolve("a").toString(), "--once");
        assertEquals(1, nothing.exit(), nothing::toString);
        assertTrue(nothing.err().contains("nothing shipped"), nothing::toString);

        final String uri = dir.resolve("archive").toUri().toString();
        assertEquals(0, CliRun.ferry("archive", "--wal", walDir.toString(), "--to", uri, "--once").exit());
        // a restore into a WAL directory that holds something refuses, and leaves it as it was
        final CliRun.Run intoWal = CliRun.ferry("restore", "--from", uri, "--wal", walDir.toString());
        assertOneErrorLine(intoWal, 1, "CONFIGURATION", "not empty");
        assertEquals("first=0 last=9 count=10", CliRun.ferry("checksum", "--wal", walDir.toString()).out()
            .substring(0, "first=0 last=9 count=10".length()));
        assertOneErrorLine(CliRun.ferry("restore", "--from", uri, "--wal", dir.resolve("r2").toString(), "--to-offset",
            "10"), 1, "offset 10");
        assertOneErrorLine(CliRun.ferry("restore", "--from", uri, "--wal", dir.resolve("r3").toString(),
            "--generation", "0000000000000-00000000"), 1, "no generation");
    }
}
