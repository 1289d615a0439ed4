package dev.ferry.wal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For tests: damage a WAL's bytes on disk as a failing disk would.
 */
public final class WalBytes
{
    private WalBytes()
    {
    }

    /**
     * Change one byte of the payload {@code needle} in the WAL's (first) roll-cycle file.
     *
     * @param walDir the WAL directory, closed.
     * @param needle a payload the WAL holds once.
     * @param index  which byte of the payload.
     * @param mask   the bits flipped.
     * @throws IOException if the file cannot be changed.
     */
    public static void flip(final Path walDir, final byte[] needle, final int index, final int mask) throws IOException
    {
        final Path file;
        try (Stream<Path> files = Files.list(walDir))
        {
            file = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final byte[] content = new byte[(int)Math.min(raf.length(), 64L << 20)];
            raf.readFully(content);
            final String text = new String(content, StandardCharsets.ISO_8859_1);
            final int at = text.indexOf(new String(needle, StandardCharsets.ISO_8859_1));
            assertTrue(at > 0, "payload found");
            raf.seek(at + index);
            raf.write(content[at + index] ^ mask);
        }
    }
}
