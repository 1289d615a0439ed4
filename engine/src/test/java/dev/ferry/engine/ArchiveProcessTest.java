package dev.ferry.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.FerryChildren.Child;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archive as {@code ./ferry} runs it, in child JVMs beside a primary, to a directory archive, through the failures
 * of its peers: a shipper killed ({@code kill -9}) again and again mid-upload leaves no gap and no duplicate; a primary
 * whose WAL is wiped begins a new generation and never touches the old one; a standby that follows the archive live is
 * promoted once the primary is killed. What the archive holds is checked from the outside, with the commands an
 * operator has: {@code archive ls --json}, {@code archive verify}, {@code restore}, {@code checksum}, {@code kv dump}
 * (run in this JVM: the same code, without a JVM start each).
 */
@ExtendWith(LeakCheck.class)
class ArchiveProcessTest
{
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final int SIZE = 64;
    private static final String GENERATED = "serving until killed"; // the primary's line once --generate is done
    private static final Pattern RESTORED = Pattern.compile("restored generation=(\\S+) first=(\\d+) last=(-?\\d+) ");

    @TempDir
    Path dir;

    @RegisterExtension
    final FerryChildren children = new FerryChildren(() -> dir);

    private Path archive()
    {
        return dir.resolve("archive");
    }

    private String archiveUri()
    {
        return "file://" + archive().toAbsolutePath();
    }

    private Child primary(final String name, final Path wal, final long generate, final long rate, final long keys)
        throws IOException
    {
        final Child primary = children.start(name, "primary", "--wal", wal.toString(), "--listen",
            FerryChildren.freeAddress(), "--insecure-no-secret", "--generate", String.valueOf(generate), "--size",
            String.valueOf(SIZE), "--rate", String.valueOf(rate), "--keys", String.valueOf(keys));
        children.await(name + " to listen", STEP, () -> primary.stderr().contains("primary listening"), primary);
        return primary;
    }

    private static boolean generated(final Child primary)
    {
        return primary.stderr().contains(GENERATED);
    }

    /** @return whether a shipper child has opened the archive: resumed its newest generation or begun one. */
    private static boolean shipping(final Child archive)
    {
        final String log = archive.stderr();
        return log.contains("archive: resuming generation") || log.matches("(?s).*archive: generation \\S+ begins.*");
    }

    /** Run a command line in this JVM, which must exit 0; @return its stdout. */
    private String ferry(final String... args)
    {
        return children.ferry(args);
    }

    private String checksum(final Path wal, final String... range)
    {
        return children.checksum(wal, range);
    }

    private String kvDump(final Path wal)
    {
        return children.kvDump(wal);
    }

    private JsonNode ls() throws IOException
    {
        return new ObjectMapper().readTree(ferry("archive", "ls", "--from", archiveUri(), "--json"));
    }

    /** @return the restore's {@code restored generation=…} line, parsed; the WAL is restored into {@code wal}. */
    private Matcher restore(final Path wal, final String... target)
    {
        final String out = ferry(concat(new String[] {"restore", "--from", archiveUri(), "--wal", wal.toString()},
            target));
        final Matcher line = RESTORED.matcher(out);
        assertTrue(line.find(), out);
        return line;
    }

    /**
     * @return the WAL's next offset as its files say now, or -1 while it cannot be read: not created yet, or (a standby
     *         that restores again) moved aside and rewritten, which Chronicle, asserting, may trip over while reading.
     */
    private static long nextOffset(final Path wal)
    {
        return FerryChildren.nextOffset(wal);
    }

    /**
     * A generation's segments follow each other from {@code first} to {@code last} with no gap and no overlap.
     *
     * @return how many there are.
     */
    private static int assertContiguous(final JsonNode generation, final long first, final long last)
    {
        final JsonNode segments = generation.path("segments");
        assertTrue(segments.size() > 0, generation::toString);
        long next = first;
        for (int i = 0; i < segments.size(); i++)
        {
            final JsonNode segment = segments.get(i);
            assertEquals(next, segment.path("first").asLong(), "segment " + i + " of " + generation.path("name") +
                " starts where the one before ended (no gap, no duplicate): " + segments);
            assertTrue(segment.path("last").asLong() >= segment.path("first").asLong(), segment::toString);
            next = segment.path("last").asLong() + 1;
        }
        assertEquals(last, next - 1, () -> "the last segment ends at " + last + ": " + segments);
        assertEquals(first, generation.path("first").asLong(), generation::toString);
        assertEquals(last, generation.path("last").asLong(), generation::toString);
        return segments.size();
    }

    /** @return every file below {@code root}, relative, with its size and SHA-256. */
    private static Map<String, String> objects(final Path root) throws IOException, NoSuchAlgorithmException
    {
        final Map<String, String> objects = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                final byte[] bytes = Files.readAllBytes(file);
                objects.put(root.relativize(file).toString(), bytes.length + " " +
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
        }
        return objects;
    }

    private static void delete(final Path root) throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(file);
            }
        }
    }

    private static String[] concat(final String[] first, final String... more)
    {
        final String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /**
     * The shipper is killed ({@code kill -9}) and restarted again and again while the primary writes, each time at a
     * random moment after it resumed, as soon as an upload begins (a new file in the archive: the temporary file of
     * an upload in flight) if one does within a second; then once more after the primary stopped; a last
     * {@code archive --once} drains what is left. The archive holds one generation whose segments follow each other
     * from offset 0 to the primary's last (a crash that uploaded entries twice, or resumed past one, shows as an
     * overlap or a gap), no temporary file is left, and it restores equal to the primary at its newest point and in
     * the middle, and verifies.
     * <p>
     * The primary is asked for far more than it writes in the test and stopped once the shipper was killed enough: a
     * slow machine (a JVM start here takes 1 to 6 s) makes the test longer, never makes the kills miss the writes.
     */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldLeaveNoGapAndNoDuplicateWhenTheShipperIsKilledMidUpload() throws Exception
    {
        final int kills = 4; // while the primary writes; one more once it stopped
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final String context = " (seed " + seed + ")";
        final Path primaryWal = dir.resolve("primary-wal");
        final Child primary = primary("primary", primaryWal, 100_000_000, 10_000, 1000);
        final String[] archiveArgs = {"archive", "--wal", primaryWal.toString(), "--to", archiveUri(),
            "--segment-interval", "200ms"};
        boolean temporaryLeft = false;
        int killedMidUpload = 0;
        for (int i = 1; i <= kills + 1; i++)
        {
            final Child shipper = children.start("archive-" + i, archiveArgs);
            children.await(shipper.name() + " to open the archive", STEP, () -> shipping(shipper), shipper);
            if (temporaryLeft)
            {
                assertTrue(shipper.stderr().contains("temporary file(s) an interrupted upload left"),
                    "the restarted shipper removed what the killed one's upload left" + children.logs());
            }
            if (i > kills)
            {
                children.stop(primary); // SIGTERM: it closes its WAL; the shipper is killed while it catches up
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(700)));
            final List<Path> before = archiveFiles();
            final long uploadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (before.containsAll(archiveFiles()) && System.nanoTime() < uploadDeadline)
            {
                Thread.onSpinWait(); // an upload takes milliseconds: look without sleeping, kill as soon as one begins
            }
            assertEquals(i <= kills, primary.alive(), "the primary writes while the shipper is killed" + context);
            children.kill(shipper);
            temporaryLeft = !temporaryFiles().isEmpty();
            killedMidUpload += temporaryLeft ? 1 : 0;
            ReplicationFixture.log("killed " + shipper.name() + (temporaryLeft ? " mid-upload" : "") + ", " +
                segmentFiles(archive()) + " segments archived, the primary at " + nextOffset(primaryWal) + context);
        }
        ReplicationFixture.log(killedMidUpload + " of " + (kills + 1) + " kills left a temporary file" + context);
        ferry("archive", "--wal", primaryWal.toString(), "--to", archiveUri(), "--once");

        assertEquals(List.of(), temporaryFiles(), "no temporary file is left" + context);
        final long head = nextOffset(primaryWal);
        assertTrue(head > 10_000, "the primary wrote for a while: " + head + context);
        final JsonNode generations = ls().path("generations");
        assertEquals(1, generations.size(), "one generation: every restart resumed it" + context + generations);
        final int segments = assertContiguous(generations.get(0), 0, head - 1);
        ReplicationFixture.log(segments + " segments" + context);

        final Matcher newest = restore(dir.resolve("restored-newest"));
        assertEquals("0", newest.group(2), newest.group());
        assertEquals(String.valueOf(head - 1), newest.group(3), newest.group());
        assertEquals(checksum(primaryWal), checksum(dir.resolve("restored-newest")), "the newest point" + context);
        assertEquals(kvDump(primaryWal), kvDump(dir.resolve("restored-newest")),
            "the state at the newest point" + context);

        final long middle = head / 4 + random.nextLong(head / 2);
        final Matcher atMiddle = restore(dir.resolve("restored-middle"), "--to-offset", String.valueOf(middle));
        assertEquals(String.valueOf(middle), atMiddle.group(3), atMiddle.group());
        assertEquals(checksum(primaryWal, "--to", String.valueOf(middle)), checksum(dir.resolve("restored-middle")),
            "offset " + middle + context);

        final String verified = ferry("archive", "verify", "--from", archiveUri());
        assertTrue(verified.contains(" ok "), verified);
    }

    /**
     * A primary's WAL is shipped, the primary killed, its WAL directory deleted, and a primary started again on it (a
     * new history at the same offsets): the next shipper begins a second generation, leaves every object of the first
     * byte for byte as it was, and each generation restores equal to the WAL it is a copy of.
     * <p>
     * The new WAL is longer than the old one and the generator writes the same payloads at the same offsets, so the
     * old generation's last chained checksum matches the new WAL at that offset: only the history tells the shipper
     * that these entries are not a continuation.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldBeginANewGenerationForAWipedPrimaryAndNeverTouchTheOldOne() throws Exception
    {
        final Path primaryWal = dir.resolve("primary-wal");
        final String[] once = {"archive", "--wal", primaryWal.toString(), "--to", archiveUri(), "--once"};
        final Child first = primary("primary-1", primaryWal, 2000, 0, 100);
        children.await("the first primary to generate", STEP, () -> generated(first), first);
        ferry(once);
        final String firstChecksum = checksum(primaryWal);
        final String firstState = kvDump(primaryWal);
        final JsonNode before = ls().path("generations");
        assertEquals(1, before.size(), before::toString);
        final String oldName = before.get(0).path("name").asText();
        assertContiguous(before.get(0), 0, 1999);
        final Path old = archive().resolve("generations").resolve(oldName);
        final Map<String, String> oldObjects = objects(old);

        children.kill(first);
        delete(primaryWal);
        final Child second = primary("primary-2", primaryWal, 3000, 0, 100);
        children.await("the second primary to generate", STEP, () -> generated(second), second);
        assertEquals(firstChecksum, checksum(primaryWal, "--to", "1999"), "the same payloads at the same offsets");
        ferry(once);

        final JsonNode after = ls().path("generations");
        assertEquals(2, after.size(), after::toString);
        assertEquals(oldName, after.get(0).path("name").asText(), after::toString);
        assertEquals(oldObjects, objects(old), "the old generation's objects, byte for byte");
        assertContiguous(after.get(0), 0, 1999);
        final JsonNode fresh = after.get(1);
        assertNotEquals(after.get(0).path("historyId").asText(), fresh.path("historyId").asText(), after::toString);
        assertEquals(0, fresh.path("startOffset").asLong(), fresh::toString);
        assertContiguous(fresh, 0, 2999);

        final Path restoredNew = dir.resolve("restored-new");
        assertEquals(fresh.path("name").asText(), restore(restoredNew).group(1), "the newest point is the new one's");
        assertEquals(checksum(primaryWal), checksum(restoredNew));
        assertEquals(kvDump(primaryWal), kvDump(restoredNew));
        final Path restoredOld = dir.resolve("restored-old");
        restore(restoredOld, "--generation", oldName);
        assertEquals(firstChecksum, checksum(restoredOld), "the old generation restores the wiped WAL");
        assertEquals(firstState, kvDump(restoredOld));
    }

    /**
     * A standby follows the archive while the primary writes (it restores once, then appends what is shipped); the
     * primary is killed mid-write; the shipper beside it ships what it left, and the standby reaches the primary's
     * last entry; promoted, it is the primary at epoch 1 with the old primary's entries and state.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldFollowTheArchiveLiveAndBePromoted() throws Exception
    {
        final Path primaryWal = dir.resolve("primary-wal");
        final Path standbyWal = dir.resolve("standby-wal");
        final String serve = FerryChildren.freeAddress();
        // far more than it has time to write: it is killed mid-write
        final Child primary = primary("primary", primaryWal, 10_000_000, 10_000, 1000);
        final Child shipper = children.start("archive", "archive", "--wal", primaryWal.toString(), "--to", archiveUri(),
            "--segment-interval", "200ms");
        children.await("the first segment", STEP, () -> segmentFiles(archive()) > 0, primary, shipper);
        final Child standby = children.start("standby", "replica", "--wal", standbyWal.toString(), "--from-archive",
            archiveUri(), "--id", "s1", "--serve", serve, "--insecure-no-secret");
        // a standby that serves nothing needs no secret: it only reads the archive
        final Path plainWal = dir.resolve("plain-standby-wal");
        final Child plain = children.start("plain-standby", "replica", "--wal", plainWal.toString(), "--from-archive",
            archiveUri(), "--id", "s2");
        final Pattern restoredLine = Pattern.compile("archive standby: restored generation \\S+ up to offset (\\d+)");
        children.await("the standby to restore", STEP, () -> restoredLine.matcher(standby.stderr()).find(), primary,
            shipper, standby);
        final Matcher restored = restoredLine.matcher(standby.stderr());
        assertTrue(restored.find());
        final long restoredLast = Long.parseLong(restored.group(1));
        children.await("the standby to follow 10,000 entries past its restore", STEP,
            () -> nextOffset(standbyWal) > restoredLast + 10_000, primary, shipper, standby);
        assertFalse(generated(primary), "the primary was writing");

        children.kill(primary);
        final long head = nextOffset(primaryWal);
        children.await("the standby to reach the killed primary's last entry " + (head - 1), STEP,
            () -> nextOffset(standbyWal) == head, shipper, standby);
        assertEquals(checksum(primaryWal), checksum(standbyWal));
        children.await("the standby without --serve to reach it too", STEP, () -> nextOffset(plainWal) == head, plain);
        assertEquals(checksum(primaryWal), checksum(plainWal));
        assertEquals(1, restoredLine.matcher(standby.stderr()).results().count(),
            "it restored once, then followed" + children.logs());

        final String promoted = ferry("promote", "--replica", serve);
        assertTrue(promoted.contains("\"epoch\":1"), promoted);
        final JsonNode status = new ObjectMapper().readTree(ferry("status", "--primary", serve, "--json"));
        assertEquals(1, status.path("epoch").asLong(), status::toString);
        assertEquals(head, status.path("head").asLong(), status::toString);
        assertTrue(standby.alive(), children.logs());
        assertEquals(kvDump(primaryWal), kvDump(standbyWal), "the promoted standby's state");
    }

    /** @return the files below the archive: its objects and the temporary files of uploads in flight (or cut). */
    private List<Path> archiveFiles()
    {
        final Path generations = archive().resolve("generations");
        if (!Files.isDirectory(generations))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(generations))
        {
            return files.filter(Files::isRegularFile).toList();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return List.of(); // renamed while walked: an upload finished
        }
    }

    /** @return the temporary files below the archive: an upload in flight, or one a killed shipper left. */
    private List<Path> temporaryFiles()
    {
        return archiveFiles().stream().filter(f -> f.getFileName().toString().contains(".tmp-")).toList();
    }

    /** @return how many segments the directory archive holds (listed on disk: cheap enough to poll). */
    private static long segmentFiles(final Path archive)
    {
        final Path generations = archive.resolve("generations");
        if (!Files.isDirectory(generations))
        {
            return 0;
        }
        try (Stream<Path> files = Files.walk(generations))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".segment")).count();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return 0; // a temporary file renamed while walked: the next poll sees it
        }
    }

}
