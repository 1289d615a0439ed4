package dev.ferry.engine.handshake;

import dev.ferry.engine.history.History;

/**
 * What the serving node's WAL holds, as the resume decision needs it.
 *
 * @param protocolVersion the protocol version the server speaks.
 * @param history         its WAL's history.
 * @param oldestOffset    the oldest offset retained.
 * @param nextOffset      the next offset to be appended (the head).
 * @param entryBeforeReplicasNext the fingerprint of the serving WAL's entry at the replica's {@code nextOffset - 1}
 *                        ({@code Wal#fingerprint}), or -1 if it does not hold it.
 * @param shipsSnapshots  whether the server runs a state machine, so it can bring a replica back by a snapshot.
 */
public record ServingLog(int protocolVersion, History history, long oldestOffset, long nextOffset,
    long entryBeforeReplicasNext, boolean shipsSnapshots)
{
    /**
     * A serving log without a state machine.
     */
    public ServingLog(final int protocolVersion, final History history, final long oldestOffset, final long nextOffset,
        final long entryBeforeReplicasNext)
    {
        this(protocolVersion, history, oldestOffset, nextOffset, entryBeforeReplicasNext, false);
    }
}
