package dev.ferry.jmh.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories for benchmarks: under {@code ferry.bench.dir} (default the system temp dir).
 */
public final class BenchDirs
{
    private BenchDirs()
    {
    }

    /**
     * @param prefix a name prefix.
     * @return a new empty directory.
     */
    public static Path create(final String prefix)
    {
        try
        {
            final Path base = Path.of(System.getProperty("ferry.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param dir a directory to delete with everything in it.
     */
    public static void delete(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
