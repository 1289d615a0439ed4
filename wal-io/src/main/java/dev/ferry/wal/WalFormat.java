package dev.ferry.wal;

import dev.ferry.error.ErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The entry format a WAL directory holds, in the file {@value #FILE} ({@link WalEntry#FORMAT_VERSION}). A directory
 * with roll-cycle files and no such file was written by a build of format 1 (entries without a chained checksum), or
 * lost the file (it is a hint: a power loss may take it): its documents say which ({@link Truncation#probeFormat}).
 * A writable open upgrades a format-1 WAL in place first ({@link Truncation#upgradeFormat1}); a read-only one refuses
 * it.
 */
final class WalFormat
{
    static final String FILE = "ferry-wal-format";

    private WalFormat()
    {
    }

    /**
     * Before a WAL opens: upgrade a format-1 directory if writable, refuse it if read-only; refuse a newer format.
     *
     * @throws WalException STORAGE for a format this build cannot open.
     */
    static void prepare(final WalConfig config)
    {
        final Path directory = config.directory().toAbsolutePath();
        if (!config.readOnly())
        {
            Truncation.recover(directory); // an interrupted upgrade or truncation, finished or undone first
        }
        final Path file = directory.resolve(FILE);
        if (Files.exists(file))
        {
            final int format = read(file);
            if (format > WalEntry.FORMAT_VERSION)
            {
                throw new WalException(ErrorCode.STORAGE, "WAL " + directory + " is of entry format " + format +
                    ", newer than this build reads (" + WalEntry.FORMAT_VERSION + "): upgrade Ferry");
            }
            return;
        }
        if (!hasRollCycleFiles(directory))
        {
            return; // a new WAL: marked once it is opened
        }
        if (Truncation.probeFormat(config) == WalEntry.FORMAT_VERSION)
        {
            return; // this build's entries: the open marks it again
        }
        if (config.readOnly())
        {
            throw new WalException(ErrorCode.STORAGE, "WAL " + directory + " is of entry format 1 (written by an " +
                "earlier Ferry): open it for writing once (start the node on it) to upgrade it, then read it");
        }
        Truncation.upgradeFormat1(config);
    }

    /** Mark a directory as holding this build's format (a new WAL, once open; an upgraded copy, before its swap). */
    static void mark(final Path directory)
    {
        final Path file = directory.resolve(FILE);
        if (!Files.exists(file))
        {
            AtomicFile.write(file, (WalEntry.FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static int read(final Path file)
    {
        try
        {
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot read the WAL format in " + file + ": " + ex, ex);
        }
    }

    private static boolean hasRollCycleFiles(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.cq4"))
        {
            return files.iterator().hasNext();
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot list " + directory + ": " + ex, ex);
        }
    }
}
