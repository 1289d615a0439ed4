package dev.ferry.engine;

/**
 * How far a replica must have got with an entry for {@link Primary#awaitReplicated} to count it.
 */
public enum AckLevel
{
    /** In the replica's memory / page cache: survives the primary's loss, not the replica's. */
    RECEIVED,
    /** Written to the replica's WAL under its sync policy (synced, unless its policy is NONE). */
    DURABLE,
    /** Applied by the replica's state machine. */
    APPLIED
}
