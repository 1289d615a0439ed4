package dev.ferry.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The socket itself, with nothing in between: {@link #read} and {@link #write} are the channel's own, this transport
 * holds no bytes, so {@link #flush()} and {@link #pendingBytes()} are 0 and {@link #hasBufferedInput()} is false.
 * Final and trivial, so the JIT inlines each call into {@link FrameConnection}.
 */
public final class PlainTransport implements Transport
{
    private final SocketChannel channel;

    /**
     * @param channel a connected channel.
     */
    public PlainTransport(final SocketChannel channel)
    {
        this.channel = channel;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        return channel.read(dst);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        return channel.write(src);
    }

    /**
     * @return 0: nothing is held here.
     */
    @Override
    public int flush()
    {
        return 0;
    }

    /**
     * @return 0: nothing is held here.
     */
    @Override
    public int pendingBytes()
    {
        return 0;
    }

    /**
     * @return false: nothing is held here.
     */
    @Override
    public boolean hasBufferedInput()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketChannel channel()
    {
        return channel;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a broken socket: nothing is left to lose or report
        }
    }

    @Override
    public String toString()
    {
        return "PlainTransport{" + channel + '}';
    }
}
