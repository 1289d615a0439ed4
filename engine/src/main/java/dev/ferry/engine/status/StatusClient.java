package dev.ferry.engine.status;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.PlainTransport;
import dev.ferry.net.Transport;
import dev.ferry.net.auth.ClientHandshake;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.message.StatusRequestFlyweight;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.net.tls.TlsConfig;
import dev.ferry.net.tls.TlsFactory;
import dev.ferry.wal.frame.MessageType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks a running primary for its status over its replication port, authenticated like a replica: STATUS_REQUEST (with
 * this client's nonce), CHALLENGE, AUTH, then the document in STATUS_RESPONSE parts, each proven by the primary.
 */
public final class StatusClient
{
    /** The largest status document read: 64 MiB. */
    public static final int MAX_DOCUMENT_BYTES = 64 << 20;
    /** The largest frame read: a status part ({@code DownstreamSession} sends at most 64 KiB) or an ERROR. */
    private static final int MAX_FRAME_BYTES = 64 * 1024;

    private final ClientHandshake handshake;
    private final StatusResponseFlyweight response = new StatusResponseFlyweight();
    private final ByteArrayOutputStream document = new ByteArrayOutputStream();
    private FrameConnection connection;
    private int nextPart;
    private int parts;
    private boolean done;

    /** Writes a client's first frame with its nonce at an offset of the send buffer. */
    @FunctionalInterface
    private interface FirstFrame
    {
        int write(MemorySegment buffer, long offset, byte[] nonce);
    }

    private final MessageType requestType;
    private final FirstFrame first;

    private StatusClient(final Secret secret, final MessageType requestType)
    {
        this(secret, requestType, (buffer, offset, nonce) ->
            new StatusRequestFlyweight(requestType).encode(buffer, offset, nonce));
    }

    private StatusClient(final Secret secret, final MessageType requestType, final FirstFrame first)
    {
        this.handshake = new ClientHandshake(new HandshakeAuth(secret));
        this.requestType = requestType;
        this.first = first;
    }

    /**
     * Ask a primary to drop a disconnected replica's slot ({@code ferry slots --drop}): DROP_SLOT_REQUEST (nonce and
     * slot id), CHALLENGE, AUTH, then its answer (a JSON document) or an ERROR.
     *
     * @param primary the primary's address.
     * @param timeout how long to wait.
     * @param secret  the primary's secret, or {@link Secret#NONE}.
     * @param tls     the client's TLS settings, or null.
     * @param slotId  the slot's id.
     * @return the answer's JSON document.
     * @throws FerryException as {@link #requestJson}, or the primary's refusal (CONFIGURATION: no such slot, or its
     *                        replica is connected).
     */
    public static String dropSlot(final InetSocketAddress primary, final Duration timeout, final Secret secret,
        final TlsConfig tls, final String slotId)
    {
        return new StatusClient(secret, MessageType.DROP_SLOT_REQUEST, (buffer, offset, nonce) ->
            new dev.ferry.net.message.DropSlotRequestFlyweight().encode(buffer, offset, nonce, slotId))
            .request(primary, timeout, tls == null ? null : TlsFactory.client(tls));
    }

    /**
     * Hold a slot on a primary at an offset, for a process that is not a replica but needs the primary's WAL kept (the
     * archive shipper): HOLD_SLOT_REQUEST (nonce, slot id and next offset), CHALLENGE, AUTH, then its answer (a JSON
     * document) or an ERROR. The slot is created if there is none, moved (forward or back) if it is there and no
     * replica of its id is connected; it then holds the primary's retention from {@code nextOffset} as a disconnected
     * replica's slot does, up to the primary's slot cap.
     *
     * @param node       the primary's address ({@code NodeAddress.read} finds it beside the primary's WAL).
     * @param timeout    how long to wait.
     * @param secret     the primary's secret, or {@link Secret#NONE}.
     * @param tls        the client's TLS settings, or null.
     * @param slotId     the slot's id: a valid replica id.
     * @param nextOffset the first offset the holder still needs, {@code >= 0}: everything below it may go.
     * @return the answer's JSON document, {@code {"held":ID,"from":N,"head":H,"oldest":O}}: the offset held from (the
     *         head if {@code nextOffset} was beyond it), the primary's head and oldest retained offset.
     * @throws FerryException as {@link #requestJson}, or the primary's refusal: CONFIGURATION if a replica of that id
     *                        is connected (or the node is a replica's {@code --serve} port), RETENTION if
     *                        {@code nextOffset} is below the oldest offset the primary retains; CONFIGURATION before
     *                        anything is sent for an invalid slot id.
     * @throws IllegalArgumentException if {@code nextOffset} is negative.
     */
    public static String holdSlot(final InetSocketAddress node, final Duration timeout, final Secret secret,
        final TlsConfig tls, final String slotId, final long nextOffset)
    {
        if (nextOffset < 0)
        {
            throw new IllegalArgumentException("nextOffset must be >= 0, was " + nextOffset);
        }
        dev.ferry.net.message.HelloFlyweight.checkReplicaId(slotId);
        return new StatusClient(secret, MessageType.HOLD_SLOT_REQUEST, (buffer, offset, nonce) ->
            new dev.ferry.net.message.HoldSlotRequestFlyweight().encode(buffer, offset, nonce, slotId, nextOffset))
            .request(node, timeout, tls == null ? null : TlsFactory.client(tls));
    }

    /**
     * Say HELLO to a node as a node of this history would, and return its answer: the way a promoted node tells the
     * primary it superseded that a newer epoch exists ({@code FencingProbe}). The node answers a proven ERROR (FENCED
     * from a stale primary of this history), or a WELCOME, after which this closes the connection.
     *
     * @param node    the node's address.
     * @param timeout how long to wait for its answer.
     * @param secret  the cluster's secret, or {@link Secret#NONE}.
     * @param tls     the client's TLS settings, or null.
     * @param hello   writes the HELLO at the claimed offset of the send buffer and returns its length (at most
     *                {@code HelloFlyweight.MAX_LENGTH}).
     * @return the node's refusal ({@code PeerRefusal}, whose {@code proven()} says whether its proof held), or null if
     *         it answered WELCOME.
     * @throws FerryException CONNECTION if it cannot be reached or does not answer in time, PROTOCOL for anything else.
     */
    public static FerryException hello(final InetSocketAddress node, final Duration timeout, final Secret secret,
        final TlsConfig tls, final java.util.function.ToIntBiFunction<MemorySegment, Long> hello)
    {
        try
        {
            new StatusClient(secret, MessageType.HELLO, (buffer, offset, nonce) ->
            {
                hello.applyAsInt(buffer.asSlice(offset), 0L);
                return new dev.ferry.net.message.HelloFlyweight().wrap(buffer, offset).nonce(nonce).seal();
            }).request(node, timeout, tls == null ? null : TlsFactory.client(tls));
            return null;
        }
        catch (final dev.ferry.net.auth.PeerRefusal refusal)
        {
            return refusal;
        }
    }

    /**
     * Ask the replica serving on {@code replica} ({@code --serve}) to promote itself to primary: PROMOTE_REQUEST,
     * CHALLENGE, AUTH, then its answer (a JSON document: the epoch it began and the offset it starts at) or an ERROR.
     *
     * @param replica the replica's serving address.
     * @param timeout how long to wait for the answer (a promotion stops the replica and saves its state first).
     * @param secret  the replica's secret, or {@link Secret#NONE}.
     * @return the answer's JSON document.
     * @throws FerryException as {@link #requestJson}, or the replica's refusal (e.g. CONFIGURATION: nothing to promote).
     */
    public static String promote(final InetSocketAddress replica, final Duration timeout, final Secret secret)
    {
        return new StatusClient(secret, MessageType.PROMOTE_REQUEST).request(replica, timeout, null);
    }

    /**
     * @param primary the primary's address.
     * @param timeout how long to wait for it.
     * @param secret  the primary's secret, or {@link Secret#NONE} for a primary that runs without one.
     * @return the status JSON document.
     * @throws FerryException CONNECTION if the primary cannot be reached in time, AUTHENTICATION if it requires another
     *                        secret (or is not the primary it claims to be), PROTOCOL for a malformed answer.
     */
    public static String requestJson(final InetSocketAddress primary, final Duration timeout, final Secret secret)
    {
        return requestJson(primary, timeout, secret, null);
    }

    /**
     * @param primary the primary's address.
     * @param timeout how long to wait for it.
     * @param secret  the primary's secret, or {@link Secret#NONE} for a primary that runs without one.
     * @param tls     the client's TLS settings ({@code ca}, and a certificate if the primary requires one), or null for a
     *                plaintext port.
     * @return the status JSON document.
     * @throws FerryException CONNECTION if the primary cannot be reached in time, AUTHENTICATION if it requires another
     *                        secret (or is not the primary it claims to be), CONFIGURATION for a TLS failure or the
     *                        other mode, PROTOCOL for a malformed answer.
     */
    public static String requestJson(
        final InetSocketAddress primary, final Duration timeout, final Secret secret, final TlsConfig tls)
    {
        return new StatusClient(secret, MessageType.STATUS_REQUEST).request(primary, timeout,
            tls == null ? null : TlsFactory.client(tls));
    }

    private String request(final InetSocketAddress primary, final Duration timeout, final TlsFactory tls)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open())
        {
            channel.socket().connect(primary, (int)Math.max(1, timeout.toMillis()));
            final Transport transport = tls == null ? new PlainTransport(channel) :
                tls.connect(channel, primary.getHostString());
            try (FrameConnection link = new FrameConnection(transport, MAX_FRAME_BYTES, 4096))
            {
                connection = link;
                final long claim = link.claim(dev.ferry.net.message.HelloFlyweight.MAX_LENGTH); // the longest first frame
                final int length = first.write(link.sendBuffer(), claim, handshake.reset());
                handshake.sent(requestType, link.sendBuffer(), claim, length);
                link.commit(length);
                while (!done)
                {
                    link.flush();
                    final int got = link.receive(this::onFrame, 16);
                    if (got == 0 && System.nanoTime() > deadline)
                    {
                        throw new FerryException(ErrorCode.CONNECTION, "no answer from " + Endpoint.format(primary) +
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
        return document.toString(StandardCharsets.UTF_8);
    }

    private void onFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        switch (type)
        {
            case CHALLENGE -> handshake.onChallenge(buffer, offset, length, connection);
            case STATUS_RESPONSE -> onPart(buffer, offset, length);
            case WELCOME ->
            {
                if (requestType != MessageType.HELLO)
                {
                    throw new FerryException(ErrorCode.PROTOCOL, "expected CHALLENGE or STATUS_RESPONSE, got " + type);
                }
                handshake.verify(type, buffer, offset, length, "WELCOME from " + connection.remoteAddress());
                done = true; // accepted: nothing more to learn (the connection closes)
            }
            case ERROR -> throw handshake.refusal(buffer, offset, length, connection.remoteAddress());
            default -> throw new FerryException(ErrorCode.PROTOCOL, "expected CHALLENGE or STATUS_RESPONSE, got " + type);
        }
    }

    private void onPart(final MemorySegment buffer, final long offset, final int length)
    {
        response.decode(buffer, offset, length);
        handshake.verify(MessageType.STATUS_RESPONSE, buffer, offset, length,
            "STATUS_RESPONSE from " + connection.remoteAddress());
        if (response.part() != nextPart || (nextPart > 0 && response.parts() != parts))
        {
            throw new FerryException(ErrorCode.PROTOCOL, "status part " + response.part() + "/" + response.parts() +
                " came where part " + nextPart + (nextPart > 0 ? "/" + parts : "") + " was expected");
        }
        if ((long)document.size() + response.jsonLength() > MAX_DOCUMENT_BYTES)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "status document larger than " + MAX_DOCUMENT_BYTES + " bytes");
        }
        final byte[] part = new byte[(int)response.jsonLength()];
        MemorySegment.copy(buffer, response.jsonOffset(), MemorySegment.ofArray(part), 0, part.length);
        document.write(part, 0, part.length);
        parts = response.parts();
        nextPart++;
        done = nextPart == parts;
    }
}
