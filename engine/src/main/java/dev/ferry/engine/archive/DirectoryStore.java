package dev.ferry.engine.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An archive in a directory ({@code file:///path}): a key is a relative path. Each object is written as Litestream and
 * PostgreSQL's {@code archive_command} advice have it: into a temporary file beside its final name, fsynced, renamed,
 * and the directory fsynced, so that after a crash or a power loss an object is whole or absent. Temporary files (a
 * writer that crashed mid-copy) are never listed, and are removed by {@link #removeTemporary}.
 */
public final class DirectoryStore implements ArchiveStore
{
    /** The marker in a temporary file's name: {@code <name>.tmp-<random>}. */
    static final String TMP = ".tmp-";

    private final Path root;
    private final String uri;

    /**
     * @param root the directory, created if missing.
     * @param uri  the URI it was named by.
     * @throws IOException if it cannot be created.
     */
    public DirectoryStore(final Path root, final String uri) throws IOException
    {
        this.root = Files.createDirectories(root.toAbsolutePath());
        this.uri = uri;
    }

    @Override
    public String uri()
    {
        return uri;
    }

    /**
     * @return the directory.
     */
    public Path root()
    {
        return root;
    }

    @Override
    public void put(final String key, final Path file) throws IOException
    {
        final Path target = resolve(key);
        final Path tmp = temporary(target);
        try
        {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            publish(tmp, target);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void put(final String key, final byte[] bytes) throws IOException
    {
        final Path target = resolve(key);
        final Path tmp = temporary(target);
        try
        {
            Files.write(tmp, bytes);
            publish(tmp, target);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
    }

    private Path temporary(final Path target) throws IOException
    {
        final Path parent = target.getParent();
        if (!Files.isDirectory(parent))
        {
            Files.createDirectories(parent);
            syncUpTo(parent);
        }
        return parent.resolve(target.getFileName() + TMP + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    private static void publish(final Path tmp, final Path target) throws IOException
    {
        force(tmp, StandardOpenOption.WRITE);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    /** The directories just created, up to the root, fsynced so that their names survive a power loss. */
    private void syncUpTo(final Path directory) throws IOException
    {
        for (Path d = directory; d != null && d.startsWith(root); d = d.getParent())
        {
            syncDirectory(d);
            if (d.equals(root))
            {
                break;
            }
        }
        if (root.getParent() != null)
        {
            syncDirectory(root.getParent());
        }
    }

    @Override
    public InputStream get(final String key) throws IOException
    {
        final Path file = resolve(key);
        if (!Files.isRegularFile(file))
        {
            throw new NoSuchFileException(uri + "/" + key);
        }
        return Files.newInputStream(file);
    }

    @Override
    public List<ObjectInfo> list(final String prefix) throws IOException
    {
        final int cut = prefix.lastIndexOf('/');
        final Path start = cut < 0 ? root : resolve(prefix.substring(0, cut));
        final List<ObjectInfo> objects = new ArrayList<>();
        if (!Files.isDirectory(start))
        {
            return objects;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attributes)
            {
                final String key = key(file);
                if (key.startsWith(prefix) && !file.getFileName().toString().contains(TMP) && attributes.isRegularFile())
                {
                    objects.add(new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toMillis()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(final Path file, final IOException ex) throws IOException
            {
                if (ex instanceof NoSuchFileException)
                {
                    return FileVisitResult.CONTINUE; // removed while listed (a retention): not listed
                }
                throw ex;
            }
        });
        objects.sort(Comparator.comparing(ObjectInfo::key));
        return objects;
    }

    @Override
    public void delete(final String key) throws IOException
    {
        final Path file = resolve(key);
        if (Files.deleteIfExists(file))
        {
            syncDirectory(file.getParent());
        }
    }

    /**
     * Remove the temporary files a crashed writer left.
     *
     * @return how many were removed.
     * @throws IOException if the directory cannot be walked.
     */
    public int removeTemporary() throws IOException
    {
        final int[] removed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attributes) throws IOException
            {
                if (file.getFileName().toString().contains(TMP) && Files.deleteIfExists(file))
                {
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return removed[0];
    }

    private String key(final Path file)
    {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private Path resolve(final String key)
    {
        return root.resolve(Keys.check(key));
    }

    static void syncDirectory(final Path directory) throws IOException
    {
        force(directory, StandardOpenOption.READ);
    }

    private static void force(final Path path, final StandardOpenOption mode) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, mode))
        {
            channel.force(true);
        }
    }

    @Override
    public void close()
    {
        // nothing held open
    }
}
