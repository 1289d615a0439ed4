package dev.ferry.net;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Arenas;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A non-blocking TCP connection carrying Ferry frames, with a bounded receive buffer and a bounded send buffer in
 * native memory (one {@link Arena} per connection, freed on close).
 * <p>
 * Receiving: {@link #receive(FrameHandler, int)} reads what the socket has, cuts complete frames, verifies each
 * (length, version, CRC32C, flags: see {@link FrameDecoder}) and hands it over in place; a malformed frame throws
 * {@link dev.ferry.wal.frame.FrameException} and the caller drops the connection.
 * <p>
 * Sending, claim then commit: {@link #claim(int)} reserves room at the end of the send buffer and returns where to
 * encode, {@link #commit(int)} makes it sendable, {@link #flush()} writes what the socket accepts. A claim that does
 * not fit returns -1: the send buffer is the session's whole buffering, so a slow peer pushes back on its sender
 * instead of growing memory.
 * <p>
 * Single-threaded: one agent owns a connection.
 */
public final class FrameConnection implements AutoCloseable
{
    private final SocketChannel channel;
    private final FrameDecoder decoder;
    private Arena arena = Arenas.ofShared(); // counted: tests check every arena is closed
    private MemorySegment receive;
    private ByteBuffer receiveBuffer;
    private MemorySegment send;
    private ByteBuffer sendBuffer;
    private final String remote;
    private int receiveStart;
    private int receiveEnd;
    private int sendStart;
    private int sendEnd;
    private long bytesReceived;
    private long bytesSent;
    private long lastReceiveNs = System.nanoTime();
    private boolean closed;

    /**
     * @param channel       a connected channel; made non-blocking here.
     * @param maxFrameBytes the largest frame either side may send.
     * @param sendBytes     the send buffer size (at least {@code maxFrameBytes}).
     * @throws IOException if the channel cannot be configured.
     */
    public FrameConnection(final SocketChannel channel, final int maxFrameBytes, final int sendBytes) throws IOException
    {
        this(channel, maxFrameBytes, Math.max(2 * maxFrameBytes, 64 * 1024), Math.max(sendBytes, maxFrameBytes));
    }

    /**
     * @param channel       a connected channel; made non-blocking here.
     * @param maxFrameBytes the largest frame the peer may send.
     * @param receiveBytes  the receive buffer size (at least {@code maxFrameBytes}).
     * @param sendBytes     the send buffer size.
     * @throws IOException if the channel cannot be configured.
     */
    public FrameConnection(final SocketChannel channel, final int maxFrameBytes, final int receiveBytes,
        final int sendBytes) throws IOException
    {
        this.channel = channel;
        this.decoder = new FrameDecoder(maxFrameBytes);
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        this.receive = arena.allocate(Math.max(receiveBytes, maxFrameBytes), 64);
        this.receiveBuffer = receive.asByteBuffer();
        this.send = arena.allocate(sendBytes, 64);
        this.sendBuffer = send.asByteBuffer();
        final InetSocketAddress address = (InetSocketAddress)channel.getRemoteAddress();
        this.remote = address == null ? "?" : Endpoint.format(address);
    }

    /**
     * Replace both buffers with larger ones, keeping what they hold: a connection starts with small buffers while its
     * peer is unauthenticated (a stranger costs little) and grows once it has proved itself. Never shrinks.
     *
     * @param receiveBytes the receive buffer size wanted.
     * @param sendBytes    the send buffer size wanted.
     * @throws OutOfMemoryError if the native memory cannot be had (the buffers are left as they were).
     */
    public void grow(final int receiveBytes, final int sendBytes)
    {
        final int newReceive = (int)Math.max(receive.byteSize(), receiveBytes);
        final int newSend = (int)Math.max(send.byteSize(), sendBytes);
        if (newReceive == receive.byteSize() && newSend == send.byteSize())
        {
            return;
        }
        final Arena grown = Arenas.ofShared();
        final MemorySegment biggerReceive;
        final MemorySegment biggerSend;
        try
        {
            biggerReceive = grown.allocate(newReceive, 64);
            biggerSend = grown.allocate(newSend, 64);
        }
        catch (final OutOfMemoryError | RuntimeException ex)
        {
            grown.close();
            throw ex;
        }
        MemorySegment.copy(receive, receiveStart, biggerReceive, 0, receiveEnd - receiveStart);
        receiveEnd -= receiveStart;
        receiveStart = 0;
        MemorySegment.copy(send, sendStart, biggerSend, 0, sendEnd - sendStart);
        sendEnd -= sendStart;
        sendStart = 0;
        arena.close();
        arena = grown;
        receive = biggerReceive;
        receiveBuffer = receive.asByteBuffer();
        send = biggerSend;
        sendBuffer = send.asByteBuffer();
    }

    /**
     * @return the receive and send buffers' sizes together, in bytes of native memory.
     */
    public long bufferBytes()
    {
        return receive.byteSize() + send.byteSize();
    }

    /**
     * @return the peer's address as {@code host:port}.
     */
    public String remoteAddress()
    {
        return remote;
    }

    /**
     * Read what the socket has and deliver up to {@code maxFrames} complete frames.
     *
     * @param handler   receives each verified frame in place.
     * @param maxFrames the most frames to deliver in this call.
     * @return frames delivered.
     * @throws IOException                             on a socket error.
     * @throws FerryException                          CONNECTION when the peer closed the connection.
     * @throws dev.ferry.wal.frame.FrameException      on a malformed or damaged frame.
     */
    public int receive(final FrameHandler handler, final int maxFrames) throws IOException
    {
        int delivered = deliver(handler, maxFrames);
        if (delivered < maxFrames)
        {
            if (receiveStart > 0 && receiveStart == receiveEnd)
            {
                receiveStart = 0;
                receiveEnd = 0;
            }
            else if (receiveStart > receive.byteSize() / 2)
            {
                compactReceive();
            }
            receiveBuffer.limit((int)receive.byteSize()).position(receiveEnd);
            final int read = channel.read(receiveBuffer);
            if (read < 0)
            {
                throw new FerryException(ErrorCode.CONNECTION, "connection closed by " + remote);
            }
            if (read > 0)
            {
                receiveEnd += read;
                bytesReceived += read;
                lastReceiveNs = System.nanoTime();
                delivered += deliver(handler, maxFrames - delivered);
            }
        }
        return delivered;
    }

    private int deliver(final FrameHandler handler, final int maxFrames)
    {
        int delivered = 0;
        while (delivered < maxFrames)
        {
            final int length = decoder.frameLength(receive, receiveStart, receiveEnd - receiveStart);
            if (length < 0)
            {
                if (receiveStart + decoder.maxFrameBytes() > receive.byteSize())
                {
                    compactReceive(); // make room for the rest of this frame
                }
                break;
            }
            final MessageType type = decoder.verify(receive, receiveStart, length);
            final int start = receiveStart;
            receiveStart += length;
            handler.onFrame(type, receive, start, length);
            delivered++;
        }
        return delivered;
    }

    private void compactReceive()
    {
        final int remaining = receiveEnd - receiveStart;
        if (receiveStart > 0)
        {
            MemorySegment.copy(receive, receiveStart, receive, 0, remaining);
            receiveStart = 0;
            receiveEnd = remaining;
        }
    }

    /**
     * @return the send buffer, to encode into at an offset returned by {@link #claim(int)}.
     */
    public MemorySegment sendBuffer()
    {
        return send;
    }

    /**
     * Reserve {@code length} bytes at the end of the send buffer.
     *
     * @param length the bytes wanted.
     * @return the offset in {@link #sendBuffer()} to encode at, or -1 if they do not fit now (flush and retry).
     */
    public long claim(final int length)
    {
        if (sendEnd + length > send.byteSize())
        {
            if (sendStart > 0)
            {
                final int pending = sendEnd - sendStart;
                MemorySegment.copy(send, sendStart, send, 0, pending);
                sendStart = 0;
                sendEnd = pending;
            }
            if (sendEnd + length > send.byteSize())
            {
                return -1;
            }
        }
        return sendEnd;
    }

    /**
     * @return the most bytes a claim could get right now, after compaction.
     */
    public int claimableBytes()
    {
        return (int)send.byteSize() - (sendEnd - sendStart);
    }

    /**
     * Make {@code length} bytes from the last claim sendable.
     *
     * @param length the bytes encoded at the claimed offset.
     */
    public void commit(final int length)
    {
        sendEnd += length;
    }

    /**
     * Write as much of the pending bytes as the socket takes now.
     *
     * @return bytes written.
     * @throws IOException on a socket error (the peer is gone).
     */
    public int flush() throws IOException
    {
        if (sendStart == sendEnd)
        {
            return 0;
        }
        sendBuffer.limit(sendEnd).position(sendStart);
        final int written = channel.write(sendBuffer);
        sendStart += written;
        bytesSent += written;
        if (sendStart == sendEnd)
        {
            sendStart = 0;
            sendEnd = 0;
        }
        return written;
    }

    /**
     * @return bytes committed but not yet written to the socket.
     */
    public int pendingBytes()
    {
        return sendEnd - sendStart;
    }

    /**
     * @return bytes received so far.
     */
    public long bytesReceived()
    {
        return bytesReceived;
    }

    /**
     * @return bytes written to the socket so far.
     */
    public long bytesSent()
    {
        return bytesSent;
    }

    /**
     * @return {@link System#nanoTime()} of the last read that returned bytes.
     */
    public long lastReceiveNs()
    {
        return lastReceiveNs;
    }

    /**
     * @return the channel, e.g. to register with a selector.
     */
    public SocketChannel channel()
    {
        return channel;
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Close the socket and free the buffers. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing a broken socket: nothing is left to lose or report
            }
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return "FrameConnection{" + remote + ", pending=" + pendingBytes() + '}';
    }
}
