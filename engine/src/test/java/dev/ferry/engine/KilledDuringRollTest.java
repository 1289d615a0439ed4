package dev.ferry.engine;

import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary killed with SIGKILL while rolling to a new cycle leaves a cycle file whose first header was claimed and
 * never completed (its first int is 0x80000000, NOT_COMPLETE with length 0; seen in ReplicationProcessTest's WALs).
 * Such a file holds no entry. The restarted primary must open promptly, keep appending and keep serving replicas:
 * Chronicle waits its header timeout (~10 s) at every access to such a file and then fails appends, so the primary
 * removes it before Chronicle sees it. The test checks that it is gone rather than timing the open, which a loaded
 * machine can slow down for reasons of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class KilledDuringRollTest
{
    private static final int ENTRIES_PER_CYCLE = 100;
    private static final int CYCLES = 3;
    private static final DateTimeFormatter SECONDLY = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss'T'");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    /**
     * Three full TEST_SECONDLY cycles a minute ago, then the torn file of the next cycle.
     *
     * @return the torn file.
     */
    private Path walKilledDuringARoll() throws IOException
    {
        final Path wal = fixture.dir("primary");
        final SetTimeProvider clock = new SetTimeProvider(
            TimeUnit.SECONDS.toNanos(TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis()) - 60));
        try (Wal w = Wal.open(new WalConfig().directory(wal).rollCycle("TEST_SECONDLY").cycleClock(clock)))
        {
            for (int cycle = 0; cycle < CYCLES; cycle++)
            {
                for (int i = 0; i < ENTRIES_PER_CYCLE; i++)
                {
                    w.append(new byte[64]);
                }
                clock.advanceMillis(1000);
            }
        }
        final String last;
        try (Stream<Path> files = Files.list(wal))
        {
            last = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted()
                .reduce((a, b) -> b).orElseThrow();
        }
        final String torn = LocalDateTime.parse(last.substring(0, last.length() - ".cq4".length()), SECONDLY)
            .plusSeconds(1).format(SECONDLY) + ".cq4";
        final Path tornFile = wal.resolve(torn);
        try (RandomAccessFile file = new RandomAccessFile(tornFile.toFile(), "rw"))
        {
            file.setLength(80 << 20); // Chronicle's pre-allocated size; sparse
            file.write(new byte[]{0, 0, 0, (byte)0x80}); // little-endian 0x80000000: header claimed, never written
        }
        return tornFile;
    }

    @Test
    void shouldOpenAppendAndServeAfterAKillDuringARoll() throws Exception
    {
        final Path torn = walKilledDuringARoll();
        final PrimaryConfig config = fixture.primaryConfig();
        config.wal().rollCycle("TEST_SECONDLY");
        final Primary primary = fixture.primary(config);
        assertEquals(CYCLES * ENTRIES_PER_CYCLE, primary.nextOffset(), "every entry written before the kill");
        assertFalse(Files.exists(torn), "the torn cycle file, on which Chronicle would wait ~10 s at every access, is gone");

        final Replica replica = fixture.replica("r1", primary.localAddress());
        await("r1 to copy what was there", WAIT, () -> replica.receivedOffset() == CYCLES * ENTRIES_PER_CYCLE);

        for (int i = 0; i < 10; i++)
        {
            primary.append(new byte[64]);
        }
        final long last = primary.nextOffset() - 1;
        assertTrue(primary.awaitReplicated(last, 1, AckLevel.RECEIVED, WAIT),
            () -> "r1 at " + replica.receivedOffset() + ", state " + replica.state() + ", last error " + replica.lastError());
        await("r1 streaming", WAIT, () -> replica.state() == ReplicaState.STREAMING);
    }
}
