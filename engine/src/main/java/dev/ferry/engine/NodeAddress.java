package dev.ferry.engine;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.wal.AtomicFile;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the node that uses a WAL directory listens, kept beside its WAL in {@value #FILE} so that a tool running
 * beside the node, given only the WAL directory (the archive shipper, {@code ferry archive --wal DIR}), can reach it:
 * {@code listen=HOST:PORT}, the address actually bound (the real port when 0 was asked), and {@code pid=N}, the node's
 * process. A primary writes it when it starts listening, a replica when it starts serving ({@code --serve}); written
 * whole with {@link AtomicFile}, so a reader sees the old file or the new one, never a mix. It is not removed when the
 * node stops: a reader that cannot connect, or finds no such process, knows the node is gone. It describes the node,
 * not the WAL's entries: a replica's resync that moves its old WAL aside leaves it where it is.
 */
public final class NodeAddress
{
    /** The file in the WAL directory. */
    public static final String FILE = "ferry-node.properties";
    /** Its key for the address the node listens on, {@code HOST:PORT}. */
    static final String LISTEN = "listen";
    /** Its key for the node's process id. */
    static final String PID = "pid";

    private NodeAddress()
    {
    }

    /**
     * Write the file for a node that now listens on {@code bound}, from this process.
     *
     * @param walDirectory the node's WAL directory.
     * @param bound        the address the node bound (its real port).
     * @throws FerryException STORAGE if the file cannot be written.
     */
    static void write(final Path walDirectory, final InetSocketAddress bound)
    {
        final String text = "# where the node using this WAL directory listens, for tools beside it (by the node)\n" +
            LISTEN + "=" + Endpoint.format(bound) + "\n" +
            PID + "=" + ProcessHandle.current().pid() + "\n";
        AtomicFile.write(walDirectory.resolve(FILE), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Read where the node that uses a WAL directory listens.
     *
     * @param walDirectory the node's WAL directory.
     * @return the address to connect to, or null if there is no {@value #FILE} (no node has listened there yet). A
     *         node listening on every interface ({@code 0.0.0.0} or {@code ::}) is reached on the loopback address,
     *         as a tool beside it connects.
     * @throws FerryException CONFIGURATION if the file is malformed (no {@code listen=HOST:PORT} with a port in
     *                        {@code [1, 65535]}, or no numeric {@code pid}), naming the file; STORAGE if it cannot be
     *                        read.
     */
    public static InetSocketAddress read(final Path walDirectory)
    {
        final Path file = walDirectory.resolve(FILE);
        final Properties props = new Properties();
        try
        {
            props.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            // IllegalArgumentException: a malformed Unicode escape
            throw new FerryException(ex instanceof IOException ? ErrorCode.STORAGE : ErrorCode.CONFIGURATION,
                "cannot read " + file + ": " + ex.getMessage(), ex);
        }
        final String listen = props.getProperty(LISTEN);
        final String pid = props.getProperty(PID);
        if (listen == null || pid == null || !pid.trim().matches("[1-9][0-9]{0,18}"))
        {
            throw malformed(file, "needs the lines " + LISTEN + "=HOST:PORT and " + PID + "=N (a process id), has " +
                LISTEN + "=" + listen + ", " + PID + "=" + pid);
        }
        final InetSocketAddress address;
        try
        {
            address = Endpoint.parse(listen.trim(), file + " " + LISTEN);
        }
        catch (final FerryException ex)
        {
            throw malformed(file, ex.getMessage());
        }
        if (address.getPort() == 0)
        {
            throw malformed(file, "says " + LISTEN + "=" + listen + ": a node writes the host and port it bound");
        }
        final InetAddress host = address.getAddress();
        return host != null && host.isAnyLocalAddress() ?
            new InetSocketAddress(InetAddress.getLoopbackAddress(), address.getPort()) : address;
    }

    private static FerryException malformed(final Path file, final String why)
    {
        return new FerryException(ErrorCode.CONFIGURATION, file + " is malformed (the node writes it when it starts " +
            "listening; start the node again to rewrite it): " + why);
    }
}
