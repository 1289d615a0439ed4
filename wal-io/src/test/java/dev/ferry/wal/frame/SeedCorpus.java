package dev.ferry.wal.frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed inputs of a fuzz test class, produced by the real encoders, and where they are checked in: Jazzer's inputs
 * directory {@code src/test/resources/<package>/<Class>Inputs/<method>/}, which its regression mode replays in every
 * {@code mvn verify} and its fuzzing mode starts from. Seeds are the files named {@value #SEED_PREFIX}{@code <name>};
 * everything else there (Jazzer's {@code crash-<sha1>} files: the findings kept as regression inputs) is left alone.
 * <p>
 * Generated, so that they follow the protocol when it changes: each module's {@code *FuzzSeedsTest} lists its corpora,
 * checks the checked-in files are what the encoders produce today, and writes them when run as a program
 * ({@code .ci/fuzz --write-seeds}).
 */
public final class SeedCorpus
{
    /** The prefix of every generated seed's file name. */
    public static final String SEED_PREFIX = "seed-";

    private final Class<?> fuzzTestClass;
    private final Map<String, Map<String, byte[]>> seedsByMethod = new LinkedHashMap<>();

    /**
     * @param fuzzTestClass the class whose {@code @FuzzTest} methods the seeds are for.
     */
    public SeedCorpus(final Class<?> fuzzTestClass)
    {
        this.fuzzTestClass = fuzzTestClass;
    }

    /**
     * @param method the {@code @FuzzTest} method's name.
     * @param name   what the seed is, {@code [a-z0-9-]}, unique for the method.
     * @param seed   the input.
     * @return this.
     */
    public SeedCorpus add(final String method, final String name, final byte[] seed)
    {
        if (!name.matches("[a-z0-9-]+"))
        {
            throw new IllegalArgumentException("seed name '" + name + "' is not [a-z0-9-]+");
        }
        final byte[] previous = seedsByMethod.computeIfAbsent(method, m -> new TreeMap<>()).put(name, seed.clone());
        if (null != previous)
        {
            throw new IllegalArgumentException("two seeds named '" + name + "' for " + method);
        }
        return this;
    }

    /**
     * @param method the {@code @FuzzTest} method's name.
     * @param name   what the seed is, {@code [a-z0-9-]}, unique for the method.
     * @param frame  the input, copied out.
     * @return this.
     */
    public SeedCorpus add(final String method, final String name, final MemorySegment frame)
    {
        return add(method, name, frame.toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * @return the fuzz test class.
     */
    public Class<?> fuzzTestClass()
    {
        return fuzzTestClass;
    }

    /**
     * @return the seeds by method name, then by seed name.
     */
    public Map<String, Map<String, byte[]>> seeds()
    {
        return seedsByMethod;
    }

    /**
     * @param moduleDir the module's directory (the working directory of its tests).
     * @param method    the {@code @FuzzTest} method's name.
     * @return Jazzer's inputs directory for the method in the module's test resources.
     */
    public Path directory(final Path moduleDir, final String method)
    {
        return moduleDir.resolve("src/test/resources")
            .resolve(fuzzTestClass.getPackageName().replace('.', '/'))
            .resolve(fuzzTestClass.getSimpleName() + "Inputs")
            .resolve(method);
    }

    /**
     * Replaces the checked-in seeds with these, leaving the other files (findings) in place.
     *
     * @param moduleDir the module's directory.
     * @return the number of seed files written.
     */
    public int write(final Path moduleDir)
    {
        int written = 0;
        try
        {
            for (final Map.Entry<String, Map<String, byte[]>> method : seedsByMethod.entrySet())
            {
                final Path dir = Files.createDirectories(directory(moduleDir, method.getKey()));
                for (final Path old : seedFiles(dir))
                {
                    Files.delete(old);
                }
                for (final Map.Entry<String, byte[]> seed : method.getValue().entrySet())
                {
                    Files.write(dir.resolve(SEED_PREFIX + seed.getKey()), seed.getValue());
                    written++;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return written;
    }

    /**
     * @param moduleDir the module's directory.
     * @return each checked-in seed that is missing, stale or left over, one line each; empty if they match.
     */
    public List<String> differences(final Path moduleDir)
    {
        final List<String> differences = new ArrayList<>();
        try
        {
            for (final Map.Entry<String, Map<String, byte[]>> method : seedsByMethod.entrySet())
            {
                final Path dir = directory(moduleDir, method.getKey());
                final Map<String, byte[]> expected = method.getValue();
                for (final Map.Entry<String, byte[]> seed : expected.entrySet())
                {
                    final Path file = dir.resolve(SEED_PREFIX + seed.getKey());
                    if (!Files.isRegularFile(file))
                    {
                        differences.add("missing " + file);
                    }
                    else if (!Arrays.equals(seed.getValue(), Files.readAllBytes(file)))
                    {
                        differences.add("stale " + file);
                    }
                }
                if (Files.isDirectory(dir))
                {
                    for (final Path file : seedFiles(dir))
                    {
                        if (!expected.containsKey(file.getFileName().toString().substring(SEED_PREFIX.length())))
                        {
                            differences.add("left over " + file);
                        }
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return differences;
    }

    private static List<Path> seedFiles(final Path dir) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, SEED_PREFIX + "*"))
        {
            stream.forEach(files::add);
        }
        return files;
    }
}
