package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The shared secret both ends of a link prove they know (see {@link HandshakeAuth}), or {@link #NONE}.
 * <p>
 * Loaded from a file holding the secret's bytes as they are (any bytes; a passphrase or random bytes, ideally 32 or
 * more) with trailing {@code '\n'} / {@code '\r'} removed, so {@code openssl rand -base64 32 > secret} works. The file
 * should be readable by the service's user only. The bytes never appear in {@link #toString()} or in any exception.
 * Immutable and thread-safe.
 */
public final class Secret
{
    /** The largest secret file accepted: 4 KiB. */
    public static final int MAX_FILE_BYTES = 4096;

    /** No secret: proofs are all zero, and a peer without a secret is accepted only by a side that has none. */
    public static final Secret NONE = new Secret(new byte[0]);

    private final byte[] key;

    private Secret(final byte[] key)
    {
        this.key = key;
    }

    /**
     * Reads a secret file.
     *
     * @param file the file.
     * @return the secret.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if the file is missing, not a regular file,
     *                        unreadable, larger than {@value #MAX_FILE_BYTES} bytes, or empty once trailing newlines
     *                        are removed.
     */
    public static Secret load(final Path file)
    {
        if (null == file)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "secret file path is not set");
        }
        if (!Files.exists(file))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "secret file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "secret file " + file + " is not a regular file");
        }

        final byte[] bytes;
        try (InputStream in = Files.newInputStream(file))
        {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        catch (final NoSuchFileException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "secret file " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "secret file " + file + " cannot be read: " + ex.getMessage(), ex);
        }

        if (bytes.length > MAX_FILE_BYTES)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION,
                "secret file " + file + " is larger than " + MAX_FILE_BYTES + " bytes; is it the right file?");
        }
        int length = bytes.length;
        while (length > 0 && ('\n' == bytes[length - 1] || '\r' == bytes[length - 1]))
        {
            length--;
        }
        if (0 == length)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "secret file " + file + " is empty");
        }

        final Secret secret = new Secret(Arrays.copyOf(bytes, length));
        Arrays.fill(bytes, (byte)0);
        return secret;
    }

    /**
     * A secret from bytes in memory, e.g. from a vault or a test.
     *
     * @param key the secret's bytes, copied.
     * @return the secret.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if {@code key} is empty or longer than
     *                        {@value #MAX_FILE_BYTES} bytes.
     */
    public static Secret of(final byte[] key)
    {
        if (null == key || 0 == key.length || key.length > MAX_FILE_BYTES)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "a secret must be 1 to " + MAX_FILE_BYTES + " bytes");
        }
        return new Secret(key.clone());
    }

    /**
     * @return whether this is {@link #NONE}.
     */
    public boolean isNone()
    {
        return 0 == key.length;
    }

    /**
     * @return the key bytes, not copied: for {@link HandshakeAuth} only.
     */
    byte[] key()
    {
        return key;
    }

    /**
     * @return {@code "Secret[none]"} or {@code "Secret[set]"}: never the bytes or their length.
     */
    @Override
    public String toString()
    {
        return isNone() ? "Secret[none]" : "Secret[set]";
    }
}
