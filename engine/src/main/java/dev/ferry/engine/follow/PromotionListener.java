package dev.ferry.engine.follow;

import dev.ferry.engine.EventLog;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.message.AuthFlyweight;
import dev.ferry.net.message.ChallengeFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.StatusRequestFlyweight;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A replica's serving port ({@code --serve}) before it is promoted: one daemon thread that answers an authenticated
 * {@code PROMOTE_REQUEST} ({@code ferry promote}) the way a primary answers a status request: {@code CHALLENGE}, the
 * client's {@code AUTH} proof over its request and this node's nonce, then the promotion's result as one signed
 * {@code STATUS_RESPONSE} JSON document, or a signed {@code ERROR}. Before it promotes, it closes its listening
 * socket, so that the primary the replica becomes listens on the same address. Anything else on the port (a replica's
 * {@code HELLO}, a status request) is refused with {@code CONFIGURATION}. An archive standby's port
 * ({@code ferry replica --from-archive --serve}); a replica that follows a node serves replicas on its port instead
 * ({@code dev.ferry.engine.serve.Cascade}). At most 16 connections at once, each on a thread of its own and closed by a reaper 5 s after it
 * was accepted (4 KiB frames): the port costs nothing while nobody uses it, and a stranger holds a handler for 5 s at
 * most, never the port; one promotion at a time.
 */
public final class PromotionListener implements AutoCloseable
{
    private static final int TIMEOUT_MS = 5_000;
    private static final int MAX_FRAME_BYTES = 4096;

    private final ServerSocket server;
    private final HandshakeAuth auth;
    private final Supplier<String> promote;
    private final EventLog log;
    private final String name;
    private final Thread thread;
    private static final int MAX_CONNECTIONS = 16;

    private final java.util.concurrent.Semaphore handlers = new java.util.concurrent.Semaphore(MAX_CONNECTIONS);
    private final java.util.concurrent.ConcurrentHashMap<Socket, Long> deadlines =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread reaper;
    private volatile Socket promotedBy;
    private volatile boolean closed;

    /**
     * Bind and start listening.
     *
     * @param address where to listen.
     * @param auth    the node's secret's proofs.
     * @param promote promotes the node (on this listener's thread, after this listener closed its socket) and returns
     *                the JSON answer; a {@link FerryException} it throws is sent as the ERROR.
     * @param log     the node's event log.
     * @param name    the node's name, for the log and the thread.
     * @throws FerryException CONFIGURATION if the address cannot be bound.
     */
    public PromotionListener(final InetSocketAddress address, final HandshakeAuth auth, final Supplier<String> promote,
        final EventLog log, final String name)
    {
        this.auth = auth;
        this.promote = promote;
        this.log = log;
        this.name = name;
        try
        {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(address);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "cannot listen on --serve " + Endpoint.format(address) +
                ": " + ex.getMessage(), ex);
        }
        thread = new Thread(this::run, "ferry-promotion-" + name);
        thread.setDaemon(true);
        thread.start();
        reaper = Thread.ofPlatform().daemon(true).name("ferry-promotion-reaper").start(this::reap);
    }

    /**
     * @return the bound address (its port when 0 was asked).
     */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)server.getLocalSocketAddress();
    }

    private void run()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = server.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    log.log(name + ": its --serve port failed: " + ex.getMessage());
                }
                return;
            }
            if (!handlers.tryAcquire())
            {
                closeQuietly(socket); // MAX_CONNECTIONS at once already: a flood is refused, not queued
                continue;
            }
            // each connection on a thread of its own, closed by the reaper at its deadline: a peer that trickles
            // bytes holds one of MAX_CONNECTIONS handlers for TIMEOUT_MS at most, never the port
            deadlines.put(socket, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            Thread.ofPlatform().daemon(true).name("ferry-promotion-conn").start(() -> handle(socket));
        }
    }

    /** Closes every connection past its deadline (but the one promoting), until the listener is closed. */
    private void reap()
    {
        while (!closed)
        {
            final long now = System.nanoTime();
            deadlines.forEach((socket, deadline) ->
            {
                if (now - deadline > 0 && socket != promotedBy)
                {
                    closeQuietly(socket);
                    deadlines.remove(socket);
                }
            });
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private void handle(final Socket socket)
    {
        try (socket)
        {
            socket.setSoTimeout(TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            serve(socket);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!closed)
            {
                log.log(name + ": a connection to its --serve port failed: " + ex.getMessage());
            }
        }
        finally
        {
            deadlines.remove(socket);
            handlers.release();
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    /**
     * @return true once the node was promoted.
     */
    private boolean serve(final Socket socket) throws IOException
    {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final OutputStream out = socket.getOutputStream();
        final MemorySegment first = readFrame(in);
        final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_BYTES);
        final MessageType type = decoder.verify(first);
        if (type != MessageType.PROMOTE_REQUEST)
        {
            send(out, error(ErrorCode.CONFIGURATION, "this is replica " + name + "'s --serve port: it answers " +
                "`ferry promote` only until it is promoted (an archive standby serves no replicas; a replica of a node does); " +
                "got " + type, null, null));
            return false;
        }
        final byte[] clientNonce = new StatusRequestFlyweight(MessageType.PROMOTE_REQUEST).decode(first, 0,
            first.byteSize()).copyNonceTo(new byte[StatusRequestFlyweight.NONCE_LENGTH]);
        final byte[] serverNonce = auth.nextNonce(new byte[StatusRequestFlyweight.NONCE_LENGTH]);
        final MemorySegment challenge = MemorySegment.ofArray(new byte[MAX_FRAME_BYTES]);
        send(out, challenge.asSlice(0, new ChallengeFlyweight().encode(challenge, 0, serverNonce)));
        final MemorySegment answer = readFrame(in);
        if (decoder.verify(answer) != MessageType.AUTH)
        {
            send(out, error(ErrorCode.PROTOCOL, "expected AUTH", null, null));
            return false;
        }
        final byte[] proof = new AuthFlyweight().decode(answer, 0, answer.byteSize()).copyProofTo(new byte[HandshakeAuth.PROOF_LENGTH]);
        final String who = "promote request from " + socket.getRemoteSocketAddress();
        try
        {
            auth.verifyClientProof(MessageType.PROMOTE_REQUEST, first, 0, (int)first.byteSize(), serverNonce, proof, who);
        }
        catch (final FerryException ex)
        {
            log.log(name + ": refused a " + who + ": " + ex.getMessage());
            send(out, error(ex.code(), ex.getMessage(), null, null));
            return false;
        }
        synchronized (this)
        {
            if (promotedBy != null)
            {
                send(out, error(ErrorCode.CONFIGURATION, "replica " + name + " is being promoted already",
                    clientNonce, serverNonce));
                return false;
            }
            promotedBy = socket; // the reaper leaves this connection alone: a promotion takes what it takes
        }
        log.log(name + ": " + who + ", authenticated: promoting");
        closed = true;
        server.close(); // the address is the new primary's
        final String json;
        try
        {
            json = promote.get();
        }
        catch (final RuntimeException ex)
        {
            final FerryException failure = dev.ferry.engine.serve.PromoteRequest.failure(ex);
            log.log(name + ": the promotion failed: " + failure.getMessage());
            send(out, error(failure.code(), failure.getMessage(), clientNonce, serverNonce));
            return true;
        }
        final byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        final MemorySegment frame = MemorySegment.ofArray(new byte[(int)StatusResponseFlyweight.length(utf8.length)]);
        final StatusResponseFlyweight response = new StatusResponseFlyweight().part(frame, 0, 0, 1, utf8, 0, utf8.length);
        auth.signFrame(MessageType.STATUS_RESPONSE, frame, 0, (int)frame.byteSize(), clientNonce, serverNonce);
        response.seal();
        send(out, frame);
        return true;
    }

    /** An ERROR frame, signed when the client proved the secret (its nonces given). */
    private MemorySegment error(final ErrorCode code, final String message, final byte[] clientNonce,
        final byte[] serverNonce)
    {
        final MemorySegment frame = MemorySegment.ofArray(new byte[ErrorFlyweight.MAX_LENGTH]);
        final ErrorFlyweight error = new ErrorFlyweight();
        error.wrap(frame, 0).code(code).message(message);
        if (clientNonce != null)
        {
            auth.signFrame(MessageType.ERROR, frame, 0, error.withProof().length(), clientNonce, serverNonce);
        }
        return frame.asSlice(0, error.seal());
    }

    private MemorySegment readFrame(final DataInputStream in) throws IOException
    {
        final byte[] header = new byte[FrameHeader.HEADER_LENGTH];
        in.readFully(header);
        final long length = Integer.toUnsignedLong(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        if (length < FrameHeader.HEADER_LENGTH || length > MAX_FRAME_BYTES)
        {
            throw new IOException("a frame of " + length + " bytes");
        }
        final byte[] frame = new byte[(int)length];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, frame.length - header.length);
        return MemorySegment.ofArray(frame);
    }

    private static void send(final OutputStream out, final MemorySegment frame) throws IOException
    {
        out.write(frame.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        out.flush();
    }

    /**
     * Stop listening (the node stops, or was promoted). Idempotent.
     */
    @Override
    public void close()
    {
        closed = true;
        LockSupport.unpark(reaper);
        try
        {
            server.close();
        }
        catch (final IOException ignore)
        {
            // closing: nothing to do
        }
    }
}
