package dev.ferry.engine;

import java.util.EnumSet;
import java.util.Set;

/**
 * A replica's connection state. Transitions not listed in {@link #canMoveTo(ReplicaState)} are bugs and throw.
 * <pre>
 *   STOPPED -&gt; CONNECTING -&gt; HANDSHAKING -&gt; (SNAPSHOTTING -&gt;) STREAMING
 *   CONNECTING | HANDSHAKING | SNAPSHOTTING | STREAMING -&gt; BACKOFF -&gt; CONNECTING
 *   any -&gt; STOPPED;  STOPPED | BACKOFF | STREAMING -&gt; PROMOTED
 * </pre>
 */
public enum ReplicaState
{
    /** Not running (not started, stopped, or stopped by an unrecoverable error). */
    STOPPED,
    /** Opening a connection to the primary. */
    CONNECTING,
    /** Exchanging HELLO / WELCOME. */
    HANDSHAKING,
    /** Receiving a snapshot. */
    SNAPSHOTTING,
    /** Receiving and acknowledging entries. */
    STREAMING,
    /** Waiting before reconnecting after an error. */
    BACKOFF,
    /** Promoted to primary. */
    PROMOTED;

    private Set<ReplicaState> next;

    static
    {
        STOPPED.next = EnumSet.of(CONNECTING, PROMOTED);
        CONNECTING.next = EnumSet.of(HANDSHAKING, BACKOFF, STOPPED);
        HANDSHAKING.next = EnumSet.of(SNAPSHOTTING, STREAMING, BACKOFF, STOPPED);
        SNAPSHOTTING.next = EnumSet.of(STREAMING, BACKOFF, STOPPED);
        STREAMING.next = EnumSet.of(BACKOFF, STOPPED, PROMOTED);
        BACKOFF.next = EnumSet.of(CONNECTING, STOPPED, PROMOTED);
        PROMOTED.next = EnumSet.noneOf(ReplicaState.class);
    }

    /**
     * @param target a state.
     * @return true if moving from this state to {@code target} is legal.
     */
    public boolean canMoveTo(final ReplicaState target)
    {
        return next.contains(target);
    }

    /**
     * @param target the state to move to.
     * @return {@code target}.
     * @throws IllegalStateException if the transition is not legal (a bug).
     */
    public ReplicaState moveTo(final ReplicaState target)
    {
        if (!canMoveTo(target))
        {
            throw new IllegalStateException("illegal replica state transition " + this + " -> " + target);
        }
        return target;
    }
}
