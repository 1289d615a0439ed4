package dev.ferry.engine.resp;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where a node listens for Redis clients, and what they must give to {@code AUTH}.
 *
 * @param listen     the address ({@code --resp HOST:PORT}).
 * @param password   the password {@code AUTH} must give, or null: then no {@code AUTH} is needed (bind the listener
 *                   where only trusted clients reach it).
 * @param maxClients the most connections at once (Redis' {@code maxclients}).
 */
public record RespConfig(InetSocketAddress listen, byte[] password, int maxClients)
{
    /**
     * @throws FerryException CONFIGURATION for a missing address or a bad client limit.
     */
    public RespConfig
    {
        if (listen == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "the Redis listener needs an address (--resp HOST:PORT)");
        }
        if (maxClients < 1)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "the Redis listener's maxClients must be >= 1, was " + maxClients);
        }
        password = password == null ? null : password.clone();
    }

    /**
     * A listener with Redis' default client limit.
     *
     * @param listen   the address.
     * @param password the password, or null for none.
     */
    public RespConfig(final InetSocketAddress listen, final byte[] password)
    {
        this(listen, password, RespServer.MAX_CLIENTS_DEFAULT);
    }

    /**
     * Read {@code --resp-password-file}: its first line (a trailing newline is not part of the password).
     *
     * @param file the file.
     * @return the password.
     * @throws FerryException CONFIGURATION if it cannot be read or is empty.
     */
    public static byte[] readPassword(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "cannot read the Redis password file " + file + ": " + ex, ex);
        }
        int end = bytes.length;
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == '\n' || bytes[i] == '\r')
            {
                end = i;
                break;
            }
        }
        if (end == 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "the Redis password file " + file + " is empty");
        }
        return Arrays.copyOf(bytes, end);
    }

    @Override
    public byte[] password()
    {
        return password == null ? null : password.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof RespConfig that && listen.equals(that.listen) && Arrays.equals(password, that.password) &&
            maxClients == that.maxClients;
    }

    @Override
    public int hashCode()
    {
        return listen.hashCode() * 31 + maxClients;
    }

    @Override
    public String toString()
    {
        return "RespConfig[listen=" + Endpoint.format(listen) + ", password=" + (password == null ? "none" : "set") +
            ", maxClients=" + maxClients + "]";
    }
}
