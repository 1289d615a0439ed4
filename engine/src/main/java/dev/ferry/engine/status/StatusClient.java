package dev.ferry.engine.status;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.StatusRequestFlyweight;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.wal.frame.FrameHeader;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks a running primary for its status over its replication port (STATUS_REQUEST, one STATUS_RESPONSE).
 */
public final class StatusClient
{
    private StatusClient()
    {
    }

    /**
     * @param primary the primary's address.
     * @param timeout how long to wait for it.
     * @return the status JSON document.
     * @throws FerryException CONNECTION if the primary cannot be reached in time.
     */
    public static String requestJson(final InetSocketAddress primary, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final String[] json = {null};
        try (SocketChannel channel = SocketChannel.open())
        {
            channel.socket().connect(primary, (int)Math.max(1, timeout.toMillis()));
            try (FrameConnection connection = new FrameConnection(channel, 2 * FrameHeader.MAX_FRAME_BYTES_DEFAULT, 4096))
            {
                final long claim = connection.claim(StatusRequestFlyweight.LENGTH);
                connection.commit(new StatusRequestFlyweight().encode(connection.sendBuffer(), claim));
                while (json[0] == null)
                {
                    connection.flush();
                    final int got = connection.receive((type, buffer, offset, length) ->
                    {
                        switch (type)
                        {
                            case STATUS_RESPONSE -> json[0] = new StatusResponseFlyweight().decode(buffer, offset, length).json();
                            case ERROR ->
                            {
                                final ErrorFlyweight error = new ErrorFlyweight().decode(buffer, offset, length);
                                throw new FerryException(error.code(), "primary says: " + error.message());
                            }
                            default -> throw new FerryException(ErrorCode.PROTOCOL, "expected STATUS_RESPONSE, got " + type);
                        }
                    }, 1);
                    if (got == 0 && System.nanoTime() > deadline)
                    {
                        throw new FerryException(ErrorCode.CONNECTION, "no status from " + Endpoint.format(primary) +
                            " within " + timeout.toMillis() + " ms");
                    }
                    if (got == 0)
                    {
                        LockSupport.parkNanos(200_000);
                    }
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "timed out connecting to " + Endpoint.format(primary), ex);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "cannot reach primary " + Endpoint.format(primary) + ": " +
                ex.getMessage(), ex);
        }
        return json[0];
    }
}
