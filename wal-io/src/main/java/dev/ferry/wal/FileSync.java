package dev.ferry.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Every sync Ferry makes goes through here: the WAL's roll-cycle files under the sync policy ({@link Syncer}), its
 * own files written whole (history, slots), a truncation's copy, and the directories that name them. One small seam
 * that a test replaces to record what was forced, and in what order, since a power loss cannot be simulated in a
 * test. (Chronicle's own sync mode is off: a msync of its current chunk would not cover earlier chunks or files.)
 */
final class FileSync
{
    /** What forcing a file or a directory does. */
    interface Syncer
    {
        /**
         * @param file a regular file whose content and metadata must reach stable storage.
         */
        void file(Path file) throws IOException;

        /**
         * @param file a regular file whose content (written through a mapping or not) must reach stable storage; its
         *             timestamps need not ({@code fdatasync}: what a roll-cycle file's entries need).
         */
        void data(Path file) throws IOException;

        /**
         * @param directory a directory whose entries (files created, renamed, deleted in it) must reach stable storage.
         */
        void directory(Path directory) throws IOException;
    }

    /** The real one: {@code FileChannel.force(true)} on the file, and on the directory opened for reading. */
    static final Syncer FORCE = new Syncer()
    {
        @Override
        public void file(final Path file) throws IOException
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
        }

        @Override
        public void data(final Path file) throws IOException
        {
            // fsync(2) of a file also writes back its pages dirtied through a shared mapping (Linux tracks them per
            // page from the first write fault), every chunk of it: one call covers what msync would per mapping
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.force(false);
            }
        }

        @Override
        public void directory(final Path directory) throws IOException
        {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
            {
                channel.force(true);
            }
        }
    };

    private static volatile Syncer syncer = FORCE;

    private FileSync()
    {
    }

    static void file(final Path file) throws IOException
    {
        syncer.file(file);
    }

    static void data(final Path file) throws IOException
    {
        syncer.data(file);
    }

    static void directory(final Path directory) throws IOException
    {
        syncer.directory(directory);
    }

    /**
     * For tests: replace the syncer (give back {@link #FORCE} after).
     *
     * @param replacement the syncer to use.
     */
    static void use(final Syncer replacement)
    {
        syncer = replacement;
    }
}
