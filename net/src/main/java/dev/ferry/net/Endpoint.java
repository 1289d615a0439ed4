package dev.ferry.net;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.net.InetSocketAddress;

/**
 * A {@code HOST:PORT} parsed once, with a clear error for a malformed one.
 */
public final class Endpoint
{
    private Endpoint()
    {
    }

    /**
     * @param hostPort {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all interfaces).
     * @param what     what the address is for, named in errors (e.g. {@code --listen}).
     * @return the unresolved-if-needed socket address.
     * @throws FerryException CONFIGURATION if malformed.
     */
    public static InetSocketAddress parse(final String hostPort, final String what)
    {
        final int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon < 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " must be HOST:PORT, was '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " has a bad port in '" + hostPort + "'");
        }
        if (port < 0 || port > 65535)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " port must be 0-65535, was " + port);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /**
     * @param address an address.
     * @return it as {@code host:port}.
     */
    public static String format(final InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
    }
}
