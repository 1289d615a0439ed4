package dev.ferry.engine;

import dev.ferry.error.FerryException;

/**
 * Told of a replica's state changes, on the replica's thread: keep it short.
 */
@FunctionalInterface
public interface ReplicaListener
{
    /**
     * @param from  the old state.
     * @param to    the new state.
     * @param error the error that caused the change, or null.
     */
    void onStateChange(ReplicaState from, ReplicaState to, FerryException error);
}
