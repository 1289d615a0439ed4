package dev.ferry.wal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * For tests, in place of the real syncs ({@link FileSync}): records every sync under a root directory, in order, and
 * keeps an image of what a power loss would leave there: a file's content as of its last sync, present only once a
 * sync of its directory followed its creation. Syncs still happen for real. Install, then {@link #close()} to give the
 * real syncs back.
 */
public final class SyncRecorder implements FileSync.Syncer, AutoCloseable
{
    private final Path root;
    private final Path image;
    private final LongSupplier watermark;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<Long> covered = new CopyOnWriteArrayList<>();
    private final Set<Path> named = new HashSet<>();
    private final Set<Path> contentSynced = new HashSet<>();

    private SyncRecorder(final Path root, final Path image, final LongSupplier watermark)
    {
        this.root = root.toAbsolutePath();
        this.image = image == null ? null : image.toAbsolutePath();
        this.watermark = watermark;
    }

    /**
     * @param root      record the syncs of files and directories under here (others only happen).
     * @param image     where to keep the power-loss image, or null for none.
     * @param watermark read at each content sync under {@code root} before it is forced (e.g. the WAL's next offset
     *                  on its only writing thread): {@link #covered()} lists the readings.
     * @return the recorder, installed.
     */
    public static SyncRecorder install(final Path root, final Path image, final LongSupplier watermark)
    {
        final SyncRecorder recorder = new SyncRecorder(root, image, watermark);
        FileSync.use(recorder);
        return recorder;
    }

    /**
     * @return every sync under the root in order: {@code "data R"}, {@code "file R"}, {@code "dir R"}, R relative to
     *         the root ({@code ""} for the root itself).
     */
    public List<String> log()
    {
        return log;
    }

    /**
     * @return the watermark read at each content sync under the root, in order.
     */
    public List<Long> covered()
    {
        return covered;
    }

    /** Forget the log (the image stays). */
    public void clearLog()
    {
        log.clear();
    }

    @Override
    public void file(final Path file) throws IOException
    {
        record("file", file, true);
        FileSync.FORCE.file(file);
    }

    @Override
    public void data(final Path file) throws IOException
    {
        record("data", file, true);
        FileSync.FORCE.data(file);
    }

    @Override
    public void directory(final Path directory) throws IOException
    {
        record("dir", directory, false);
        FileSync.FORCE.directory(directory);
    }

    private synchronized void record(final String kind, final Path path, final boolean content) throws IOException
    {
        final Path absolute = path.toAbsolutePath();
        if (!absolute.startsWith(root))
        {
            return;
        }
        if (content)
        {
            covered.add(watermark.getAsLong());
        }
        log.add(kind + " " + root.relativize(absolute));
        if (image == null)
        {
            return;
        }
        if (content)
        {
            contentSynced.add(absolute);
            if (named.contains(absolute))
            {
                copy(absolute);
            }
        }
        else
        {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(absolute))
            {
                for (final Path entry : entries)
                {
                    if (Files.isRegularFile(entry) && named.add(entry) && contentSynced.contains(entry))
                    {
                        copy(entry);
                    }
                }
            }
        }
    }

    /** The content of a file synced before its name was: what the last content sync forced (approximated by now). */
    private void copy(final Path file) throws IOException
    {
        final Path target = image.resolve(root.relativize(file));
        Files.createDirectories(target.getParent());
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close()
    {
        FileSync.use(FileSync.FORCE);
    }
}
