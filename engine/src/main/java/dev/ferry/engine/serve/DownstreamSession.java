package dev.ferry.engine.serve;

import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.handshake.ReplicaHello;
import dev.ferry.engine.handshake.Resume;
import dev.ferry.engine.handshake.ResumeDecision;
import dev.ferry.engine.handshake.ServingLog;
import dev.ferry.engine.history.History;
import dev.ferry.engine.status.StatusJson;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.FrameHandler;
import dev.ferry.net.message.AckFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.HeartbeatFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.NackFlyweight;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
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
import java.nio.charset.StandardCharsets;
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
        AWAIT_HELLO, STREAMING, CLOSING
    }

    private final Serving serving;
    private final Sessions sessions;
    private final PrimaryConfig config;
    private final Wal wal;
    private final FrameConnection connection;
    private final long createdNs;
    private final Arena arena = Arenas.ofConfined(); // counted: tests check every arena is closed
    private final BatchEncoder encoder;
    private final HelloFlyweight hello = new HelloFlyweight();
    private final WelcomeFlyweight welcome = new WelcomeFlyweight();
    private final AckFlyweight ack = new AckFlyweight();
    private final NackFlyweight nack = new NackFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final FrameHandler onFrame = this::onFrame;
    private final CursorBatcher batcher;

    private final InFlightBatches inFlight = new InFlightBatches(RING);
    private final InFlightBatches.Retired retired = this::retired;
    private long ackWallNs;

    private Phase phase = Phase.AWAIT_HELLO;
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

    DownstreamSession(final Serving serving, final Sessions sessions, final FrameConnection connection, final long nowNs)
    {
        this.serving = serving;
        this.sessions = sessions;
        this.config = serving.config();
        this.wal = serving.wal();
        this.connection = connection;
        this.createdNs = nowNs;
        this.encoder = new BatchEncoder(config.maxFrameBytes());
        this.batcher = new CursorBatcher(config.maxBatchBytes());
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
        if (phase != Phase.CLOSING)
        {
            work += connection.receive(onFrame, MAX_FRAMES_PER_CYCLE);
        }
        switch (phase)
        {
            case AWAIT_HELLO ->
            {
                if (nowNs - createdNs > config.handshakeTimeoutNs())
                {
                    fail(ErrorCode.PROTOCOL, "no HELLO within " + TimeUnit.NANOSECONDS.toMillis(config.handshakeTimeoutNs()) + " ms");
                }
            }
            case STREAMING ->
            {
                work += sendBatches(nowNs);
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
        work += connection.flush() > 0 ? 1 : 0;
        if (phase == Phase.CLOSING && (connection.pendingBytes() == 0 || nowNs > closeDeadlineNs))
        {
            close(); // the ERROR (or STATUS_RESPONSE) went out, or the peer stopped reading
            work++;
        }
        return work;
    }

    private void onFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        if (phase == Phase.AWAIT_HELLO)
        {
            switch (type)
            {
                case HELLO -> onHello(buffer, offset, length);
                case STATUS_REQUEST -> onStatusRequest();
                default -> fail(ErrorCode.PROTOCOL, "expected HELLO or STATUS_REQUEST, got " + type);
            }
        }
        else if (phase == Phase.STREAMING)
        {
            switch (type)
            {
                case ACK -> onAck(buffer, offset, length);
                case NACK -> onNack(buffer, offset, length);
                case HEARTBEAT ->
                {
                    heartbeat.decode(buffer, offset, length);
                    slot.onHeartbeat(System.nanoTime());
                }
                case ERROR ->
                {
                    error.decode(buffer, offset, length);
                    serving.log().log("replica " + replicaId + " reported " + error.code() + ": " + error.message());
                    closing();
                }
                default -> fail(ErrorCode.PROTOCOL, "unexpected " + type + " from replica " + replicaId);
            }
        }
    }

    private void onHello(final MemorySegment buffer, final long offset, final int length)
    {
        hello.decode(buffer, offset, length);
        final String id = hello.replicaId();
        try
        {
            serving.auth().verifyHello(hello);
        }
        catch (final FerryException ex)
        {
            fail(ex.code(), "replica " + id + ": " + ex.detail());
            return;
        }
        final long replicasLast = hello.emptyWal() || hello.nextOffset() == 0 ? -1 : wal.fingerprint(hello.nextOffset() - 1);
        final ResumeDecision decision = Resume.decide(ReplicaHello.of(hello),
            new ServingLog(FrameHeader.VERSION, serving.history(), wal.oldestOffset(), wal.nextOffset(), replicasLast));
        switch (decision)
        {
            case ResumeDecision.Refuse refuse -> fail(refuse.code(), refuse.reason());
            case ResumeDecision.Stream stream -> stream(id, stream.fromOffset());
        }
    }

    private void stream(final String id, final long start)
    {
        sessions.replaceOlderSession(this, id);
        replicaId = id;
        cursor = wal.cursor(cursorName(id));
        final SeekResult seek = cursor.seek(start);
        if (seek != SeekResult.FOUND && seek != SeekResult.CAUGHT_UP)
        {
            // decided against the same WAL bounds on this thread (retention runs here too): a bug if it happens
            fail(ErrorCode.INTERNAL, "replica " + id + ": offset " + start + " was decided streamable but seeks " + seek);
            return;
        }
        final History history = serving.history();
        final Codec codec = config.codec() != Codec.NONE && hello.supportsCodec(config.codec()) ? config.codec() : Codec.NONE;
        if (codec != Codec.NONE)
        {
            compressor = Compressors.of(codec, config.zstdLevel());
            scratch = arena.allocate(BatchEncoder.scratchLength(compressor, config.maxFrameBytes()), 64);
        }
        final long claim = connection.claim(WelcomeFlyweight.LENGTH);
        welcome.wrap(connection.sendBuffer(), claim)
            .codec(codec)
            .mode(WelcomeFlyweight.Mode.STREAM)
            .maxFrameBytes(config.maxFrameBytes())
            .startOffset(start)
            .headOffset(wal.nextOffset())
            .epoch(history.epoch())
            .historyIdHi(history.id().getMostSignificantBits())
            .historyIdLo(history.id().getLeastSignificantBits());
        serving.auth().signWelcome(welcome, hello.copyNonceTo(new byte[HelloFlyweight.NONCE_LENGTH]));
        connection.commit(welcome.seal());
        slot = serving.slots().slot(id);
        slot.connected(connection.remoteAddress(), SlotState.STREAMING);
        slot.syncs(!hello.noSync());
        slot.resumeAt(start);
        phase = Phase.STREAMING;
        serving.log().log("replica " + id + " connected from " + connection.remoteAddress() + ", streaming from offset " + start +
            " (" + codec.name().toLowerCase(java.util.Locale.ROOT) + (hello.noSync() ?
            "; it never syncs: its durable offset will not advance" : "") + ")");
    }

    private void onStatusRequest()
    {
        final String json = StatusJson.write(serving.status().get());
        final long length = StatusResponseFlyweight.length(json.getBytes(StandardCharsets.UTF_8).length);
        final long claim = length <= config.maxFrameBytes() ? connection.claim((int)length) : -1;
        if (claim < 0)
        {
            fail(ErrorCode.OVERLOADED, "status of " + length + " bytes does not fit in a frame");
            return;
        }
        connection.commit(new StatusResponseFlyweight().encode(connection.sendBuffer(), claim, json, config.maxFrameBytes()));
        closing();
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
            fail(seek == SeekResult.TOO_OLD ? ErrorCode.RETENTION : ErrorCode.DIVERGED,
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
            final int count = batcher.fill(cursor, encoder);
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
        serving.log().log("closing " + (replicaId == null ? "connection" : "replica " + replicaId) + " from " +
            connection.remoteAddress() + ": " + failure.getMessage());
        final long claim = connection.claim(ErrorFlyweight.MAX_LENGTH);
        if (claim >= 0)
        {
            connection.commit(error.encode(connection.sendBuffer(), claim, code, message));
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
        arena.close();
    }
}
