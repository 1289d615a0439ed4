package dev.ferry.engine.serve;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * The listening socket of a serving node: a primary's, or a replica's {@code --serve} port.
 */
public final class Listeners
{
    private Listeners()
    {
    }

    /**
     * @param listen the address.
     * @param what   how the address is named in an error ("" or {@code "--serve "}).
     * @return a bound, non-blocking listening socket (backlog 64).
     * @throws FerryException CONFIGURATION if the address is in use, CONNECTION for another failure.
     */
    public static ServerSocketChannel bind(final InetSocketAddress listen, final String what)
    {
        ServerSocketChannel channel = null;
        try
        {
            channel = ServerSocketChannel.open();
            channel.bind(listen, 64);
            channel.configureBlocking(false);
            return channel;
        }
        catch (final BindException ex)
        {
            closeQuietly(channel);
            throw new FerryException(ErrorCode.CONFIGURATION, "cannot listen on " + what + Endpoint.format(listen) +
                ": " + ex.getMessage() + " (is another process using the port?)", ex);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new FerryException(ErrorCode.CONNECTION, "cannot listen on " + what + Endpoint.format(listen) + ": " +
                ex, ex);
        }
    }

    /**
     * @param channel a listening socket, or null.
     */
    public static void closeQuietly(final ServerSocketChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // failing or stopping already: nothing more to report
            }
        }
    }
}
