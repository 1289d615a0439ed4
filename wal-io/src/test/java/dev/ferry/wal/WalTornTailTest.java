package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A power loss can leave the last documents of a WAL torn: the header on disk, the entry's page not (zeros). Reopen
 * took the last document's stored offset without checking it (issue 14, finding 6), so a zeroed tail set the next
 * offset wrongly; now the torn documents are found by CRC32C and by offset, and removed.
 */
class WalTornTailTest
{
    private static final int ENTRIES = 100;
    private static final int LENGTH = 200;

    @TempDir
    Path dir;

    private WalConfig config()
    {
        return new WalConfig().directory(dir.resolve("wal")).minFreeBytes(0);
    }

    private static byte[] payload(final long offset)
    {
        final byte[] bytes = new byte[LENGTH];
        final byte[] text = String.format("entry-%06d;", offset).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < LENGTH; i++)
        {
            bytes[i] = text[i % text.length];
        }
        return bytes;
    }

    private void write()
    {
        try (Wal wal = Wal.open(config()))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                wal.append(payload(i));
            }
        }
    }

    /** Overwrite {@code length} bytes at {@code from} bytes relative to where the payload of {@code offset} starts. */
    private void zero(final long offset, final int from, final int length) throws IOException
    {
        final Path file;
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            file = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final byte[] content = new byte[(int)Math.min(raf.length(), 64L << 20)];
            raf.readFully(content);
            final int at = indexOf(content, payload(offset));
            raf.seek(at + from);
            raf.write(new byte[length]);
        }
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
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
        throw new AssertionError("payload not found in the cycle file");
    }

    private static List<byte[]> readAll(final Wal wal)
    {
        final List<byte[]> read = new ArrayList<>();
        try (WalCursor cursor = wal.cursor())
        {
            while (cursor.poll(entry ->
            {
                assertEquals(read.size(), entry.offset());
                read.add(entry.payload().toArray(ValueLayout.JAVA_BYTE));
                return true;
            }, 64) > 0)
            {
                // read on
            }
        }
        return read;
    }

    private void assertRepaired(final long torn) throws IOException
    {
        try (Wal wal = Wal.open(config()))
        {
            assertEquals(torn, wal.tornEntriesRemoved());
            assertEquals(ENTRIES - torn, wal.nextOffset(), "the next offset counts from the last intact entry");
            assertEquals(ENTRIES - torn, wal.append(payload(ENTRIES - torn)), "appends go on after it");
            final List<byte[]> read = readAll(wal);
            assertEquals(ENTRIES - torn + 1, read.size());
            for (int i = 0; i < read.size(); i++)
            {
                assertArrayEquals(payload(i), read.get(i), "entry " + i);
            }
        }
        try (Wal wal = Wal.open(config()))
        {
            assertEquals(0, wal.tornEntriesRemoved(), "repaired once");
            assertEquals(ENTRIES - torn + 1, wal.nextOffset());
        }
    }

    @Test
    void shouldRemoveALastEntryWhosePayloadWasLost() throws IOException
    {
        write();
        zero(ENTRIES - 1, 0, LENGTH);
        assertRepaired(1);
    }

    @Test
    void shouldRemoveSeveralTornEntries() throws IOException
    {
        write();
        zero(ENTRIES - 1, 0, LENGTH);
        zero(ENTRIES - 2, 10, 20);
        zero(ENTRIES - 3, LENGTH - 1, 1);
        assertRepaired(3);
    }

    @Test
    void shouldRemoveALastEntryWhoseStoredOffsetWasLost() throws IOException
    {
        write();
        // the entry header ends where the payload starts; its offset field is the header's first 8 bytes
        zero(ENTRIES - 1, -WalEntry.HEADER_LENGTH + WalEntry.OFFSET_FIELD_OFFSET, 8);
        assertRepaired(1);
    }

    @Test
    void shouldLeaveAnIntactWalAlone()
    {
        write();
        try (Wal wal = Wal.open(config()))
        {
            assertEquals(0, wal.tornEntriesRemoved());
            assertEquals(ENTRIES, wal.nextOffset());
            assertEquals(ENTRIES, readAll(wal).size());
            assertEquals(Arrays.toString(payload(ENTRIES - 1)), Arrays.toString(readAll(wal).getLast()));
        }
    }
}
