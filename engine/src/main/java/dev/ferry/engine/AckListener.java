package dev.ferry.engine;

/**
 * Told of every acknowledgement a primary receives, on the primary's sender thread, right after the replica's slot
 * is updated: keep it short and allocation-free (it runs on the replication hot path).
 */
@FunctionalInterface
public interface AckListener
{
    /** Ignores acknowledgements. */
    AckListener NONE = (replicaId, receivedOffset, durableOffset, appliedOffset, nowNs) -> { };

    /**
     * @param replicaId    the replica.
     * @param receivedOffset every offset below this is received.
     * @param durableOffset  every offset below this is durable.
     * @param appliedOffset  every offset below this is applied.
     * @param nowNs        {@link System#nanoTime()} when the ACK was processed.
     */
    void onAck(String replicaId, long receivedOffset, long durableOffset, long appliedOffset, long nowNs);
}
