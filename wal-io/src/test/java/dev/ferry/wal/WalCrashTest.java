package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM appending as fast as it can is killed with SIGKILL; the WAL must reopen with a dense prefix holding
 * at least every append the child reported as returned, and accept further appends.
 */
class WalCrashTest
{
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** The child: appends 64-byte entries whose first 8 bytes are the offset, reporting progress on stdout. */
    public static void main(final String[] args)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(Path.of(args[0])).rollCycle("TEST_SECONDLY").minFreeBytes(0)))
        {
            final MemorySegment payload = MemorySegment.ofArray(new byte[64]);
            while (true)
            {
                payload.set(LONG_LE, 0, wal.nextOffset());
                final long offset = wal.append(payload);
                if ((offset + 1) % 1000 == 0)
                {
                    System.out.println(offset);
                    System.out.flush();
                }
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldReopenWithADensePrefixAfterKillMinus9() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final Path log = dir.resolve("child.log");
        final Process child = JvmLauncher.start(log, WalCrashTest.class, walDir.toString());
        long reported = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            while (reported < 50_000)
            {
                final String line = out.readLine();
                assertNotNull(line, "child exited early: " + JvmLauncher.tail(log));
                reported = Long.parseLong(line.trim());
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        finally
        {
            child.destroyForcibly();
        }

        try (Wal wal = Wal.open(new WalConfig().directory(walDir).rollCycle("TEST_SECONDLY").minFreeBytes(0)))
        {
            final long next = wal.nextOffset();
            assertTrue(next > reported, "every reported append survived: next=" + next + " reported=" + reported);
            final long[] expected = {0};
            try (WalCursor cursor = wal.cursor())
            {
                final int read = cursor.poll(e ->
                {
                    assertEquals(expected[0], e.offset());
                    assertEquals(expected[0], e.payload().get(LONG_LE, 0));
                    assertTrue(e.crcMatches(), "crc of offset " + e.offset());
                    expected[0]++;
                    return true;
                }, Integer.MAX_VALUE);
                assertEquals(next, read, "a dense prefix from 0");
            }
            assertEquals(next, wal.append(new byte[64]), "appends continue after the crash");
        }
    }
}
