package dev.ferry.engine.follow;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.FrameHandler;
import dev.ferry.net.auth.ClientHandshake;
import dev.ferry.net.message.AckFlyweight;
import dev.ferry.net.message.AuditRequestFlyweight;
import dev.ferry.net.message.AuditResponseFlyweight;
import dev.ferry.net.message.HeartbeatFlyweight;
import dev.ferry.net.message.NackFlyweight;
import dev.ferry.wal.Arenas;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalPretoucher;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The streaming half of the following side, once the handshake is done: receives batches and heartbeats, writes the
 * entries at the upstream's offsets ({@link BatchAppender}), asks for a resend (NACK) after a gap or a damaged batch,
 * acknowledges received and durable offsets (after a flush under the WAL's sync policy), notices a silent upstream,
 * and pre-touches the WAL's next pages between batches. What outlives a connection (the decoder with its native
 * contexts, the decompression scratch, the pretoucher) is kept for the next one and freed by {@link #close()}.
 * Single-threaded, allocation-free per batch; positions are readable from any thread.
 */
final class UpstreamReceiver implements AutoCloseable
{
    /**
     * The most entries of an audit range checked per duty cycle, so that a batch arriving meanwhile waits for at most
     * one such slice (a cursor read, a CRC32C and a fold each: tens of ns an entry of 64 B, by the cursor and CRC
     * benchmarks' figures; the slice was not timed on its own).
     */
    static final int AUDIT_ENTRIES_PER_CYCLE = 4096;

    private final ReplicaConfig config;
    private final Wal wal;
    private final EventLog log;
    private final AckFlyweight ack = new AckFlyweight();
    private final NackFlyweight nack = new NackFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final AuditRequestFlyweight auditRequest = new AuditRequestFlyweight();
    private final AuditResponseFlyweight auditResponse = new AuditResponseFlyweight();
    private final RangeAudit audit;
    private long lastDamageReported = -1;
    private final BatchAppender batches;
    private final WalPretoucher pretoucher;
    private final BooleanSupplier frameWaiting;
    private final FrameHandler onFrame = this::onFrame;
    private volatile long durableOffset;
    private volatile long primaryHead;
    private FrameConnection link; // during doWork only
    private Arena arena;
    private MemorySegment scratch;
    private MemorySegment linkScratch; // scratch when this link agreed a codec, else null
    private boolean nackPending;
    private long lastSendNs;
    private long ackedNext = -1;
    private long ackedDurable = -1;
    private long ackedApplied = -1;
    private LongSupplier applied;
    private int batchesSinceAck;
    private long startOffset;
    private final boolean syncs;
    private final ClientHandshake handshake;
    /**
     * Everything below it is durable without this WAL: an empty WAL that starts after offset 0 stands beside the
     * state snapshot the replica loaded (synced, with its directory, before the WAL was opened there), so the replica
     * acknowledges it durable at once instead of 0 until its first entry is synced.
     */
    private final long durableFloor;
    private final dev.ferry.engine.metrics.ErrorCounters counters;

    UpstreamReceiver(final ReplicaConfig config, final Wal wal, final ClientHandshake handshake,
        final BooleanSupplier frameWaiting, final dev.ferry.engine.metrics.ErrorCounters counters)
    {
        this.counters = counters;
        this.config = config;
        this.handshake = handshake;
        this.wal = wal;
        this.log = config.eventLog();
        this.frameWaiting = frameWaiting;
        this.batches = new BatchAppender(wal, config.maxFrameBytes());
        this.audit = new RangeAudit(wal);
        this.pretoucher = new WalPretoucher(wal, WalPretoucher.DEFAULT_AHEAD_BYTES);
        this.syncs = wal.config().syncPolicy() != SyncPolicy.NONE;
        this.durableFloor = wal.isEmpty() ? wal.nextOffset() : 0;
        this.durableOffset = Math.min(wal.nextOffset(), Math.max(wal.syncedOffset() + 1, durableFloor));
    }

    long durableOffset()
    {
        return durableOffset;
    }

    long primaryHead()
    {
        return primaryHead;
    }

    /**
     * A link starts streaming.
     *
     * @param codec       the codec agreed in the WELCOME.
     * @param startOffset where the upstream starts (for an empty WAL: its oldest retained offset).
     * @param headOffset  the upstream's head.
     */
    void start(final Codec codec, final long startOffset, final long headOffset)
    {
        if (codec != Codec.NONE && scratch == null)
        {
            arena = Arenas.ofShared(); // counted: tests check every arena is closed
            scratch = arena.allocate(BatchDecoder.scratchLength(config.maxFrameBytes()), 64);
        }
        linkScratch = codec == Codec.NONE ? null : scratch;
        this.startOffset = startOffset;
        primaryHead = headOffset;
    }

    /**
     * One streaming duty cycle on {@code link}.
     *
     * @return the work done.
     * @throws FerryException CONNECTION if the upstream has been silent too long; the upstream's ERROR; a
     *                        malformed frame or a batch that cannot be written.
     */
    int doWork(final FrameConnection current, final long nowNs) throws IOException
    {
        link = current;
        int work = current.receive(onFrame, 64);
        if (batchesSinceAck > 0)
        {
            acknowledge(current, false); // received: not held back by a sync
            batchesSinceAck = 0;
        }
        if (syncs && wal.syncedOffset() < wal.nextOffset() - 1)
        {
            // group commit, as PostgreSQL's walreceiver: write what arrived, send the received ACK, force what was
            // written while the next batches queue in the socket, then ACK durable
            work += current.flush();
            if (wal.flush())
            {
                acknowledge(current, false);
                work++;
            }
        }
        if (nowNs - current.lastReceiveNs() > config.primaryTimeoutNs())
        {
            throw new FerryException(ErrorCode.CONNECTION, "primary " + current.remoteAddress() + " silent for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - current.lastReceiveNs()) + " ms");
        }
        if (applied != null && applied.getAsLong() != ackedApplied)
        {
            acknowledge(current, false); // APPLIED moved: the state machine caught up with more
        }
        if (nowNs - lastSendNs > config.heartbeatIntervalNs())
        {
            acknowledge(current, true);
        }
        work += audit(current);
        work += current.flush();
        // fault in the pages the next batches will use: a few between busy passes, more when idle, so the appends
        // never overtake the pretoucher (as the primary's sender does); a batch arriving stops an idle pass
        work += work == 0 ? pretoucher.doWork(32, frameWaiting) : pretoucher.doWork(2);
        return work;
    }

    private void onFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        switch (type)
        {
            case BATCH -> onBatch(buffer, offset, length);
            case HEARTBEAT -> primaryHead = heartbeat.decode(buffer, offset, length).headOffset();
            case AUDIT_REQUEST -> onAuditRequest(buffer, offset, length);
            case ERROR -> throw handshake.refusal(buffer, offset, length, link.remoteAddress());
            default -> throw new FerryException(ErrorCode.PROTOCOL, "unexpected " + type + " while streaming");
        }
    }

    private void onBatch(final MemorySegment buffer, final long offset, final int length)
    {
        final long next = next();
        try
        {
            if (batches.append(buffer, offset, length, linkScratch, next) == BatchAppender.GAP)
            {
                if (!nackPending)
                {
                    sendNack(next, ErrorCode.SEQUENCE_GAP);
                }
                return;
            }
            nackPending = false;
        }
        catch (final FrameException ex)
        {
            if (ex.code() == ErrorCode.CHECKSUM || ex.code() == ErrorCode.COMPRESSION)
            {
                counters.error(ex.code()); // recovered by a resend, but counted: an operator sees a bad link or NIC
                if (ex.code() == ErrorCode.CHECKSUM)
                {
                    counters.crcFailure();
                }
                log.log("replica " + config.id() + ": " + ex.getMessage() + "; asking for a resend");
                sendNack(next(), ex.code());
            }
            else
            {
                throw ex;
            }
        }
        batchesSinceAck++;
    }

    private void onAuditRequest(final MemorySegment buffer, final long offset, final int length)
    {
        auditRequest.decode(buffer, offset, length);
        if (audit.busy())
        {
            throw new FerryException(ErrorCode.PROTOCOL, "an AUDIT_REQUEST from " + auditRequest.fromOffset() +
                " before the answer to the one from " + audit.from());
        }
        audit.start(auditRequest.fromOffset(), auditRequest.count(), auditRequest.chainBefore(),
            auditRequest.chainAtLast());
    }

    /**
     * Check some of the audit range asked for, and answer once it is checked.
     *
     * @return the work done.
     */
    private int audit(final FrameConnection current)
    {
        if (!audit.busy())
        {
            return 0;
        }
        int work = audit.doWork(AUDIT_ENTRIES_PER_CYCLE) > 0 ? 1 : 0;
        if (!audit.done())
        {
            return work;
        }
        final long claim = current.claim(AuditResponseFlyweight.LENGTH);
        if (claim < 0)
        {
            return work; // the send buffer is full: answer next cycle
        }
        current.commit(auditResponse.wrap(current.sendBuffer(), claim)
            .fromOffset(audit.from())
            .count(audit.count())
            .atOffset(audit.atOffset())
            .result(audit.result())
            .seal());
        if (audit.result() == AuditResponseFlyweight.Result.DAMAGED && audit.atOffset() != lastDamageReported)
        {
            lastDamageReported = audit.atOffset();
            log.log("replica " + config.id() + ": its entry at offset " + audit.atOffset() + " differs from the " +
                "primary's (the background audit: a byte changed on its disk); the primary reports it");
        }
        audit.reset(); // not an ACK: the heartbeat ACK (the primary's lastHeartbeatMsAgo) is not held back by it
        return work + 1;
    }

    /** The next offset this replica needs: an empty WAL starts wherever the primary said (its oldest). */
    private long next()
    {
        return wal.isEmpty() ? startOffset : wal.nextOffset();
    }

    /**
     * Send an ACK of the received and durable offsets, unless nothing moved since the last one and it is not forced.
     */
    void acknowledge(final FrameConnection current, final boolean force)
    {
        final long received = next();
        // only what a sync forced: under SyncPolicy.NONE this stays where the WAL opened (HELLO said NO_SYNC)
        final long durable = Math.min(received, Math.max(wal.syncedOffset() + 1, durableFloor));
        durableOffset = durable;
        // without a state machine applied means received, as PROTOCOL.md says; with one, what it applied
        final long appliedNow = applied == null ? received : Math.min(received, applied.getAsLong());
        if (!force && received == ackedNext && durable == ackedDurable && appliedNow == ackedApplied)
        {
            return;
        }
        final long claim = current.claim(AckFlyweight.LENGTH);
        if (claim < 0)
        {
            return;
        }
        current.commit(ack.wrap(current.sendBuffer(), claim)
            .receivedOffset(received)
            .durableOffset(durable)
            .appliedOffset(appliedNow)
            .timestampNs(wal.config().clockNs().getAsLong())
            .seal());
        ackedNext = received;
        ackedDurable = durable;
        ackedApplied = appliedNow;
        lastSendNs = System.nanoTime();
    }

    private void sendNack(final long from, final ErrorCode reason)
    {
        final long claim = link.claim(NackFlyweight.LENGTH);
        if (claim >= 0)
        {
            link.commit(nack.wrap(link.sendBuffer(), claim).resendFrom(from).reason(reason).seal());
            counters.nack();
            nackPending = true;
            lastSendNs = System.nanoTime();
        }
    }

    /**
     * @param applied the state machine's applied offset, read for every ACK; null: none, APPLIED is RECEIVED.
     */
    void appliedBy(final LongSupplier applied)
    {
        this.applied = applied;
    }

    /** The link closed: what was per connection starts afresh with the next one. */
    void linkClosed()
    {
        link = null;
        nackPending = false;
        ackedNext = -1;
        ackedDurable = -1;
        ackedApplied = -1;
        batchesSinceAck = 0;
        audit.reset(); // the primary asks again on the next link
    }

    @Override
    public void close()
    {
        batches.close();
        audit.close();
        pretoucher.close();
        if (arena != null)
        {
            arena.close();
            arena = null;
        }
    }
}
