package dev.ferry.engine;

/**
 * One replica as the primary sees it. Positions are next offsets: {@code received = 10} means offsets below 10 are
 * received, so a caught-up replica shows {@code received == head}.
 *
 * @param id                 the replica's id.
 * @param remote             its address, host:port.
 * @param state              its connection as the primary sees it.
 * @param received           next offset received.
 * @param durable            next offset durable (on the replica's stable storage).
 * @param syncs              false if the replica never syncs (sync policy none): {@code durable} does not advance.
 * @param applied            next offset applied.
 * @param lagEntries         head minus received.
 * @param lagBytes           bytes not yet acknowledged (exact for entries sent, estimated beyond).
 * @param lagMillis          age of the oldest unacknowledged entry, from entry timestamps (0 when caught up).
 * @param lastHeartbeatMsAgo milliseconds since the replica was last heard from (-1 if never).
 * @param ackP50Micros       median append-to-ack latency, microseconds.
 * @param ackP99Micros       99th percentile append-to-ack latency.
 * @param ackP999Micros      99.9th percentile append-to-ack latency.
 * @param acks               acknowledgements recorded.
 * @param snapshots          snapshots this primary has begun sending to it (a transfer resumed after an interruption
 *                           is not counted again).
 * @param snapshotOffset     the offset of the snapshot in flight (0 with none: see {@code snapshotTotalBytes}).
 * @param snapshotBytes      its bytes sent so far.
 * @param snapshotTotalBytes its length; 0 when no snapshot is in flight.
 * @param snapshotProgress   the fraction sent, 0..1 (0 when none is in flight).
 * @param snapshotEtaMillis  the time it has left at the rate so far (-1 unknown; 0 when none is in flight).
 * @param evictionEtaMillis  time to eviction: milliseconds until retention would pass it at the current rates (its lag
 *                           past the slot cap: it would then need a resync); 0 when it is not at risk (no retention
 *                           or cap, or it keeps up). Estimated on each retention pass.
 * @param evictionWarning    whether that time is under the primary's warning threshold ({@code --eviction-warning}).
 * @param released           whether its slot was given up (its lag passed the cap): it no longer holds retention
 *                           back, and the replica needs a resync when it comes back.
 * @param auditedOffset      the background audit: the next offset its current pass checks on this replica.
 * @param audits             ranges the audit checked since the primary started.
 * @param auditedEntries     entries the audit checked since the primary started.
 * @param auditMismatches    entries found differing from the primary's since it started (found again each pass).
 * @param firstMismatchOffset the first offset at which the replica holds other bytes than the primary, as the current
 *                           or else the last complete pass found; -1 if none (0 in a document without the audit's
 *                           figures: it means something only while {@code auditMismatches > 0}).
 * @param lastAuditMillisAgo milliseconds since the audit last checked a range of it (-1 if never; 0 in a document
 *                           without the audit's figures).
 * @param held               whether the slot is held by a process that is not a replica ({@code HOLD_SLOT_REQUEST}:
 *                           an archive shipper), to keep the entries it has not yet taken; false in a document without it.
 */
public record ReplicaStatus(
    String id, String remote, SlotState state, long received, long durable, boolean syncs, long applied, long lagEntries, long lagBytes,
    long lagMillis, long lastHeartbeatMsAgo, double ackP50Micros, double ackP99Micros, double ackP999Micros, long acks,
    long snapshots, long snapshotOffset, long snapshotBytes, long snapshotTotalBytes, double snapshotProgress,
    long snapshotEtaMillis, long evictionEtaMillis, boolean evictionWarning, boolean released, long auditedOffset,
    long audits, long auditedEntries, long auditMismatches, long firstMismatchOffset, long lastAuditMillisAgo,
    boolean held)
{
    /**
     * A slot of a replica (not one held by a process that only holds retention).
     */
    public ReplicaStatus(final String id, final String remote, final SlotState state, final long received,
        final long durable, final boolean syncs, final long applied, final long lagEntries, final long lagBytes,
        final long lagMillis, final long lastHeartbeatMsAgo, final double ackP50Micros, final double ackP99Micros,
        final double ackP999Micros, final long acks, final long snapshots, final long snapshotOffset,
        final long snapshotBytes, final long snapshotTotalBytes, final double snapshotProgress,
        final long snapshotEtaMillis, final long evictionEtaMillis, final boolean evictionWarning,
        final boolean released, final long auditedOffset, final long audits, final long auditedEntries,
        final long auditMismatches, final long firstMismatchOffset, final long lastAuditMillisAgo)
    {
        this(id, remote, state, received, durable, syncs, applied, lagEntries, lagBytes, lagMillis, lastHeartbeatMsAgo,
            ackP50Micros, ackP99Micros, ackP999Micros, acks, snapshots, snapshotOffset, snapshotBytes,
            snapshotTotalBytes, snapshotProgress, snapshotEtaMillis, evictionEtaMillis, evictionWarning, released,
            auditedOffset, audits, auditedEntries, auditMismatches, firstMismatchOffset, lastAuditMillisAgo, false);
    }

    /**
     * A replica the background audit has not checked: its figures all 0, as a document of a primary before the audit
     * reads.
     */
    public ReplicaStatus(final String id, final String remote, final SlotState state, final long received,
        final long durable, final boolean syncs, final long applied, final long lagEntries, final long lagBytes,
        final long lagMillis, final long lastHeartbeatMsAgo, final double ackP50Micros, final double ackP99Micros,
        final double ackP999Micros, final long acks, final long snapshots, final long snapshotOffset,
        final long snapshotBytes, final long snapshotTotalBytes, final double snapshotProgress,
        final long snapshotEtaMillis, final long evictionEtaMillis, final boolean evictionWarning,
        final boolean released)
    {
        this(id, remote, state, received, durable, syncs, applied, lagEntries, lagBytes, lagMillis, lastHeartbeatMsAgo,
            ackP50Micros, ackP99Micros, ackP999Micros, acks, snapshots, snapshotOffset, snapshotBytes,
            snapshotTotalBytes, snapshotProgress, snapshotEtaMillis, evictionEtaMillis, evictionWarning, released,
            0, 0, 0, 0, 0, 0, false);
    }

    /**
     * A replica not at risk of eviction.
     */
    public ReplicaStatus(final String id, final String remote, final SlotState state, final long received,
        final long durable, final boolean syncs, final long applied, final long lagEntries, final long lagBytes,
        final long lagMillis, final long lastHeartbeatMsAgo, final double ackP50Micros, final double ackP99Micros,
        final double ackP999Micros, final long acks, final long snapshots, final long snapshotOffset,
        final long snapshotBytes, final long snapshotTotalBytes, final double snapshotProgress,
        final long snapshotEtaMillis)
    {
        this(id, remote, state, received, durable, syncs, applied, lagEntries, lagBytes, lagMillis, lastHeartbeatMsAgo,
            ackP50Micros, ackP99Micros, ackP999Micros, acks, snapshots, snapshotOffset, snapshotBytes,
            snapshotTotalBytes, snapshotProgress, snapshotEtaMillis, 0, false, false);
    }

    /**
     * A replica to which no snapshot was ever sent.
     */
    public ReplicaStatus(final String id, final String remote, final SlotState state, final long received,
        final long durable, final boolean syncs, final long applied, final long lagEntries, final long lagBytes,
        final long lagMillis, final long lastHeartbeatMsAgo, final double ackP50Micros, final double ackP99Micros,
        final double ackP999Micros, final long acks)
    {
        this(id, remote, state, received, durable, syncs, applied, lagEntries, lagBytes, lagMillis, lastHeartbeatMsAgo,
            ackP50Micros, ackP99Micros, ackP999Micros, acks, 0, 0, 0, 0, 0, 0);
    }
}
