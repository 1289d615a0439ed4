package dev.ferry.engine;

import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.WalBytes;
import dev.ferry.wal.WalDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.ferry.engine.ReplicationFixture.await;
import static dev.ferry.engine.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Content-verified resume (issue 17): a replica whose bytes differ from the primary's at the same offsets and epoch is
 * caught by the chained checksum and repaired, never resumed on top of: one byte changed on its disk (its own chain
 * check at start), and a WAL replaced by another with the same history, offsets and epoch but other payloads (the
 * chain in its HELLO).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class DamagedReplicaTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static byte[] payload(final String prefix, final int i)
    {
        return (prefix + "-entry-" + i + "-" + "z".repeat(i % 13)).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldCatchAByteChangedOnTheReplicasDiskAndFetchItAgain() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        Replica replica = fixture.replica("r1", primary.localAddress());
        for (int i = 0; i < 500; i++)
        {
            primary.append(payload("a", i));
        }
        final Replica first = replica;
        await("r1 at 500", WAIT, () -> first.receivedOffset() == 500);
        replica.stop();

        WalBytes.flip(dir.resolve("r1"), payload("a", 321), 3, 0x01);
        replica = fixture.replica("r1", primary.localAddress());
        for (int i = 500; i < 600; i++)
        {
            primary.append(payload("a", i));
        }
        final Replica back = replica;
        await("r1 back at 600", WAIT, () -> back.receivedOffset() == 600);
        back.stop();
        assertEquals(digest(dir.resolve("primary")), digest(dir.resolve("r1")), "the damaged entry fetched again");
        final Path aside;
        try (Stream<Path> kept = Files.list(dir.resolve("r1").resolve("aside")))
        {
            aside = kept.findFirst().orElseThrow();
        }
        final WalDigest keptAside = digest(aside);
        assertEquals(321, keptAside.first(), "kept aside from the damaged entry on");
        assertEquals(179, keptAside.count());
    }

    @Test
    void shouldResyncAReplicaWhoseBytesDifferAtTheSameOffsetsAndEpoch() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Replica r1 = fixture.replica("r1", primary.localAddress());
        for (int i = 0; i < 300; i++)
        {
            primary.append(payload("a", i));
        }
        await("r1 at 300", WAIT, () -> r1.receivedOffset() == 300);
        r1.stop();
        primary.close();

        // another WAL of the same history, offsets and epoch, other payloads from 200 to 249 (an operator's copy of the
        // wrong directory): the replica's WAL truncated at 200 and written again
        final Path other = dir.resolve("other");
        try (dev.ferry.wal.Wal copy = dev.ferry.wal.Wal.open(new dev.ferry.wal.WalConfig().directory(dir.resolve("r1"))))
        {
            try (dev.ferry.wal.Wal truncated = copy.truncateAfter(199))
            {
                for (int i = 200; i < 300; i++)
                {
                    // other entries from 200 to 249, the primary's again from 250: the last entry is the primary's,
                    // so only the chain (which folds in every entry) tells
                    truncated.append(payload(i < 250 ? "b" : "a", i));
                }
            }
        }
        assertTrue(Files.isDirectory(dir.resolve("r1")));

        final Primary again = fixture.primary(fixture.primaryConfig());
        final Replica r1Again = fixture.track(Replica.start(fixture.replicaConfig("r1", again.localAddress())));
        await("r1 refused, never resumed on top", WAIT, () -> r1Again.lastError() != null &&
            r1Again.state() == ReplicaState.STOPPED);
        assertEquals(dev.ferry.error.ErrorCode.DIVERGED, r1Again.lastError().code(), r1Again.lastError().getMessage());
        assertTrue(r1Again.lastError().getMessage().contains("chained checksum"), r1Again.lastError().getMessage());
        assertEquals(300, r1Again.receivedOffset(), "nothing appended on top");
        assertTrue(!Files.exists(other));
    }
}
