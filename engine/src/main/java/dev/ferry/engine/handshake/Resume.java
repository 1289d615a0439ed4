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
 *   not empty, another history id                                     SNAPSHOT, else refuse DIVERGED
 *   not empty, same history, a newer epoch than the server's          refuse FENCED (the server is stale); an empty
 *                                                                       replica's epoch fences nobody (it holds
 *                                                                       nothing of this history to prove it)
 *   empty, and its state could not be rolled back (NEEDS_SNAPSHOT)  SNAPSHOT, else refuse DIVERGED
 *   empty, the server's WAL no longer starts at offset 0              SNAPSHOT (a state needs every entry),
 *                                                                       else stream from the oldest retained
 *   empty                                                             stream from the oldest retained
 *   its current epoch (number, node) is not one of the server's       SNAPSHOT, else refuse DIVERGED (the epochs
 *                                                                       cannot prove where the two diverged)
 *   it holds entries beyond the end of that epoch on the server       TRUNCATE to that end D, then stream from D
 *     (Kafka's leader-epoch rule: D is the last offset both hold       (SNAPSHOT, else RETENTION, if the server no
 *     under one epoch, plus one)                                         longer holds D - 1)
 *   next offset below the oldest retained (deleted by retention)      SNAPSHOT, else refuse RETENTION
 *   next offset beyond the head (it has entries the server has not)   SNAPSHOT, else refuse DIVERGED
 *   its chained checksum at next - 1 differs from the server's         SNAPSHOT, else refuse DIVERGED (same offsets
 *                                                                       and epochs, other bytes: a bit flip, a restore
 *                                                                       from the wrong backup, an operator's copy)
 *   next offset within [oldest, head]                                 stream from it (head: caught up)
 * </pre>
 * SNAPSHOT is the answer only when both sides run a state machine (the replica says so in its {@code HELLO}, the
 * server in {@link ServingLog#shipsSnapshots()}); a replica that only keeps a log is refused as before, and stops.
 * What it held is never mixed with the snapshot's history: the replica moves it aside; a truncated suffix too.
 * The replica checks the {@code WELCOME} against its own WAL with {@link #checkWelcome}.
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
     * @return stream from an offset, truncate then stream, a snapshot, or refuse with a code.
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
        final boolean snapshots = hello.acceptsSnapshot() && serving.shipsSnapshots();
        if (!hello.emptyWal() && !hello.historyId().equals(history.id()))
        {
            return refuseOrSnapshot(snapshots, ErrorCode.DIVERGED, "replica " + id + " has history " +
                hello.historyId() + ", this primary " + history.id());
        }
        if (!hello.emptyWal() && hello.epoch() > history.epoch())
        {
            return new ResumeDecision.Refuse(ErrorCode.FENCED, "replica " + id + " is at epoch " + hello.epoch() +
                ", this node at " + history.epoch() + ": a newer primary exists; this node is fenced");
        }
        if (hello.needsSnapshot() && !snapshots)
        {
            return new ResumeDecision.Refuse(ErrorCode.DIVERGED, "replica " + id + " holds state it could not roll " +
                "back and needs a snapshot, which this node cannot send (it runs no state machine)");
        }
        if (hello.needsSnapshot())
        {
            return new ResumeDecision.Snapshot("replica " + id + " moved its log aside and holds state it could not " +
                "roll back: a snapshot replaces it");
        }
        if (hello.emptyWal() && snapshots && serving.oldestOffset() > 0)
        {
            return new ResumeDecision.Snapshot("replica " + id + " is empty and this primary's WAL starts at offset " +
                serving.oldestOffset() + ": a state needs every entry from offset 0");
        }
        final long start = hello.emptyWal() ? serving.oldestOffset() : hello.nextOffset();
        if (!hello.emptyWal())
        {
            final int common = history.indexOf(hello.epoch(), hello.epochNode(), ReplicaHello::nodeHash);
            if (common < 0 || history.epochs().get(common).startOffset() != hello.epochStart())
            {
                return refuseOrSnapshot(snapshots, ErrorCode.DIVERGED, "replica " + id + "'s epoch " + hello.epoch() +
                    " (from offset " + hello.epochStart() + ") is not one of this primary's epochs " + history.epochs() +
                    ": they diverged where the epochs cannot prove");
            }
            final long end = history.endOf(common);
            if (start > end)
            {
                if (end < serving.oldestOffset() || end == 0)
                {
                    return refuseOrSnapshot(snapshots, ErrorCode.RETENTION, "replica " + id + " diverged at offset " +
                        end + " (where epoch " + hello.epoch() + " ended on this primary), deleted by retention here");
                }
                return new ResumeDecision.Truncate(end, "replica " + id + " holds entries up to " + (start - 1) +
                    " of epoch " + hello.epoch() + ", which ended at offset " + end + " on this primary (epochs " +
                    history.epochs() + "): its entries from " + end + " on are not this primary's");
            }
        }
        if (start < serving.oldestOffset())
        {
            return refuseOrSnapshot(snapshots, ErrorCode.RETENTION, "replica " + id + " asks for offset " + start +
                ", deleted by retention; the oldest retained offset is " + serving.oldestOffset());
        }
        if (start > serving.nextOffset())
        {
            return refuseOrSnapshot(snapshots, ErrorCode.DIVERGED, "replica " + id + " asks for offset " + start +
                " beyond this primary's head " + serving.nextOffset() + ": it has entries this primary does not");
        }
        if (!hello.emptyWal() && hello.lastChain() >= 0 && serving.chainBeforeReplicasNext() >= 0 &&
            hello.lastChain() != serving.chainBeforeReplicasNext())
        {
            return refuseOrSnapshot(snapshots, ErrorCode.DIVERGED, "replica " + id + "'s chained checksum before " +
                "offset " + start + " (" + Long.toHexString(hello.lastChain()) + ") is not this primary's (" +
                Long.toHexString(serving.chainBeforeReplicasNext()) + "): same history and epochs, other bytes (a " +
                "damaged disk, a restore from another copy); the replica must be rebuilt from this primary (it is " +
                "never resumed on top of entries the primary does not hold)");
        }
        return new ResumeDecision.Stream(start);
    }

    private static ResumeDecision refuseOrSnapshot(final boolean snapshots, final ErrorCode code, final String reason)
    {
        return snapshots ? new ResumeDecision.Snapshot(reason) : new ResumeDecision.Refuse(code, reason);
    }

    /**
     * The following side's check of a {@code WELCOME} whose authentication proof passed:
     * <pre>
     *   the server sends frames larger than this replica accepts             refuse CONFIGURATION (it would fail on
     *                                                                          the first large batch, again and again)
     *   a snapshot, but this replica runs no state machine                   refuse PROTOCOL (it never asked for one)
     *   not empty, same history id, the server's epoch is older              refuse FENCED (a deposed primary: its
     *                                                                          epoch is never saved here)
     *   a snapshot                                                           load it, then stream from the start
     *   not empty, another history id (or none of its own)                   refuse DIVERGED
     *   truncate, to a start within what this replica holds, and its chain  truncate, then stream from the start
     *     before the start is the server's chainBefore
     *   truncate otherwise (the divergence is not where the epochs said)     TRUNCATE of everything (fromOffset -1):
     *                                                                          move the whole WAL aside, come back empty
     *   not empty, a start other than this replica's next offset             refuse SEQUENCE_GAP
     *   otherwise                                                            stream from the start
     * </pre>
     *
     * @param own              this replica's history, or null if it has none yet.
     * @param emptyWal         true if this replica holds nothing (no entry, no state).
     * @param ownNextOffset    this replica's next offset.
     * @param ownMaxFrameBytes the largest frame this replica accepts.
     * @param acceptsSnapshot  whether this replica runs a state machine.
     * @param ownChainBefore   this replica's chained checksum before an offset ({@code Wal#chainBefore}: -1 where it
     *                         does not know it).
     * @param welcome          what the server says.
     * @return stream from {@code welcome.startOffset()}, a snapshot first, truncate first, or refuse with a code.
     */
    public static ResumeDecision checkWelcome(final History own, final boolean emptyWal, final long ownNextOffset,
        final int ownMaxFrameBytes, final boolean acceptsSnapshot, final java.util.function.LongUnaryOperator ownChainBefore,
        final PrimaryWelcome welcome)
    {
        if (welcome.maxFrameBytes() > ownMaxFrameBytes)
        {
            return new ResumeDecision.Refuse(ErrorCode.CONFIGURATION, "primary sends frames of up to " +
                welcome.maxFrameBytes() + " bytes but this replica accepts " + ownMaxFrameBytes +
                ": give the replica a maxFrameBytes of at least " + welcome.maxFrameBytes());
        }
        if (welcome.snapshot() && !acceptsSnapshot)
        {
            return new ResumeDecision.Refuse(ErrorCode.PROTOCOL, "primary offers a snapshot, but this replica runs no " +
                "state machine and did not ask for one");
        }
        final UUID ownId = own == null ? new UUID(0, 0) : own.id();
        if (!emptyWal && welcome.historyId().equals(ownId) && welcome.epoch().number() < own.epoch())
        {
            return new ResumeDecision.Refuse(ErrorCode.FENCED, "primary is at epoch " + welcome.epoch().number() +
                ", older than this replica's epoch " + own.epoch() + ": it was superseded by a promotion");
        }
        if (welcome.snapshot())
        {
            return new ResumeDecision.Snapshot("the primary sends a snapshot at offset " + welcome.startOffset());
        }
        if (!emptyWal)
        {
            if (!welcome.historyId().equals(ownId))
            {
                return new ResumeDecision.Refuse(ErrorCode.DIVERGED, "primary has history " + welcome.historyId() +
                    ", this replica " + ownId);
            }
            if (welcome.mode() == dev.ferry.net.message.WelcomeFlyweight.Mode.TRUNCATE)
            {
                final long start = welcome.startOffset();
                final long chain = start <= ownNextOffset ? ownChainBefore.applyAsLong(start) : -1;
                if (chain < 0 || chain != welcome.chainBefore())
                {
                    return new ResumeDecision.Truncate(-1, "the primary says this replica diverged at offset " + start +
                        ", but its chained checksum there (" + Long.toHexString(chain) + ") is not the primary's (" +
                        Long.toHexString(welcome.chainBefore()) + "): nothing it holds is provably the primary's");
                }
                return new ResumeDecision.Truncate(start, "the primary's epochs end this replica's epoch at offset " +
                    start);
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
