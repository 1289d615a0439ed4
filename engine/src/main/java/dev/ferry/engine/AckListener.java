package dev.ferry.engine;

/**
 * Told of every acknowledgement a primary receives, on the primary's sender thread, right after the replica's slot
 * is updated: keep it short and allocation-free (it runs on the replication hot path).
 */
@FunctionalInterface
public interface AckListener
{
    /** Ignores acknowledgements. */
    AckListener NONE = (replicaId, receivedNext, durableNext, appliedNext, nowNs) -> { };

    /**
     * @param replicaId    the replica.
     * @param receivedNext every offset below this is received.
     * @param durableNext  every offset below this is durable.
     * @param appliedNext  every offset below this is applied.
     * @param nowNs        {@link System#nanoTime()} when the ACK was processed.
     */
    void onAck(String replicaId, long receivedNext, long durableNext, long appliedNext, long nowNs);
}
