package dev.ferry.engine;

/**
 * A replica's connection as the serving node sees it, in {@link ReplicaStatus#state()} and {@code ferry status}.
 * (The replica's own view is its {@link ReplicaState}.)
 */
public enum SlotState
{
    /** Connected: a snapshot is being sent to it (its progress is in {@code ReplicaStatus}). */
    SNAPSHOTTING,
    /** Connected: entries are streamed to it and it acknowledges them. */
    STREAMING,
    /** Not connected now; its slot still holds retention at its durable offset (unless invalidated). */
    DISCONNECTED
}
