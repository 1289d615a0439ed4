package dev.ferry.wal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A WAL written by an earlier build still opens, reads and appends: one of entry format 1 (no chained checksum) is
 * upgraded in place by its first writable open, with every entry, offset, timestamp and cursor kept.
 * <p>
 * {@code wal-v1-test-secondly.tar.gz} (9 KB) was written by commit dec5a57 (before the WAL was split by job):
 * {@code TEST_SECONDLY} roll cycle, a {@link SetTimeProvider} cycle clock at 1,700,000,000,000 ms advanced one second
 * every 100 entries, {@code firstOffset(1000)}, an entry clock returning {@link #BASE_NS} + 1000 ns more on each
 * call, 300 appends of {@link #payload(long)} (offsets 1000-1299, three roll-cycle files), then a named cursor
 * {@code replica-a} that consumed 120 entries. Chronicle preallocates its files sparsely, so each file was cut after
 * its last non-zero byte when packed; {@link #unpack} restores the original lengths with zeros.
 */
class WalFormatCompatibilityTest
{
    private static final String RESOURCE = "wal-v1-test-secondly.tar.gz";
    private static final long BASE_NS = 1_700_000_000_000_000_000L;
    private static final long CQ4_LENGTH = 80L << 20; // TEST_SECONDLY files as Chronicle left them
    private static final long CQ4T_LENGTH = 128L << 10;
    /** {@link WalDigest} of offsets 1000-1299 as the writing build computed it. */
    private static final String DIGEST = "7c45c3df0851f98f6f7d458e3b95b00fa9b4e8b2cfa09e4c2dabf03e273a49a0";

    @TempDir
    Path dir;

    static byte[] payload(final long offset)
    {
        return ("old-wal-entry-" + offset + "-" + "x".repeat((int)(offset % 37))).getBytes(StandardCharsets.UTF_8);
    }

    private static WalConfig config(final Path directory)
    {
        return new WalConfig().directory(directory).rollCycle("TEST_SECONDLY").minFreeBytes(0)
            .cycleClock(new SetTimeProvider((1_700_000_000_000L + 2_000) * 1_000_000L));
    }

    @Test
    void shouldOpenReadAndAppendToAWalWrittenByAnEarlierBuild() throws IOException
    {
        final Path walDir = unpack(dir).resolve("wal-v1");
        final WalException readOnly = assertThrows(WalException.class, () -> Wal.open(config(walDir).readOnly(true)));
        assertTrue(readOnly.getMessage().contains("entry format 1"), readOnly.getMessage());
        try (Wal wal = Wal.open(config(walDir)))
        {
            assertEquals(-1, wal.verifyChain(0), "every entry chained by the upgrade");
            assertEquals(Chain.unsigned(Chain.SEED), wal.chainBefore(1000), "the chain starts from the seed");
            assertEquals(1000, wal.oldestOffset());
            assertEquals(1300, wal.nextOffset());
            try (WalCursor cursor = wal.cursor())
            {
                final long[] next = {1000};
                cursor.poll(e ->
                {
                    final long offset = next[0]++;
                    assertEquals(offset, e.offset());
                    assertEquals(BASE_NS + (offset - 999) * 1000, e.timestampNs());
                    assertArrayEquals(payload(offset), e.payload().toArray(ValueLayout.JAVA_BYTE));
                    assertTrue(e.crcMatches(), "crc of " + offset);
                    return true;
                }, Integer.MAX_VALUE);
                assertEquals(1300, next[0]);
                assertEquals(SeekResult.FOUND, cursor.seek(1150), "the cycle table maps every cycle");
                assertEquals(SeekResult.FOUND, cursor.seek(1200));
                assertEquals(SeekResult.CAUGHT_UP, cursor.seek(1300));
                assertEquals(SeekResult.TOO_OLD, cursor.seek(999));
            }
            try (WalCursor named = wal.cursor("replica-a"))
            {
                assertEquals(1120, named.nextOffset(), "named cursor position kept");
            }
            assertEquals(DIGEST, WalDigest.of(wal, -1, -1).digest());

            assertEquals(1300, wal.append(payload(1300)));
            final MemorySegment p = MemorySegment.ofArray(payload(1301));
            wal.appendAt(1301, 7L, Crc32c.compute(p, 0, p.byteSize()), p);
        }
        try (Wal wal = Wal.open(config(walDir)))
        {
            assertEquals(1302, wal.nextOffset());
            assertEquals(DIGEST, WalDigest.of(wal, 1000, 1299).digest());
            final WalDigest all = WalDigest.of(wal, -1, -1);
            assertEquals(302, all.count());
            assertEquals(-1, wal.verifyChain(0), "appends after the upgrade chain on");
        }
    }

    /** Unpack the resource (ustar, as GNU tar writes it with {@code --format=ustar}) under {@code target}. */
    private static Path unpack(final Path target) throws IOException
    {
        final InputStream resource = WalFormatCompatibilityTest.class.getResourceAsStream(RESOURCE);
        assertNotNull(resource, RESOURCE);
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(resource)))
        {
            final byte[] header = new byte[512];
            while (true)
            {
                try
                {
                    in.readFully(header);
                }
                catch (final EOFException ex)
                {
                    break;
                }
                if (header[0] == 0)
                {
                    break; // the end-of-archive block
                }
                final String name = field(header, 345, 155).isEmpty() ?
                    field(header, 0, 100) : field(header, 345, 155) + "/" + field(header, 0, 100);
                final long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                final Path path = target.resolve(name).normalize();
                assertTrue(path.startsWith(target), name);
                if (header[156] == '5')
                {
                    Files.createDirectories(path);
                    continue;
                }
                final byte[] data = new byte[(int)size];
                in.readFully(data);
                in.skipNBytes((512 - size % 512) % 512);
                Files.createDirectories(path.getParent());
                Files.write(path, data);
                final String file = path.getFileName().toString();
                final long length = file.endsWith(".cq4") ? CQ4_LENGTH : file.endsWith(".cq4t") ? CQ4T_LENGTH : size;
                try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw"))
                {
                    raf.setLength(length); // sparse zeros, as Chronicle preallocated them
                }
            }
        }
        return target;
    }

    private static String field(final byte[] header, final int offset, final int length)
    {
        int end = offset;
        while (end < offset + length && header[end] != 0)
        {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
