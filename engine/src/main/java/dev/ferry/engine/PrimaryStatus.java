package dev.ferry.engine;

import java.util.List;

/**
 * A primary's status, as {@link Primary#status()} returns it and {@code ferry status} prints it.
 *
 * @param head      the next offset to be appended.
 * @param oldest    the oldest offset retained.
 * @param historyId the WAL's history id.
 * @param epoch     the WAL's epoch.
 * @param sync      the primary's own sync policy: none, batch or interval.
 * @param durable   the primary's own next offset on stable storage (its last sync's; 0 before any).
 * @param replicas  every replica the primary has seen since it started.
 * @param applied   the next offset the primary's own state machine applies (everything below it is applied); equal to
 *                  {@code head} on a primary without one. (Why it stopped, if it did, is in the primary's log and
 *                  {@code Primary.stateError()}; a document of an older primary reads 0.)
 * @param fenced    whether a node of a newer epoch superseded this primary: it refuses appends (a document of an
 *                  older primary reads false).
 * @param role      {@code primary}, or {@code replica} for a replica serving replicas ({@code --serve}): then
 *                  {@code head} is its own next offset, {@code durable} its own, {@code replicas} its downstream ones.
 * @param upstream  for a replica, the address it follows; null for a primary.
 */
public record PrimaryStatus(long head, long oldest, String historyId, long epoch, String sync, long durable,
    List<ReplicaStatus> replicas, long applied, boolean fenced, String role, String upstream)
{
    /**
     * @throws NullPointerException if {@code role} is null.
     */
    public PrimaryStatus
    {
        java.util.Objects.requireNonNull(role, "role");
        upstream = upstream == null || upstream.isEmpty() ? null : upstream; // a document says "" or null: none
    }

    /** {@link #role()} of a primary. */
    public static final String PRIMARY = "primary";
    /** {@link #role()} of a replica serving replicas. */
    public static final String REPLICA = "replica";

    /**
     * The status of a primary.
     */
    public PrimaryStatus(final long head, final long oldest, final String historyId, final long epoch, final String sync,
        final long durable, final List<ReplicaStatus> replicas, final long applied, final boolean fenced)
    {
        this(head, oldest, historyId, epoch, sync, durable, replicas, applied, fenced, PRIMARY, null);
    }

    /**
     * The status of a primary that is not fenced.
     */
    public PrimaryStatus(final long head, final long oldest, final String historyId, final long epoch, final String sync,
        final long durable, final List<ReplicaStatus> replicas, final long applied)
    {
        this(head, oldest, historyId, epoch, sync, durable, replicas, applied, false);
    }
}
