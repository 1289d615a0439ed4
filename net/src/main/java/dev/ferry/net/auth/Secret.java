package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * The shared secret both ends of a link prove they know (see {@link HandshakeAuth}), or {@link #NONE}.
 * <p>
 * Loaded from a file holding the secret's bytes as they are (any bytes; a passphrase or random bytes: at least
 * {@value #MIN_BYTES}, ideally 32 or more) with trailing {@code '\n'} / {@code '\r'} removed, so
 * {@code openssl rand -base64 32 > secret} works. Where the file system has POSIX permissions the file must not be
 * readable or writable by group or others ({@code chmod 600}), as ssh insists for its keys. The bytes never appear in
 * {@link #toString()} or in any exception.
 * Immutable and thread-safe.
 */
public final class Secret
{
    /** The largest secret file accepted: 4 KiB. */
    public static final int MAX_FILE_BYTES = 4096;
    /** The shortest secret accepted, in bytes (after trailing newlines are removed). */
    public static final int MIN_BYTES = 16;

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
     *                        readable or writable by group or others, unreadable, larger than {@value #MAX_FILE_BYTES}
     *                        bytes, or shorter than {@value #MIN_BYTES} bytes once trailing newlines are removed.
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
        // checked and read at the same real path, a symlink (e.g. a Kubernetes secret volume) resolved once
        final Path real;
        try
        {
            real = file.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "secret file " + file + " cannot be read: " + ex.getMessage(), ex);
        }
        checkPrivate(file, real);

        final byte[] bytes;
        try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS))
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
        if (length < MIN_BYTES)
        {
            Arrays.fill(bytes, (byte)0);
            throw new FerryException(ErrorCode.CONFIGURATION, "secret file " + file + " holds " + length +
                " bytes; a secret must be at least " + MIN_BYTES + " (e.g. openssl rand -base64 32 > " + file + ")");
        }

        final Secret secret = new Secret(Arrays.copyOf(bytes, length));
        Arrays.fill(bytes, (byte)0);
        return secret;
    }

    /**
     * The secret a node runs with, from its two settings: a secret file, or the deliberate choice to run without one.
     * Exactly one must be made.
     *
     * @param file             the secret file, or null.
     * @param insecureNoSecret whether the node deliberately runs without a secret.
     * @return the loaded secret, or {@link #NONE} when running without one was chosen.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if neither or both are set, or the file is refused
     *                        ({@link #load(Path)}).
     */
    public static Secret configured(final Path file, final boolean insecureNoSecret)
    {
        if (null != file && insecureNoSecret)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "a secret file and insecureNoSecret are both set (--secret-file and --insecure-no-secret): choose one");
        }
        if (null == file && !insecureNoSecret)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "no secret: give a secret file (--secret-file F, at least " +
                MIN_BYTES + " bytes, chmod 600) or run without one deliberately (--insecure-no-secret), which lets " +
                "anyone who reaches the port read the log and act as a replica");
        }
        return null == file ? NONE : load(file);
    }

    /**
     * Writes a new random secret file: 32 random bytes from a {@link SecureRandom}, base64 (44 characters and a
     * newline), created readable and writable by its owner only where the file system has POSIX permissions.
     *
     * @param file the file to create; it must not exist.
     * @return the secret it holds.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if it exists or cannot be written.
     */
    public static Secret generate(final Path file)
    {
        final byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        final byte[] text = (Base64.getEncoder().encodeToString(random) + "\n").getBytes(StandardCharsets.US_ASCII);
        final Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
        // created 0600 and written through the one channel: nothing can swap the file between the two
        try (SeekableByteChannel channel = file.getFileSystem().supportedFileAttributeViews().contains("posix") ?
            Files.newByteChannel(file, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))) :
            Files.newByteChannel(file, options))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "cannot create secret file " + file + ": " + ex.getMessage(), ex);
        }
        return load(file);
    }

    /**
     * A secret from bytes in memory, e.g. from a vault or a test.
     *
     * @param key the secret's bytes, copied.
     * @return the secret.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if {@code key} is shorter than
     *                        {@value #MIN_BYTES} or longer than {@value #MAX_FILE_BYTES} bytes.
     */
    public static Secret of(final byte[] key)
    {
        if (null == key || key.length < MIN_BYTES || key.length > MAX_FILE_BYTES)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "a secret must be " + MIN_BYTES + " to " + MAX_FILE_BYTES + " bytes");
        }
        return new Secret(key.clone());
    }

    private static void checkPrivate(final Path file, final Path real)
    {
        final Set<PosixFilePermission> permissions;
        final UserPrincipal owner;
        try
        {
            permissions = Files.getPosixFilePermissions(real, LinkOption.NOFOLLOW_LINKS);
            owner = Files.getOwner(real, LinkOption.NOFOLLOW_LINKS);
            final String me = System.getProperty("user.name");
            if (!owner.getName().equals(me) && !"root".equals(owner.getName()))
            {
                throw new FerryException(ErrorCode.CONFIGURATION, "secret file " + file + " belongs to " +
                    owner.getName() + ", not to " + me + " (or root): another user could have written it; run: chown " +
                    me + " " + file);
            }
        }
        catch (final UnsupportedOperationException ex)
        {
            return; // no POSIX permissions here (e.g. Windows ACLs): nothing to check this way
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "secret file " + file + " cannot be read: " + ex.getMessage(), ex);
        }
        for (final PosixFilePermission permission : permissions)
        {
            switch (permission)
            {
                case GROUP_READ, GROUP_WRITE, OTHERS_READ, OTHERS_WRITE -> throw new FerryException(
                    ErrorCode.CONFIGURATION, "secret file " + file + " is accessible by others (" +
                    PosixFilePermissions.toString(permissions) + "); run: chmod 600 " + file);
                default ->
                {
                }
            }
        }
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
