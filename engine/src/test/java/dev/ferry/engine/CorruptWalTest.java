package dev.ferry.engine;

import dev.ferry.error.ErrorCode;
import dev.ferry.net.auth.PeerRefusal;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An entry damaged on the primary's disk is reported, not resent forever: the replica finds its CRC wrong and asks
 * again; the primary then checks what it resends, finds the damage is its own, and refuses the replica with a signed
 * STORAGE naming the entry. The replica keeps everything before it and retries with back-off (PROTOCOL.md: STORAGE is
 * the sender's to fix, not a reason to stop a replica for good), asking again at most once per connection.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptWalTest
{
    private static final byte[] MARKER = "corrupt-me-7f3a9c1e5d".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldRefuseAReplicaWithStorageInsteadOfResendingACorruptEntryForever() throws IOException
    {
        final PrimaryConfig config = fixture.primaryConfig();
        try (Primary primary = Primary.open(config))
        {
            for (int i = 0; i < 100; i++)
            {
                primary.append(i == 50 ? MARKER : ("entry " + i).getBytes(StandardCharsets.US_ASCII));
            }
        }
        flipAByteOfTheMarker(config.wal().directory());

        final List<String> log = new CopyOnWriteArrayList<>();
        final Primary primary = fixture.primary(fixture.primaryConfig().eventLog(log::add));
        final Replica replica = fixture.replica("r1", primary.localAddress());
        await("the primary to refuse the replica with STORAGE", Duration.ofSeconds(60),
            () -> replica.lastError() != null && replica.lastError().code() == ErrorCode.STORAGE);
        assertTrue(replica.lastError().getMessage().contains("corrupt"), replica.lastError().getMessage());
        assertTrue(replica.lastError() instanceof PeerRefusal, replica.lastError().getMessage());
        assertEquals(50, replica.receivedOffset(), "everything before the damaged entry, nothing after");
        assertTrue(replica.state() != ReplicaState.STOPPED, "retried: the primary's operator must act");
        final List<String> seen = List.copyOf(log);
        final long resends = seen.stream().filter(l -> l.contains("asks to resend")).count();
        final long connections = seen.stream().filter(l -> l.contains("streaming from offset")).count();
        assertTrue(resends <= connections, "at most one resend per connection: " + seen);
    }

    private static void flipAByteOfTheMarker(final Path walDir) throws IOException
    {
        try (Stream<Path> files = Files.list(walDir))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList())
            {
                final byte[] bytes = Files.readAllBytes(file);
                final int at = indexOf(bytes, MARKER);
                if (at >= 0)
                {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
                    {
                        raf.seek(at + 3);
                        raf.write(bytes[at + 3] ^ 0x20);
                    }
                    return;
                }
            }
        }
        throw new IllegalStateException("the marker entry is not in " + walDir);
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
