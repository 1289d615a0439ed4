package dev.ferry.engine.handshake;

import dev.ferry.engine.history.History;
import dev.ferry.error.ErrorCode;

import java.util.UUID;

/**
 * The resume decision, one table in one place, as pure functions of plain values (no sockets, no files):
 * <pre>
 *   replica's HELLO against the serving WAL                          decision
 *   -----------------------------------------------------------------------------------------------
 *   another protocol version                                          refuse PROTOCOL
 *   not empty, another history id                                     refuse DIVERGED
 *   a newer epoch than the server's                                   refuse FENCED (the server is stale)
 *   empty                                                             stream from the oldest retained
 *   next offset below the oldest retained (deleted by retention)      refuse RETENTION
 *   next offset beyond the head (it has entries the server has not)   refuse DIVERGED
 *   its last entry (offset, length, CRC32C) differs from the server's  refuse DIVERGED (same id, another suffix:
 *     entry at that offset                                              a primary that lost its unsynced tail, or
 *                                                                       was restored from a copy, then appended)
 *   next offset within [oldest, head]                                 stream from it (head: caught up)
 * </pre>
 * The replica checks the {@code WELCOME} against its own WAL with {@link #checkWelcome}. Snapshots (for RETENTION
 * and unrepairable divergence) and truncation (for a divergence the epochs prove) are added to this table by the
 * snapshot and epochs issues.
 */
public final class Resume
{
    private Resume()
    {
    }

    /**
     * The serving side's decision for a replica whose {@code HELLO} passed authentication.
     *
     * @param hello   what the replica says.
     * @param serving what the serving WAL holds.
     * @return stream from an offset, or refuse with a code.
     */
    public static ResumeDecision decide(final ReplicaHello hello, final ServingLog serving)
    {
        final String id = hello.replicaId();
        final History history = serving.history();
        if (hello.protocolVersion() != serving.protocolVersion())
        {
            return new ResumeDecision.Refuse(ErrorCode.PROTOCOL, "replica " + id + " speaks protocol " +
                hello.protocolVersion() + "; this primary speaks " + serving.protocolVersion());
        }
        if (!hello.emptyWal() && !hello.historyId().equals(history.id()))
        {
            return new ResumeDecision.Refuse(ErrorCode.DIVERGED, "replica " + id + " has history " + hello.historyId() +
                ", this primary " + history.id());
        }
        if (hello.epoch() > history.epoch())
        {
            return new ResumeDecision.Refuse(ErrorCode.FENCED, "replica " + id + " is at epoch " + hello.epoch() +
                ", this primary at " + history.epoch() + ": a newer primary exists");
        }
        final long start = hello.emptyWal() ? serving.oldestOffset() : hello.nextOffset();
        if (start < serving.oldestOffset())
        {
            return new ResumeDecision.Refuse(ErrorCode.RETENTION, "replica " + id + " asks for offset " + start +
                ", deleted by retention; the oldest retained offset is " + serving.oldestOffset());
        }
        if (start > serving.nextOffset())
        {
            return new ResumeDecision.Refuse(ErrorCode.DIVERGED, "replica " + id + " asks for offset " + start +
                " beyond this primary's head " + serving.nextOffset() + ": it has entries this primary does not");
        }
        if (!hello.emptyWal() && hello.lastEntry() >= 0 && serving.entryBeforeReplicasNext() >= 0 &&
            hello.lastEntry() != serving.entryBeforeReplicasNext())
        {
            return new ResumeDecision.Refuse(ErrorCode.DIVERGED, "replica " + id + "'s entry at offset " + (start - 1) +
                " (" + describe(hello.lastEntry()) + ") is not this primary's (" +
                describe(serving.entryBeforeReplicasNext()) + "): same history id, another history since; the " +
                "replica must be rebuilt from this primary (it is never resumed on top of entries the primary does not hold)");
        }
        return new ResumeDecision.Stream(start);
    }

    private static String describe(final long fingerprint)
    {
        return (fingerprint >>> 32) + " bytes, crc32c " + Integer.toHexString((int)fingerprint);
    }

    /**
     * The following side's check of a {@code WELCOME} whose authentication proof passed:
     * <pre>
     *   the server sends frames larger than this replica accepts             refuse CONFIGURATION (it would fail on
     *                                                                          the first large batch, again and again)
     *   not empty, another history id (or none of its own)                   refuse DIVERGED
     *   not empty, the server's epoch is older than this replica's           refuse FENCED (a deposed primary: its
     *                                                                          epoch is never saved here)
     *   not empty, a start other than this replica's next offset             refuse SEQUENCE_GAP
     *   otherwise                                                            stream from the start
     * </pre>
     *
     * @param own              this replica's history, or null if it has none yet.
     * @param emptyWal         true if this replica's WAL holds no entry.
     * @param ownNextOffset    this replica's next offset.
     * @param ownMaxFrameBytes the largest frame this replica accepts.
     * @param welcome          what the server says.
     * @return stream from {@code welcome.startOffset()}, or refuse with a code.
     */
    public static ResumeDecision checkWelcome(final History own, final boolean emptyWal, final long ownNextOffset,
        final int ownMaxFrameBytes, final PrimaryWelcome welcome)
    {
        if (welcome.maxFrameBytes() > ownMaxFrameBytes)
        {
            return new ResumeDecision.Refuse(ErrorCode.CONFIGURATION, "primary sends frames of up to " +
                welcome.maxFrameBytes() + " bytes but this replica accepts " + ownMaxFrameBytes +
                ": give the replica a maxFrameBytes of at least " + welcome.maxFrameBytes());
        }
        if (!emptyWal)
        {
            final UUID ownId = own == null ? new UUID(0, 0) : own.id();
            if (!welcome.historyId().equals(ownId))
            {
                return new ResumeDecision.Refuse(ErrorCode.DIVERGED, "primary has history " + welcome.historyId() +
                    ", this replica " + ownId);
            }
            if (welcome.epoch() < own.epoch())
            {
                return new ResumeDecision.Refuse(ErrorCode.FENCED, "primary is at epoch " + welcome.epoch() +
                    ", older than this replica's epoch " + own.epoch() + ": it was superseded by a promotion");
            }
            if (welcome.startOffset() != ownNextOffset)
            {
                return new ResumeDecision.Refuse(ErrorCode.SEQUENCE_GAP, "primary starts at " + welcome.startOffset() +
                    " but this replica's next offset is " + ownNextOffset);
            }
        }
        return new ResumeDecision.Stream(welcome.startOffset());
    }
}
