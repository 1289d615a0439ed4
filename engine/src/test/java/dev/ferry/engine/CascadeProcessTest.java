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

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cascade of three levels as {@code ./ferry} runs it, in child JVMs: a primary generating key-value entries, a
 * replica serving replicas ({@code --serve}), and a replica of that replica. The middle level is killed
 * ({@code kill -9}) mid-stream and started again on the same address; every level ends equal by {@code ferry checksum}
 * and {@code ferry kv dump}, and {@code ferry status} on the middle level names its upstream and its downstream
 * replica's acknowledgements. Then the primary is killed and the middle promoted ({@code ferry promote}): the leaf
 * follows it on the same address at epoch 1.
 */
@ExtendWith(LeakCheck.class)
class CascadeProcessTest
{
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String GENERATED = "serving until killed"; // the primary's line once --generate is done
    private static final long ENTRIES = 300_000;

    @TempDir
    Path dir;

    @RegisterExtension
    final FerryChildren children = new FerryChildren(() -> dir);

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void threeLevelsEndEqualAfterTheMiddleIsKilledAndComesBack() throws Exception
    {
        final Path primaryWal = dir.resolve("primary-wal");
        final Path middleWal = dir.resolve("middle-wal");
        final Path leafWal = dir.resolve("leaf-wal");
        final String listen = FerryChildren.freeAddress();
        final String serve = FerryChildren.freeAddress();
        final Child primary = children.start("primary", "primary", "--wal", primaryWal.toString(), "--listen", listen,
            "--insecure-no-secret", "--generate", String.valueOf(ENTRIES), "--size", "64", "--rate", "20000",
            "--keys", "2000");
        children.await("the primary to listen", STEP, () -> primary.stderr().contains("primary listening"), primary);
        final Child middle = children.start("middle", "replica", "--wal", middleWal.toString(), "--primary", listen,
            "--id", "middle", "--serve", serve, "--insecure-no-secret");
        final Child leaf = children.start("leaf", "replica", "--wal", leafWal.toString(), "--primary", serve, "--id",
            "leaf", "--insecure-no-secret");
        children.await("the leaf to follow 5,000 entries through the middle", STEP,
            () -> FerryChildren.nextOffset(leafWal) > 5_000, primary, middle, leaf);

        final JsonNode status = new ObjectMapper().readTree(children.ferry("status", "--primary", serve, "--json"));
        assertEquals("replica", status.path("role").asText(), status::toString);
        assertEquals(listen, status.path("upstream").asText(), status::toString);
        assertEquals("leaf", status.path("replicas").path(0).path("id").asText(), status::toString);
        assertTrue(status.path("replicas").path(0).path("received").asLong() > 0, status::toString);

        children.kill(middle);
        assertFalse(primary.stderr().contains(GENERATED), "the primary was still writing when the middle died");
        final Child middleAgain = children.start("middle-2", "replica", "--wal", middleWal.toString(), "--primary",
            listen, "--id", "middle", "--serve", serve, "--insecure-no-secret");
        children.await("the primary to finish", STEP, () -> primary.stderr().contains(GENERATED), primary,
            middleAgain, leaf);
        children.await("every level at " + ENTRIES, STEP, () -> FerryChildren.nextOffset(middleWal) == ENTRIES &&
            FerryChildren.nextOffset(leafWal) == ENTRIES, primary, middleAgain, leaf);
        final String checksum = children.checksum(primaryWal);
        assertEquals(checksum, children.checksum(middleWal));
        assertEquals(checksum, children.checksum(leafWal));
        final String dump = children.kvDump(primaryWal);
        assertEquals(dump, children.kvDump(middleWal));
        assertEquals(dump, children.kvDump(leafWal));
        assertTrue(leaf.stderr().contains("streaming from"), children.logs());

        // the primary dies; the middle is promoted on its serving address; the leaf follows it there at epoch 1
        children.kill(primary);
        final String promoted = children.ferry("promote", "--replica", serve);
        assertTrue(promoted.contains("\"epoch\":1") && promoted.contains("\"startOffset\":" + ENTRIES), promoted);
        children.await("the leaf to follow the promoted middle", STEP, () ->
        {
            final JsonNode now = readStatus(serve);
            return now != null && now.path("epoch").asLong() == 1 && "primary".equals(now.path("role").asText()) &&
                now.path("replicas").path(0).path("id").asText().equals("leaf") &&
                "STREAMING".equals(now.path("replicas").path(0).path("state").asText()) &&
                now.path("replicas").path(0).path("received").asLong() == ENTRIES;
        }, middleAgain, leaf);
        assertEquals(checksum, children.checksum(leafWal));
    }

    private JsonNode readStatus(final String node)
    {
        final dev.ferry.engine.cli.CliRun.Run run = dev.ferry.engine.cli.CliRun.ferry("status", "--primary", node,
            "--json");
        try
        {
            return run.exit() == 0 ? new ObjectMapper().readTree(run.out()) : null;
        }
        catch (final java.io.IOException ex)
        {
            return null;
        }
    }
}
