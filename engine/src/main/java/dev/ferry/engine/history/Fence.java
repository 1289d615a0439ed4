package dev.ferry.engine.history;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.AtomicFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a node that served as primary was superseded: a node of a newer epoch of its history talked to it (a replica
 * that follows the promoted primary), so it must take no more appends. Kept in {@value #FILE} beside the WAL, written
 * atomically, so a restart of the deposed primary is still fenced; removed when the node rejoins its history as a
 * replica of the newer epoch (it then holds that epoch itself). Thread-safe: the serving thread fences, the appending
 * threads read.
 */
public final class Fence
{
    /** The file in the WAL directory. */
    public static final String FILE = "ferry-fenced";

    private final Path walDirectory;
    private volatile long byEpoch;

    private Fence(final Path walDirectory, final long byEpoch)
    {
        this.walDirectory = walDirectory;
        this.byEpoch = byEpoch;
    }

    /**
     * @param walDirectory a WAL directory.
     * @return its fence: fenced if the file says so.
     * @throws FerryException STORAGE if the file cannot be read.
     */
    public static Fence load(final Path walDirectory)
    {
        final Path file = walDirectory.resolve(FILE);
        if (!Files.exists(file))
        {
            return new Fence(walDirectory, -1);
        }
        try
        {
            return new Fence(walDirectory, Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Remove the fence of a WAL directory: its node now follows the newer epoch.
     *
     * @param walDirectory the WAL directory.
     */
    public static void lift(final Path walDirectory)
    {
        try
        {
            Files.deleteIfExists(walDirectory.resolve(FILE));
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot remove " + walDirectory.resolve(FILE) + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return the newer epoch that fenced this node, or -1 if it is not fenced.
     */
    public long byEpoch()
    {
        return byEpoch;
    }

    /**
     * @return whether this node is fenced.
     */
    public boolean fenced()
    {
        return byEpoch >= 0;
    }

    /**
     * Fence this node: a node of {@code epoch} exists. Written to disk first, so an append refused is refused after
     * a restart too.
     *
     * @param epoch the newer epoch seen.
     * @return whether this call fenced it (false if it already was, by that epoch or a newer one).
     */
    public synchronized boolean fence(final long epoch)
    {
        if (epoch <= byEpoch)
        {
            return false;
        }
        AtomicFile.write(walDirectory.resolve(FILE), (epoch + "\n").getBytes(StandardCharsets.US_ASCII));
        byEpoch = epoch;
        return true;
    }
}
