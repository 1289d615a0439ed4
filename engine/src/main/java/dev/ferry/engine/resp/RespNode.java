package dev.ferry.engine.resp;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.state.KvStateMachine;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What the front end needs of the node it runs on, called only from the node's own thread (the one that applies).
 * The defaults describe a node that takes no writes and has no replicas (a replica).
 */
public interface RespNode
{
    /** @return the node's key-value state, applied up to every entry the front end appended. */
    KvStateMachine state();

    /** @return true on a primary that takes writes; false on a replica (writes get {@code READONLY}). */
    boolean primary();

    /**
     * Append an entry and apply it (and anything appended before it) before returning, never waiting for replicas.
     *
     * @param entry a key-value entry.
     * @return its offset.
     * @throws dev.ferry.error.FerryException if the node refuses it (fenced, stopped, too large).
     */
    long write(MemorySegment entry);

    /**
     * Apply the WAL's sync policy to what was written since the last call (a group commit: under {@code --sync batch}
     * one fsync), before the replies that acknowledge those writes are sent.
     */
    default void commit()
    {
        // a node without writes has nothing to commit
    }

    /**
     * @param offset an entry.
     * @param level  the acknowledgement level.
     * @return how many replicas have it at that level now.
     */
    default int replicasAt(final long offset, final AckLevel level)
    {
        return 0;
    }

    /** @return the replicas each write waits for before its reply (0: none), as {@code --sync-replicas}. */
    default int syncReplicas()
    {
        return 0;
    }

    /** @return the level of {@link #syncReplicas()}. */
    default AckLevel syncLevel()
    {
        return AckLevel.RECEIVED;
    }

    /** @return how long a write waits for {@link #syncReplicas()}, in ns. */
    default long syncTimeoutNs()
    {
        return 0;
    }

    /**
     * Make the node's WAL durable up to {@code offset} (an fsync now if it is not yet).
     *
     * @param offset an entry.
     */
    default void syncLocal(final long offset)
    {
        // a node without writes has nothing to sync
    }

    /** @param lines where the {@code INFO replication} fields go, as {@code name:value}. */
    void replicationInfo(List<String> lines);

    /** @return {@code ROLE}'s reply: strings, longs and nested lists. */
    List<Object> role();
}
