package dev.ferry.engine.serve;

import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.handshake.ReplicaHello;
import dev.ferry.engine.handshake.Resume;
import dev.ferry.engine.handshake.ResumeDecision;
import dev.ferry.engine.handshake.ServingLog;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.FrameHandler;
import dev.ferry.net.message.AckFlyweight;
import dev.ferry.net.message.AuditRequestFlyweight;
import dev.ferry.net.message.AuditResponseFlyweight;
import dev.ferry.net.message.AuthFlyweight;
import dev.ferry.net.message.ChallengeFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.HeartbeatFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.HoldSlotRequestFlyweight;
import dev.ferry.net.message.NackFlyweight;
import dev.ferry.net.message.StatusRequestFlyweight;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.net.tls.TlsTransport;
import dev.ferry.wal.Arenas;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import dev.ferry.wal.frame.BatchEncoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One replica connection on the primary, run as a duty cycle by the {@link ServeAgent}: handshake, then batches
 * read zero-copy from the replica's named cursor into the send buffer (one copy, optionally compressed), ACKs in,
 * heartbeats both ways. Its buffering is the connection's bounded send buffer: a slow replica stops being read for,
 * it never blocks appends or other replicas.
 */
final class DownstreamSession implements AutoCloseable
{
    private static final int RING = 4096;
    private static final int MAX_FRAMES_PER_CYCLE = 64;
    private static final int MAX_BATCHES_PER_CYCLE = 8;
    private static final long CLOSE_GRACE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final String CURSOR_PREFIX = "replica-";
    /** The largest STATUS_RESPONSE part: what a status client reads before it trusts anything. */
    static final int STATUS_FRAME_BYTES = 64 * 1024;
    /** The receive buffer of an authenticated replica: its frames are small, but many ACKs may wait at once. */
    private static final int RECEIVE_BYTES = 64 * 1024;

    /**
     * @param replicaId a valid replica id.
     * @return the name of the WAL cursor (named tailer) that holds the replica's position on the primary; every valid
     *         id gives a valid name ({@link Wal#MAX_CURSOR_NAME_LENGTH} leaves room for the prefix).
     */
    static String cursorName(final String replicaId)
    {
        return CURSOR_PREFIX + replicaId;
    }

    private enum Phase
    {
        /** Waiting for the client's first frame: HELLO, STATUS_REQUEST, DROP_SLOT_REQUEST or HOLD_SLOT_REQUEST. */
        AWAIT_FIRST,
        /** CHALLENGE sent; waiting for the client's AUTH. */
        AWAIT_AUTH,
        /** Authenticated status client: sending the status document's parts as it is computed and the socket drains. */
        STATUS,
        /** WELCOME mode SNAPSHOT sent: sending the snapshot's chunks, then its end, then streaming from its offset. */
        SNAPSHOT,
        STREAMING,
        CLOSING
    }

    private final Serving serving;
    private final Sessions sessions;
    private final PrimaryConfig config;
    private final Wal wal;
    private final FrameConnection connection;
    private final long createdNs;
    private final String hostKey;
    private long statusSinceNs;
    private final Arena arena = Arenas.ofConfined(); // counted: tests check every arena is closed
    private BatchEncoder encoder;
    private final HelloFlyweight hello = new HelloFlyweight();
    private final WelcomeFlyweight welcome = new WelcomeFlyweight();
    private final AckFlyweight ack = new AckFlyweight();
    private final NackFlyweight nack = new NackFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final ChallengeFlyweight challenge = new ChallengeFlyweight();
    private final AuthFlyweight auth = new AuthFlyweight();
    private final StatusRequestFlyweight statusRequest = new StatusRequestFlyweight();
    private final StatusRequestFlyweight promoteRequest = new StatusRequestFlyweight(MessageType.PROMOTE_REQUEST);
    private final dev.ferry.net.message.DropSlotRequestFlyweight dropSlot =
        new dev.ferry.net.message.DropSlotRequestFlyweight();
    private final HoldSlotRequestFlyweight holdSlot = new HoldSlotRequestFlyweight();
    private final AuditRequestFlyweight auditRequest = new AuditRequestFlyweight();
    private final AuditResponseFlyweight auditResponse = new AuditResponseFlyweight();
    private ReplicaAudit audit; // while streaming, when the audit is on
    private final StatusResponseFlyweight statusResponse = new StatusResponseFlyweight();
    private final byte[] first = new byte[HelloFlyweight.MAX_LENGTH]; // the client's first frame, as its proof covers it
    private final MemorySegment firstFrame = MemorySegment.ofArray(first);
    private final byte[] clientNonce = new byte[HelloFlyweight.NONCE_LENGTH];
    private final byte[] serverNonce = new byte[HelloFlyweight.NONCE_LENGTH];
    private final byte[] proof = new byte[HelloFlyweight.PROOF_LENGTH];
    private MessageType firstType;
    private int firstLength;
    private boolean authenticated;
    private CompletableFuture<byte[]> statusDocument;
    private int statusPart;
    private int statusFrom;
    private final FrameHandler onFrame = this::onFrame;
    private CursorBatcher batcher;

    private SnapshotShipment shipment; // while a snapshot is sent
    private InFlightBatches inFlight; // from the WELCOME on: a stranger costs none of it
    private final InFlightBatches.Retired retired = this::retired;
    private long ackWallNs;

    private Phase phase = Phase.AWAIT_FIRST;
    private String replicaId;
    private ReplicaSlot slot;
    private WalCursor cursor;
    private Compressor compressor;
    private MemorySegment scratch;
    private long lastSendNs;
    private long lastLagUpdateNs;
    private long closeDeadlineNs;
    private long verifyUntil = -1; // entries below it are CRC-checked before they are sent again
    private long entriesSent;
    private long entryBytesSent;
    private FerryException failure;
    private boolean closed;
    private boolean handedOff;
    private boolean awaitingPromotion;
    private dev.ferry.net.auth.HandshakeAuth signer; // the node's, until a promotion takes the connection

    DownstreamSession(final Serving serving, final Sessions sessions, final FrameConnection connection, final long nowNs)
    {
        this.serving = serving;
        this.sessions = sessions;
        this.config = serving.config();
        this.wal = serving.wal();
        this.connection = connection;
        this.createdNs = nowNs;
        this.hostKey = hostKey(connection);
        this.signer = serving.auth();
    }

    /**
     * @return whether the client has not authenticated yet: its connection is a pending handshake, bounded in number
     *         and time by the agent.
     */
    boolean pending()
    {
        return phase == Phase.AWAIT_FIRST || phase == Phase.AWAIT_AUTH;
    }

    /**
     * @return {@link System#nanoTime()} when the connection was accepted.
     */
    long createdNs()
    {
        return createdNs;
    }

    /**
     * @return the peer's host as pending handshakes are bounded per host: an IPv4 address, or an IPv6 address's /64
     *         (one machine commonly has a whole /64).
     */
    String hostKey()
    {
        return hostKey;
    }

    private static String hostKey(final FrameConnection connection)
    {
        try
        {
            if (connection.channel().getRemoteAddress() instanceof InetSocketAddress address && address.getAddress() != null)
            {
                final byte[] bytes = address.getAddress().getAddress();
                return bytes.length == 16 ? HexFormat.of().formatHex(bytes, 0, 8) + "::/64" : address.getAddress().getHostAddress();
            }
        }
        catch (final IOException ignore)
        {
            // closed already: any key will do, it is about to go
        }
        return connection.remoteAddress();
    }

    String replicaId()
    {
        return replicaId;
    }

    String remoteAddress()
    {
        return connection.remoteAddress();
    }

    /**
     * @return bytes committed to the send buffer but not yet written to the socket.
     */
    int pendingBytes()
    {
        return connection.pendingBytes();
    }

    /**
     * @return whether input waits that the socket will not signal again (a whole frame, or TLS-decrypted bytes).
     */
    boolean hasBufferedInput()
    {
        return connection.hasBufferedInput();
    }

    boolean isClosed()
    {
        return closed;
    }

    FerryException failure()
    {
        return failure;
    }

    /**
     * @return work done (frames handled, batches sent, bytes flushed).
     */
    int doWork(final long nowNs) throws IOException
    {
        int work = 0;
        if (phase != Phase.CLOSING && !awaitingPromotion)
        {
            try
            {
                work += connection.receive(onFrame, MAX_FRAMES_PER_CYCLE);
                if (awaitingPromotion)
                {
                    return work; // handed to the promotion, which answers from its own thread
                }
            }
            catch (final FerryException ex)
            {
                if (phase != Phase.AWAIT_FIRST || !wrongMode(ex))
                {
                    throw ex;
                }
                return 1;
            }
        }
        switch (phase)
        {
            case AWAIT_FIRST, AWAIT_AUTH ->
            {
                if (nowNs - createdNs > config.handshakeTimeoutNs())
                {
                    fail(ErrorCode.PROTOCOL, (phase == Phase.AWAIT_FIRST ? "no HELLO or STATUS_REQUEST" : "no AUTH") +
                        " within " + TimeUnit.NANOSECONDS.toMillis(config.handshakeTimeoutNs()) + " ms");
                }
            }
            case STATUS ->
            {
                work += sendStatus();
                if (phase == Phase.STATUS && nowNs - statusSinceNs > config.replicaTimeoutNs())
                {
                    close(); // a status client that does not read holds its buffers no longer than a silent replica
                }
            }
            case SNAPSHOT -> work += sendSnapshot(nowNs);
            case STREAMING ->
            {
                work += sendBatches(nowNs);
                work += sendAuditRequest(nowNs);
                if (nowNs - connection.lastReceiveNs() > config.replicaTimeoutNs())
                {
                    fail(ErrorCode.CONNECTION, "replica " + replicaId + " silent for " +
                        TimeUnit.NANOSECONDS.toMillis(nowNs - connection.lastReceiveNs()) + " ms");
                }
                else if (nowNs - lastSendNs > config.heartbeatIntervalNs())
                {
                    sendHeartbeat(nowNs);
                }
                if (nowNs - lastLagUpdateNs > config.heartbeatIntervalNs())
                {
                    updateLag();
                    lastLagUpdateNs = nowNs;
                }
            }
            case CLOSING ->
            {
            }
            default -> throw new IllegalStateException(String.valueOf(phase));
        }
        try
        {
            work += connection.flush() > 0 ? 1 : 0;
        }
        catch (final IOException | FerryException ex)
        {
            if (phase != Phase.CLOSING)
            {
                throw ex;
            }
            close(); // the last ERROR cannot go out (the peer left, or the TLS link failed): nothing more to say
            return work + 1;
        }
        if (phase == Phase.CLOSING && (connection.pendingBytes() == 0 || nowNs > closeDeadlineNs))
        {
            close(); // the ERROR (or STATUS_RESPONSE) went out, or the peer stopped reading
            work++;
        }
        return work;
    }

    private void onFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        if (awaitingPromotion)
        {
            return; // the client sends nothing more; whatever it sent is not this node's business now
        }
        if (phase == Phase.AWAIT_FIRST)
        {
            switch (type)
            {
                case HELLO -> challenge(type, buffer, offset, length,
                    hello.decode(buffer, offset, length).copyNonceTo(clientNonce));
                case STATUS_REQUEST -> challenge(type, buffer, offset, length,
                    statusRequest.decode(buffer, offset, length).copyNonceTo(clientNonce));
                case DROP_SLOT_REQUEST -> challenge(type, buffer, offset, length,
                    dropSlot.decode(buffer, offset, length).copyNonceTo(clientNonce));
                case HOLD_SLOT_REQUEST -> challenge(type, buffer, offset, length,
                    holdSlot.decode(buffer, offset, length).copyNonceTo(clientNonce));
                case PROMOTE_REQUEST -> challenge(type, buffer, offset, length,
                    promoteRequest.decode(buffer, offset, length).copyNonceTo(clientNonce));
                default -> fail(ErrorCode.PROTOCOL, "expected HELLO, STATUS_REQUEST, DROP_SLOT_REQUEST, " +
                    "HOLD_SLOT_REQUEST or PROMOTE_REQUEST, got " + type);
            }
        }
        else if (phase == Phase.AWAIT_AUTH)
        {
            if (type == MessageType.AUTH)
            {
                onAuth(buffer, offset, length);
            }
            else
            {
                fail(ErrorCode.PROTOCOL, "expected AUTH, got " + type);
            }
        }
        else if (phase == Phase.SNAPSHOT)
        {
            switch (type)
            {
                case HEARTBEAT ->
                {
                    heartbeat.decode(buffer, offset, length);
                    slot.onHeartbeat(System.nanoTime());
                }
                case ERROR -> onReplicaError(buffer, offset, length);
                default -> fail(ErrorCode.PROTOCOL, "unexpected " + type + " from replica " + replicaId +
                    " while a snapshot is sent to it");
            }
        }
        else if (phase == Phase.STREAMING)
        {
            switch (type)
            {
                case ACK -> onAck(buffer, offset, length);
                case NACK -> onNack(buffer, offset, length);
                case AUDIT_RESPONSE -> onAuditResponse(buffer, offset, length);
                case HEARTBEAT ->
                {
                    heartbeat.decode(buffer, offset, length);
                    slot.onHeartbeat(System.nanoTime());
                }
                case ERROR -> onReplicaError(buffer, offset, length);
                default -> fail(ErrorCode.PROTOCOL, "unexpected " + type + " from replica " + replicaId);
            }
        }
    }

    private void onReplicaError(final MemorySegment buffer, final long offset, final int length)
    {
        error.decode(buffer, offset, length);
        serving.log().log("replica " + replicaId + " reported " + error.code() + ": " + error.printableMessage());
        closing();
    }

    /**
     * A client in the other mode than this port's: a TLS client on a plaintext port is told so in a plaintext ERROR;
     * a plaintext client on a TLS port was told so by the transport, which cannot write anything more.
     *
     * @return whether {@code ex} was that, and the session is closing.
     */
    private boolean wrongMode(final FerryException ex)
    {
        if (connection.transport() instanceof TlsTransport)
        {
            if (ex.code() != ErrorCode.CONFIGURATION)
            {
                return false;
            }
            sessions.strangerRefused("closing connection from " + connection.remoteAddress() + ": " + ex.getMessage());
            close();
            return true;
        }
        if (!connection.peerSentTls())
        {
            return false;
        }
        fail(ErrorCode.CONFIGURATION, "a TLS client connected to this plaintext port: start the primary with " +
            "--tls-cert and --tls-key, or the client without --tls-ca");
        return true;
    }

    /**
     * Keep the client's first frame (its proof will cover it) and answer with this session's nonce.
     */
    private void challenge(
        final MessageType type, final MemorySegment buffer, final long offset, final int length, final byte[] nonce)
    {
        MemorySegment.copy(buffer, offset, firstFrame, 0, length);
        firstType = type;
        firstLength = length;
        final long claim = connection.claim(ChallengeFlyweight.LENGTH);
        connection.commit(challenge.encode(connection.sendBuffer(), claim, serving.auth().nextNonce(serverNonce)));
        phase = Phase.AWAIT_AUTH;
    }

    /**
     * Verify the client's proof; only then does anything it asked for happen: a slot, a displaced session, entries, a
     * status.
     */
    private void onAuth(final MemorySegment buffer, final long offset, final int length)
    {
        auth.decode(buffer, offset, length).copyProofTo(proof);
        final String who = firstType == MessageType.HELLO ?
            "replica '" + hello.wrap(firstFrame, 0).replicaId() + "' from " + connection.remoteAddress() :
            "status client " + connection.remoteAddress();
        try
        {
            serving.auth().verifyClientProof(firstType, firstFrame, 0, firstLength, serverNonce, proof, who);
        }
        catch (final FerryException ex)
        {
            fail(ex.code(), ex.detail());
            return;
        }
        authenticated = true;
        try
        {
            // proven: now it gets buffers for streaming (a stranger had 4 KiB each way)
            connection.grow(RECEIVE_BYTES, firstType == MessageType.HELLO ? config.sendBufferBytes() : 2 * STATUS_FRAME_BYTES);
        }
        catch (final OutOfMemoryError ex)
        {
            fail(ErrorCode.OVERLOADED, "no memory for the connection's buffers: " + ex.getMessage());
            return;
        }
        if (firstType == MessageType.HELLO)
        {
            onHello();
        }
        else if (firstType == MessageType.DROP_SLOT_REQUEST)
        {
            answer(() -> sessions.dropSlot(dropSlot.wrap(firstFrame, 0).slotId()));
        }
        else if (firstType == MessageType.HOLD_SLOT_REQUEST)
        {
            holdSlot.wrap(firstFrame, 0);
            answer(() -> sessions.holdSlot(holdSlot.slotId(), holdSlot.nextOffset()));
        }
        else if (firstType == MessageType.PROMOTE_REQUEST)
        {
            onPromoteRequest();
        }
        else
        {
            statusDocument = serving.status().request();
            statusSinceNs = System.nanoTime();
            phase = Phase.STATUS;
        }
    }

    /**
     * Answer a proven slot request with one document, as a status client is answered, or fail with the refusal.
     *
     * @param request does what was asked and returns the answer's JSON document.
     */
    private void answer(final java.util.function.Supplier<String> request)
    {
        try
        {
            statusDocument = CompletableFuture.completedFuture(
                request.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        catch (final FerryException ex)
        {
            fail(ex.code(), ex.getMessage());
            return;
        }
        statusSinceNs = System.nanoTime();
        phase = Phase.STATUS;
    }

    /**
     * A proven PROMOTE_REQUEST: a primary says it is one already; a replica's serving side hands this connection to
     * the replica's promotion, which answers it from its own thread once the replica is a primary (this thread stops
     * with the replica).
     */
    private void onPromoteRequest()
    {
        final Cascading cascading = serving.cascading();
        if (cascading == null)
        {
            fail(ErrorCode.CONFIGURATION, "this node is a primary already (epoch " + serving.history().epoch() +
                "): `ferry promote --replica` takes a replica's --serve address");
            return;
        }
        handedOff = true;
        awaitingPromotion = true;
        signer = new dev.ferry.net.auth.HandshakeAuth(config.secret()); // its answer is signed on another thread
        arena.close(); // confined to this thread, and unused by a promotion's answer
        serving.log().log("promote request from " + connection.remoteAddress() + ", authenticated: promoting");
        cascading.promote().accept(new PromoteRequest(this));
    }

    /**
     * @return whether a promotion took this connection: the agent forgets it without closing it.
     */
    boolean handedOff()
    {
        return handedOff;
    }

    /**
     * Answer a handed-off PROMOTE_REQUEST with the promotion's result, on the promoting thread, then close: the
     * document as a status client gets one, or the refusal, signed either way.
     *
     * @param json     the answer, or null if {@code failure} is set.
     * @param failure  why the promotion failed, or null.
     * @param timeoutNs how long the client may take to read it.
     */
    void answerPromotion(final String json, final FerryException failure, final long timeoutNs)
    {
        awaitingPromotion = false;
        if (failure != null)
        {
            fail(failure.code(), failure.detail());
        }
        else
        {
            answer(() -> json);
        }
        final long deadlineNs = System.nanoTime() + timeoutNs;
        try
        {
            while (!closed && System.nanoTime() - deadlineNs < 0)
            {
                if (doWork(System.nanoTime()) == 0)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            serving.log().log("could not answer the promote request from " + connection.remoteAddress() + ": " + ex);
        }
        finally
        {
            close();
        }
    }

    private void onHello()
    {
        hello.wrap(firstFrame, 0);
        final String id = hello.replicaId();
        if (serving.history() == null)
        {
            fail(ErrorCode.CONNECTION, "this replica serves its WAL once it follows its upstream " +
                Endpoint.format(serving.cascading().upstream()) + ", and it does not yet (it holds no history): retry");
            return;
        }
        if (serving.cascading() != null && !hello.emptyWal() && hello.nextOffset() > wal.nextOffset() &&
            hello.epoch() == serving.history().epoch() &&
            new java.util.UUID(hello.historyIdHi(), hello.historyIdLo()).equals(serving.history().id()))
        {
            // a replica of this one's history and epoch that is ahead of it: this one has not received that far yet
            // (it restarted with a shorter tail, or was resynced); once it has, the chain check decides
            fail(ErrorCode.CONNECTION, "replica " + id + " asks for offset " + hello.nextOffset() + ", and this " +
                "replica (which follows " + Endpoint.format(serving.cascading().upstream()) + ") holds up to " +
                wal.nextOffset() + " of the same epoch: it has not received that far yet; retry");
            return;
        }
        final long replicasChain = hello.emptyWal() ? -1 : wal.chainBefore(hello.nextOffset());
        final ReplicaHello replica = ReplicaHello.of(hello);
        final ResumeDecision decision = Resume.decide(replica, new ServingLog(FrameHeader.VERSION, serving.history(),
            wal.oldestOffset(), wal.nextOffset(), replicasChain, sessions.applier() != null));
        switch (decision)
        {
            case ResumeDecision.Refuse refuse ->
            {
                if (refuse.code() == ErrorCode.FENCED && serving.cascading() != null)
                {
                    // a replica is not fenced: it learns the newer epoch from its upstream, then serves it
                    fail(ErrorCode.CONNECTION, "replica " + id + " is at epoch " + replica.epoch() + ", this replica " +
                        "(which follows " + Endpoint.format(serving.cascading().upstream()) + ") at " +
                        serving.history().epoch() + ": it has not learned the newer epoch from its upstream yet; retry");
                    return;
                }
                if (refuse.code() == ErrorCode.FENCED && serving.fence().fence(replica.epoch()))
                {
                    serving.log().log("FENCED: replica " + id + " has seen epoch " + replica.epoch() + " of this " +
                        "history; this node (epoch " + serving.history().epoch() + ") was superseded by a promotion " +
                        "and refuses appends from now on (restart it as a replica of the new primary to rejoin)");
                }
                fail(refuse.code(), refuse.reason());
            }
            case ResumeDecision.Stream stream -> stream(id, stream.fromOffset(), WelcomeFlyweight.Mode.STREAM);
            case ResumeDecision.Truncate truncate ->
            {
                serving.log().log("replica " + id + " diverged: " + truncate.reason() + "; it truncates to offset " +
                    truncate.fromOffset());
                stream(id, truncate.fromOffset(), WelcomeFlyweight.Mode.TRUNCATE);
            }
            case ResumeDecision.Snapshot snapshot -> snapshot(id, replica.partial(), snapshot.reason());
        }
    }

    /**
     * What streaming and a snapshot both need once the replica is accepted: it replaces an older connection of its
     * id, and gets the session's codec.
     *
     * @return the codec agreed.
     */
    private Codec accept(final String id)
    {
        encoder = new BatchEncoder(config.maxFrameBytes());
        batcher = new CursorBatcher(config.maxBatchBytes());
        inFlight = new InFlightBatches(RING);
        sessions.replaceOlderSession(this, id);
        replicaId = id;
        if (serving.slots().find(id) != null)
        {
            serving.counters().reconnect(); // a replica this primary has a slot for: it connects again
        }
        slot = serving.slots().slot(id);
        slot.syncs(!hello.noSync());
        final Codec codec = config.codec() != Codec.NONE && hello.supportsCodec(config.codec()) ? config.codec() : Codec.NONE;
        if (codec != Codec.NONE)
        {
            compressor = Compressors.of(codec, config.zstdLevel());
            scratch = arena.allocate(BatchEncoder.scratchLength(compressor, config.maxFrameBytes()), 64);
        }
        return codec;
    }

    private void stream(final String id, final long start, final WelcomeFlyweight.Mode mode)
    {
        final Codec codec = accept(id);
        if (!streamFrom(start, false))
        {
            return;
        }
        welcome(codec, mode, start);
        serving.log().log("replica " + id + " connected from " + connection.remoteAddress() + ", streaming from offset " + start +
            " (" + codec.name().toLowerCase(java.util.Locale.ROOT) + (hello.noSync() ?
            "; it never syncs: its durable offset will not advance" : "") + ")");
    }

    /**
     * Position the replica's cursor at {@code start} and stream from there.
     *
     * @return false if it could not (the session is failing).
     */
    private boolean streamFrom(final long start, final boolean afterSnapshot)
    {
        cursor = wal.cursor(cursorName(replicaId));
        final SeekResult seek = cursor.seek(start);
        if (seek != SeekResult.FOUND && seek != SeekResult.CAUGHT_UP)
        {
            // decided against the same WAL bounds on this thread (retention runs here too, and a snapshot in flight
            // holds its offset): a bug if it happens
            fail(ErrorCode.INTERNAL, "replica " + replicaId + ": offset " + start + " was decided streamable but seeks " + seek);
            return false;
        }
        if (afterSnapshot)
        {
            slot.snapshotDelivered(); // what it holds counts from its first ACK, once it has loaded the snapshot
        }
        else
        {
            slot.connected(connection.remoteAddress(), SlotState.STREAMING);
            slot.resumeAt(start); // it said it holds everything below
        }
        phase = Phase.STREAMING;
        if (config.auditEntriesPerSec() > 0)
        {
            audit = new ReplicaAudit(new AuditPacer(config.auditEntriesPerSec(), System.nanoTime()), slot.audit());
        }
        return true;
    }

    private void welcome(final Codec codec, final WelcomeFlyweight.Mode mode, final long start)
    {
        final History history = serving.history();
        final long claim = connection.claim(WelcomeFlyweight.LENGTH);
        final MemorySegment out = connection.sendBuffer();
        welcome.wrap(out, claim)
            .codec(codec)
            .mode(mode)
            .maxFrameBytes(config.maxFrameBytes())
            .startOffset(start)
            .headOffset(wal.nextOffset())
            .epoch(history.epoch())
            .historyIdHi(history.id().getMostSignificantBits())
            .historyIdLo(history.id().getLeastSignificantBits())
            .chainBefore(chainBefore(start))
            .epochStartOffset(history.current().startOffset())
            .epochNode(history.current().node());
        signer.signFrame(MessageType.WELCOME, out, claim, WelcomeFlyweight.LENGTH, clientNonce, serverNonce);
        connection.commit(welcome.seal());
    }

    /**
     * @return this node's chained checksum before {@code offset}: from the WAL, or for a snapshot's offset the WAL no
     *         longer reaches, the chain its snapshot file carries; -1 if neither knows it.
     */
    private long chainBefore(final long offset)
    {
        final long chain = wal.chainBefore(offset);
        return chain >= 0 ? chain : new StateStore(wal.directory()).chainBefore(offset);
    }

    /**
     * Bring the replica back by a snapshot: the one it holds part of, if this node still has it and the WAL after it;
     * else the newest (one is saved now if there is none). {@code WELCOME} mode SNAPSHOT, then its chunks as the
     * socket drains, then streaming from its offset.
     */
    private void snapshot(final String id, final ReplicaHello.PartialSnapshot partial, final String reason)
    {
        final Codec codec = accept(id);
        final Applier applier = sessions.applier();
        final StateStore store = new StateStore(wal.directory());
        FileChannel file = null;
        // a replica serving replicas ships no state beyond what it made durable (its snapshots may run ahead of it)
        final long limit = servable();
        try
        {
            long from = 0;
            Path path = null;
            if (partial != null)
            {
                final Path held = store.file(partial.offset());
                if (partial.offset() >= wal.oldestOffset() && partial.offset() <= Math.min(wal.nextOffset(), limit) &&
                    withinCap(partial.offset()) && Files.isRegularFile(held))
                {
                    file = SnapshotShipment.open(held);
                    if (file.size() == partial.totalBytes() && SnapshotShipment.crcOf(held, file) == partial.crc())
                    {
                        path = held;
                        from = partial.bytesHeld();
                    }
                    else
                    {
                        file.close();
                        file = null;
                    }
                }
            }
            if (path == null)
            {
                path = limit == Long.MAX_VALUE ? store.newestFile() : store.newestAtOrBelow(limit, wal.oldestOffset());
                if (path == null || StateStore.offsetOf(path) < wal.oldestOffset() || !withinCap(StateStore.offsetOf(path)))
                {
                    if (applier.appliedOffset() > limit)
                    {
                        fail(ErrorCode.CONNECTION, "replica " + id + " needs a snapshot, and this replica has none " +
                            "within what it made durable (offset " + limit + ") yet: retry");
                        return;
                    }
                    // none yet (a young WAL), or so old that the WAL after it would pass the snapshot cap before the
                    // transfer ends (a resync loop): the state now, on this thread
                    applier.snapshot();
                    path = store.newestFile();
                }
                file = SnapshotShipment.open(path);
            }
            final long offset = StateStore.offsetOf(path);
            final int crc = SnapshotShipment.crcOf(path, file);
            final long nowNs = System.nanoTime();
            shipment = new SnapshotShipment(file, offset, crc, from, compressor, config.maxFrameBytes(),
                config.snapshotRateBytesPerSec(), arena, nowNs);
            file = null;
            welcome(codec, WelcomeFlyweight.Mode.SNAPSHOT, offset);
            slot.connected(connection.remoteAddress(), SlotState.SNAPSHOTTING);
            slot.snapshotStarted(offset, shipment.totalBytes(), from, nowNs);
            phase = Phase.SNAPSHOT;
            serving.log().log("replica " + id + " connected from " + connection.remoteAddress() + ": " + reason +
                "; sending it the snapshot at offset " + offset + " (" + shipment.totalBytes() + " bytes" +
                (from > 0 ? ", resumed from byte " + from : "") + ", " + codec.name().toLowerCase(java.util.Locale.ROOT) +
                "), then streaming from there");
        }
        catch (final IOException | FerryException ex)
        {
            if (file != null)
            {
                try
                {
                    file.close();
                }
                catch (final IOException ignore)
                {
                    // the error below is the one reported
                }
            }
            fail(ErrorCode.STORAGE, "replica " + id + " needs a snapshot (" + reason + ") but none could be read: " +
                ex.getMessage());
        }
    }

    /**
     * @return whether the WAL after {@code offset} is within the snapshot cap (estimated as retention estimates it), so a
     *         transfer of a snapshot at that offset is not given up as soon as it starts.
     */
    private boolean withinCap(final long offset)
    {
        final long cap = config.snapshotCapBytes();
        return cap == 0 || (wal.nextOffset() - offset) * sessions.averageEntryBytes() <= cap / 2;
    }

    /**
     * Chunks as the socket and the rate allow; once the end is out, stream from the snapshot's offset.
     */
    private int sendSnapshot(final long nowNs) throws IOException
    {
        if (nowNs - connection.lastReceiveNs() > config.replicaTimeoutNs())
        {
            fail(ErrorCode.CONNECTION, "replica " + replicaId + " silent for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - connection.lastReceiveNs()) + " ms during its snapshot");
            return 1;
        }
        if (slot.invalidated())
        {
            fail(ErrorCode.OVERLOADED, "replica " + replicaId + " fell more than --snapshot-cap-bytes (" +
                config.snapshotCapBytes() + ") behind while its snapshot was sent; it will take a newer one");
            return 1;
        }
        final int work = shipment.send(connection, nowNs);
        slot.snapshotSent(shipment.sent());
        if (shipment.done())
        {
            final long offset = shipment.offset();
            serving.log().log("replica " + replicaId + ": snapshot at offset " + offset + " sent (" +
                shipment.totalBytes() + " bytes, " + shipment.wireBytes() + " on the wire); streaming from there");
            endShipment();
            streamFrom(offset, true);
            lastSendNs = nowNs;
        }
        return work;
    }

    /**
     * @return whether a snapshot is being sent: the serving thread must not block on its socket's readiness alone
     *         (a throttled transfer waits for time, not for the socket).
     */
    boolean sendingSnapshot()
    {
        return phase == Phase.SNAPSHOT;
    }

    private void endShipment()
    {
        if (shipment != null)
        {
            shipment.close();
            shipment = null;
            slot.snapshotEnded();
        }
    }

    /**
     * Send the status document, once computed (off this thread), in parts of at most a status frame each, as the send
     * buffer has room; then close.
     */
    private int sendStatus()
    {
        if (!statusDocument.isDone())
        {
            return 0;
        }
        final byte[] json = statusDocument.getNow(null);
        if (json == null)
        {
            fail(ErrorCode.INTERNAL, "the status could not be computed");
            return 1;
        }
        final int partBytes = Math.min(config.maxFrameBytes(), STATUS_FRAME_BYTES);
        final int parts = partCount(json, partBytes);
        if (parts > StatusResponseFlyweight.MAX_PARTS)
        {
            fail(ErrorCode.OVERLOADED, "a status of " + json.length + " bytes needs more than " +
                StatusResponseFlyweight.MAX_PARTS + " parts");
            return 1;
        }
        int work = 0;
        while (statusPart < parts)
        {
            final int count = StatusResponseFlyweight.partLength(json, statusFrom, partBytes);
            final int length = (int)StatusResponseFlyweight.length(count);
            final long claim = connection.claim(length);
            if (claim < 0)
            {
                return work; // the client reads slower than the parts come: go on when the socket drained
            }
            final MemorySegment out = connection.sendBuffer();
            statusResponse.part(out, claim, statusPart, parts, json, statusFrom, count);
            signer.signFrame(MessageType.STATUS_RESPONSE, out, claim, length, clientNonce, serverNonce);
            connection.commit(statusResponse.seal());
            statusFrom += count;
            statusPart++;
            work++;
        }
        closing();
        return work;
    }

    private static int partCount(final byte[] json, final int partBytes)
    {
        int parts = 0;
        int from = 0;
        do
        {
            from += StatusResponseFlyweight.partLength(json, from, partBytes);
            parts++;
        }
        while (from < json.length);
        return parts;
    }

    private void onAck(final MemorySegment buffer, final long offset, final int length)
    {
        ack.decode(buffer, offset, length);
        final long received = ack.receivedOffset();
        final long sent = cursor.nextOffset(); // the WAL's head can lag a committed entry by a moment: compare with what was sent
        if (received > sent)
        {
            fail(ErrorCode.PROTOCOL, "replica " + replicaId + " acknowledged received=" + received +
                " but only offsets below " + sent + " were sent");
            return;
        }
        final long nowNs = System.nanoTime();
        slot.onAck(received, ack.durableOffset(), ack.appliedOffset(), nowNs);
        config.ackListener().onAck(replicaId, received, ack.durableOffset(), ack.appliedOffset(), nowNs);
        ackWallNs = config.wal().clockNs().getAsLong();
        inFlight.acknowledged(received, retired);
        serving.slots().signalAcked();
        updateLag();
    }

    private void onNack(final MemorySegment buffer, final long offset, final int length)
    {
        serving.counters().nack();
        nack.decode(buffer, offset, length);
        final long from = nack.resendFrom();
        serving.log().log("replica " + replicaId + " asks to resend from " + from + " (" + nack.reason() + ")");
        if (nack.reason() == ErrorCode.CHECKSUM)
        {
            // damaged on the wire, or in this WAL? the resent entries are checked here, so a corrupt entry is reported
            // instead of being resent forever (on the normal path only the replica checks: the CRC costs ~8 ns a 64 B entry)
            verifyUntil = Math.max(verifyUntil, cursor.nextOffset());
        }
        final SeekResult seek = cursor.seek(from);
        if (seek == SeekResult.TOO_OLD || seek == SeekResult.FUTURE)
        {
            // beyond what was sent is a broken peer (PROTOCOL.md section 7), not a divergence
            fail(seek == SeekResult.TOO_OLD ? ErrorCode.RETENTION : ErrorCode.PROTOCOL,
                "replica " + replicaId + " asks to resend from " + from + ": " + seek);
            return;
        }
        inFlight.clear();
    }

    private int sendBatches(final long nowNs)
    {
        int batches = 0;
        while (batches < MAX_BATCHES_PER_CYCLE && !inFlight.isFull() &&
            connection.claimableBytes() >= config.maxFrameBytes())
        {
            final long claim = connection.claim(config.maxFrameBytes());
            if (claim < 0)
            {
                break;
            }
            encoder.wrap(connection.sendBuffer(), claim, config.maxFrameBytes()).firstOffset(cursor.nextOffset());
            batcher.verifyCrc(cursor.nextOffset() < verifyUntil);
            final long left = servable() - cursor.nextOffset();
            if (left <= 0)
            {
                break; // the claim is not committed: nothing was written
            }
            final int count = batcher.fill(cursor, encoder, (int)Math.min(left, Integer.MAX_VALUE));
            if (count == 0)
            {
                break;
            }
            final int entryBytes = encoder.encodedLength();
            final int length = encoder.commit(compressor, scratch);
            connection.commit(length);
            inFlight.sent(encoder.firstOffset() + count - 1, batcher.firstTimestampNs(), batcher.lastTimestampNs(),
                entryBytes);
            entriesSent += count;
            entryBytesSent += entryBytes;
            serving.slots().sent(count, entryBytes);
            lastSendNs = nowNs;
            batches++;
        }
        return batches;
    }

    /** @return the end of what may be sent: everything a primary holds; what a replica serving replicas made durable. */
    private long servable()
    {
        final Cascading cascading = serving.cascading();
        return cascading == null ? Long.MAX_VALUE : cascading.servable().getAsLong();
    }

    /**
     * The background audit: ask the replica to check the next range at the configured pace, one at a time, below what
     * it made durable (received, for one that never syncs) and what was sent to it.
     */
    private int sendAuditRequest(final long nowNs)
    {
        if (audit == null || connection.claimableBytes() < AuditRequestFlyweight.LENGTH)
        {
            return 0;
        }
        final long end = Math.min(slot.syncs() ? slot.durableOffset() : slot.receivedOffset(), cursor.nextOffset());
        if (!audit.next(nowNs, wal.oldestOffset(), end))
        {
            return 0;
        }
        final long from = audit.pendingFrom();
        final int count = audit.pendingCount();
        final long chainBefore = wal.chainBefore(from);
        final long chainAtLast = wal.chain(from + count - 1);
        final long claim = connection.claim(AuditRequestFlyweight.LENGTH);
        if (chainBefore < 0 || chainAtLast < 0 || claim < 0)
        {
            audit.cancel(); // retention passed it meanwhile: the next pass starts from the oldest
            return 0;
        }
        connection.commit(auditRequest.wrap(connection.sendBuffer(), claim)
            .fromOffset(from)
            .count(count)
            .chainBefore((int)chainBefore)
            .chainAtLast((int)chainAtLast)
            .seal());
        return 1; // not a HEARTBEAT: the replica's view of the head is not held back by it
    }

    private void onAuditResponse(final MemorySegment buffer, final long offset, final int length)
    {
        auditResponse.decode(buffer, offset, length);
        if (audit == null)
        {
            fail(ErrorCode.PROTOCOL, "replica " + replicaId + " sent an AUDIT_RESPONSE but no audit was asked for");
            return;
        }
        final long mismatch = audit.onResponse(auditResponse.fromOffset(), auditResponse.count(),
            auditResponse.result(), auditResponse.atOffset(), System.nanoTime());
        if (mismatch >= 0)
        {
            serving.log().log("replica " + replicaId + " holds different bytes at offset " + mismatch + " (" +
                (auditResponse.result() == AuditResponseFlyweight.Result.DAMAGED
                    ? "its entry does not match its own checksums: a byte changed on its disk"
                    : "its entry and checksums differ from this primary's") +
                "; found by the background audit). Stop it and resync it: move its WAL aside and start it empty");
        }
    }

    private void retired(final long lastTimestampNs)
    {
        slot.recordAckLatency(ackWallNs - lastTimestampNs);
    }

    private void sendHeartbeat(final long nowNs)
    {
        final long claim = connection.claim(HeartbeatFlyweight.LENGTH);
        if (claim >= 0)
        {
            connection.commit(heartbeat.wrap(connection.sendBuffer(), claim)
                .headOffset(wal.nextOffset())
                .timeNs(config.wal().clockNs().getAsLong())
                .seal());
            lastSendNs = nowNs;
        }
    }

    private void updateLag()
    {
        final long head = wal.nextOffset();
        if (slot == null)
        {
            return;
        }
        if (slot.receivedOffset() >= head)
        {
            slot.lag(0, 0);
            return;
        }
        final long wallNs = config.wal().clockNs().getAsLong();
        final long unsent = Math.max(0, head - cursor.nextOffset());
        final long average = entriesSent == 0 ? 0 : entryBytesSent / entriesSent;
        final long oldestTs = inFlight.oldestFirstTimestampNs();
        slot.lag(oldestTs == 0 ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(wallNs - oldestTs)),
            inFlight.bytes() + unsent * average);
    }

    /**
     * Send an ERROR (best effort) and close after it is flushed.
     */
    void fail(final ErrorCode code, final String message)
    {
        if (phase == Phase.CLOSING)
        {
            return;
        }
        failure = new FerryException(code, message);
        serving.counters().error(code);
        final String line = "closing " + (replicaId == null ? "connection" : "replica " + replicaId) + " from " +
            connection.remoteAddress() + ": " + failure.getMessage();
        if (authenticated)
        {
            serving.log().log(line);
        }
        else
        {
            sessions.strangerRefused(line); // a flood of strangers is not a flood of lines
        }
        final long claim = connection.claim(ErrorFlyweight.MAX_LENGTH);
        if (claim >= 0)
        {
            final MemorySegment out = connection.sendBuffer();
            error.wrap(out, claim).code(code).message(message);
            if (authenticated && phase != Phase.STREAMING && phase != Phase.SNAPSHOT)
            {
                // the answer to a proven AUTH: the client knows this refusal is ours and may act on it (stop, resync).
                // Refusals while streaming are not signed: an ACK or NACK that caused one may have been injected on
                // the path (frames after the handshake carry no proof), so the replica retries, and the next
                // handshake decides again, signed.
                signer.signFrame(MessageType.ERROR, out, claim, error.withProof().length(), clientNonce, serverNonce);
            }
            connection.commit(error.seal());
        }
        closing();
    }

    private void closing()
    {
        phase = Phase.CLOSING;
        closeDeadlineNs = System.nanoTime() + CLOSE_GRACE_NS;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        phase = Phase.CLOSING;
        endShipment();
        if (cursor != null)
        {
            cursor.close();
        }
        if (compressor != null)
        {
            compressor.close();
        }
        if (slot != null && sessions.ownsSlot(this, slot.id()))
        {
            slot.state(SlotState.DISCONNECTED);
        }
        connection.close();
        if (!handedOff)
        {
            arena.close();
        }
    }
}
