package dev.ferry.engine;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.UUID;

/**
 * The identity of a WAL's history: a random id given when a primary's WAL is created (a replica adopts its
 * primary's), and the epoch, bumped by promotion. Stored beside the WAL in {@value #FILE}, written atomically
 * (tmp, fsync, rename). Two WALs with different ids never exchange entries.
 *
 * @param id    the history id.
 * @param epoch the epoch.
 */
public record History(UUID id, long epoch)
{
    /** The file in the WAL directory. */
    public static final String FILE = "ferry-history.properties";

    /**
     * @return a new history with a random id at epoch 0.
     */
    public static History create()
    {
        return new History(UUID.randomUUID(), 0);
    }

    /**
     * @param walDir the WAL directory.
     * @return the stored history, or null if none.
     * @throws FerryException STORAGE if the file is unreadable or malformed.
     */
    public static History load(final Path walDir)
    {
        final Path file = walDir.resolve(FILE);
        if (!Files.exists(file))
        {
            return null;
        }
        try
        {
            final Properties props = new Properties();
            try (Reader in = new StringReader(Files.readString(file, StandardCharsets.UTF_8)))
            {
                props.load(in);
            }
            return new History(UUID.fromString(props.getProperty("historyId")), Long.parseLong(props.getProperty("epoch")));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Write this history into the WAL directory atomically.
     *
     * @param walDir the WAL directory.
     */
    public void save(final Path walDir)
    {
        final Path file = walDir.resolve(FILE);
        final Path tmp = walDir.resolve(FILE + ".tmp");
        final String text = "historyId=" + id + "\nepoch=" + epoch + "\n";
        try
        {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public String toString()
    {
        return id + "@" + epoch;
    }
}
