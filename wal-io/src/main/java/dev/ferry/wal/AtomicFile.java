package dev.ferry.wal;

import dev.ferry.error.ErrorCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files replaced whole and atomically, as Ferry keeps its metadata beside a WAL (history, replica slots):
 * write a temporary file beside the target, fsync it, rename it over the target, fsync the directory. After a crash
 * or a power loss the file is either the old one or the new one, never a mix, and a rename that returned is not
 * undone by a power loss (the directory's fsync makes the new name durable). Litestream and PostgreSQL write their
 * control files the same way.
 */
public final class AtomicFile
{
    private AtomicFile()
    {
    }

    /**
     * Replace {@code file} with {@code content}, atomically and durably.
     *
     * @param file    the file.
     * @param content its new content.
     * @throws WalException STORAGE if any step fails: before the rename the old file (if any) is unchanged; if only
     *                      the directory's fsync fails, the new file is in place but its name may not survive a power
     *                      loss, and the message says so.
     */
    public static void write(final Path file, final byte[] content)
    {
        write(file, channel ->
        {
            final ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        });
    }

    /**
     * What a streamed file holds: written to the temporary file's channel.
     */
    @FunctionalInterface
    public interface Content
    {
        /**
         * @param channel the temporary file, empty.
         * @throws IOException if writing fails.
         */
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    /**
     * Replace {@code file} with what {@code content} writes, atomically and durably, without holding it in memory: for
     * large files such as snapshots.
     *
     * @param file    the file.
     * @param content writes the new content.
     * @throws WalException STORAGE as {@link #write(Path, byte[])}; a {@link dev.ferry.error.FerryException} that
     *                      {@code content} throws passes through, the old file unchanged.
     */
    public static void write(final Path file, final Content content)
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                content.writeTo(channel);
            }
            FileSync.file(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, "cannot write " + file + ": " + ex.getMessage(), ex);
        }
        try
        {
            FileSync.directory(file.toAbsolutePath().getParent());
        }
        catch (final IOException ex)
        {
            throw new WalException(ErrorCode.STORAGE, file + " was replaced but its directory could not be synced, so " +
                "the new name may not survive a power loss: " + ex.getMessage(), ex);
        }
    }
}
