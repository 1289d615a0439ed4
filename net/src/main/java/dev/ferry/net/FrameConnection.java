package dev.ferry.net;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Arenas;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
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
 * Bytes go through a {@link Transport}: the socket itself ({@link PlainTransport}, what
 * {@link #FrameConnection(SocketChannel, int, int)} uses) or TLS ({@code dev.ferry.net.tls.TlsTransport}). A transport
 * may hold bytes of its own: {@link #pendingBytes()} counts what it holds for the socket, and
 * {@link #hasBufferedInput()} says when input is waiting that the socket will not signal again, so that an owner
 * parked in a selector ({@link SelectorParker}) does not sleep on it.
 * <p>
 * Single-threaded: one agent owns a connection.
 */
public final class FrameConnection implements AutoCloseable
{
    private final Transport transport;
    private final SocketChannel channel;
    private final FrameDecoder decoder;
    /** Buffers of up to this many bytes in all are on the heap; larger ones native. */
    static final int HEAP_BUFFERS_UP_TO = 16 * 1024;

    private Arena arena; // null while the buffers are on the heap
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
        this(new PlainTransport(channel), maxFrameBytes, sendBytes);
    }

    /**
     * @param transport     the transport over a connected channel, which is made non-blocking here; closed with this
     *                      connection.
     * @param maxFrameBytes the largest frame either side may send.
     * @param sendBytes     the send buffer size (at least {@code maxFrameBytes}).
     * @throws IOException if the channel cannot be configured.
     */
    public FrameConnection(final Transport transport, final int maxFrameBytes, final int sendBytes) throws IOException
    {
        this(transport, maxFrameBytes, Math.max(2 * maxFrameBytes, 64 * 1024), Math.max(sendBytes, maxFrameBytes));
    }

    /**
     * @param transport     the transport over a connected channel, which is made non-blocking here; closed with this
     *                      connection.
     * @param maxFrameBytes the largest frame the peer may send.
     * @param receiveBytes  the receive buffer size (at least {@code maxFrameBytes}).
     * @param sendBytes     the send buffer size.
     * @throws IOException if the channel cannot be configured.
     */
    public FrameConnection(final Transport transport, final int maxFrameBytes, final int receiveBytes,
        final int sendBytes) throws IOException
    {
        this.transport = transport;
        this.channel = transport.channel();
        this.decoder = new FrameDecoder(maxFrameBytes);
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        final int receiveSize = Math.max(receiveBytes, maxFrameBytes);
        if (receiveSize + (long)sendBytes <= HEAP_BUFFERS_UP_TO)
        {
            // small buffers (a stranger's handshake) on the heap: no native memory, and no shared arena whose close
            // would make every thread of the JVM stop for a moment, once per stranger
            this.arena = null;
            this.receive = MemorySegment.ofArray(new byte[receiveSize]);
            this.send = MemorySegment.ofArray(new byte[sendBytes]);
        }
        else
        {
            this.arena = Arenas.ofShared(); // counted: tests check every arena is closed; opened once nothing can throw
            this.receive = arena.allocate(receiveSize, 64);
            this.send = arena.allocate(sendBytes, 64);
        }
        this.receiveBuffer = receive.asByteBuffer();
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
        if (arena != null)
        {
            arena.close();
        }
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
            final int read = transport.read(receiveBuffer);
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
     * Write as much of the pending bytes as the socket takes now: the committed frames, or when none is left, what
     * the transport still holds (TLS records, handshake messages).
     *
     * @return bytes written: frame bytes the transport took or, when there were none, bytes the transport wrote.
     * @throws IOException on a socket error (the peer is gone).
     */
    public int flush() throws IOException
    {
        if (sendStart == sendEnd)
        {
            return transport.flush(); // a plaintext transport answers 0 at once
        }
        sendBuffer.limit(sendEnd).position(sendStart);
        final int written = transport.write(sendBuffer);
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
     * @return bytes committed but not yet written to the socket, with those the transport holds for it.
     */
    public int pendingBytes()
    {
        return sendEnd - sendStart + transport.pendingBytes();
    }

    /**
     * Whether {@link #receive} has input to work on that the socket will not signal: a complete frame left by a
     * {@code maxFrames} limit, or bytes the transport took from the socket and holds (decrypted TLS records). An owner
     * that parks until its channels are readable must not park while this is true.
     *
     * @return true if a receive can make progress without the socket becoming readable.
     */
    public boolean hasBufferedInput()
    {
        final int available = receiveEnd - receiveStart;
        if (available >= Integer.BYTES && Integer.toUnsignedLong(
            receive.get(FrameHeader.INT_LE, receiveStart + FrameHeader.LENGTH_OFFSET)) <= available)
        {
            return true;
        }
        return transport.hasBufferedInput();
    }

    /**
     * Whether the peer opened this connection with a TLS hello rather than a Ferry frame (see
     * {@link Transport#looksLikeTls}): for a plaintext server whose first {@link #receive} failed, to report "a TLS
     * client connected to this plaintext port" rather than a bad frame length. False once a frame was delivered.
     *
     * @return true if the bytes received so far are all still in the buffer and start like a TLS hello.
     */
    public boolean peerSentTls()
    {
        return receiveStart == 0 && bytesReceived == receiveEnd && Transport.looksLikeTls(receive, 0, receiveEnd);
    }

    /**
     * @return bytes received so far (plaintext: for TLS, what the records carried).
     */
    public long bytesReceived()
    {
        return bytesReceived;
    }

    /**
     * @return frame bytes handed to the transport so far (for a plaintext connection, written to the socket).
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
     * @return the transport, e.g. to ask a TLS transport about its session.
     */
    public Transport transport()
    {
        return transport;
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
     * Close the transport (for TLS after a best-effort close_notify) and the socket, and free the buffers. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            transport.close();
            if (arena != null)
            {
                arena.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "FrameConnection{" + remote + ", pending=" + pendingBytes() + '}';
    }
}
