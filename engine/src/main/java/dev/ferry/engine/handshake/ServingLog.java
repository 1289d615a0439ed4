package dev.ferry.engine.handshake;

import dev.ferry.engine.history.History;

/**
 * What the serving node's WAL holds, as the resume decision needs it.
 *
 * @param protocolVersion the protocol version the server speaks.
 * @param history         its WAL's history.
 * @param oldestOffset    the oldest offset retained.
 * @param nextOffset      the next offset to be appended (the head).
 * @param chainBeforeReplicasNext the serving WAL's chained checksum at the replica's {@code nextOffset - 1}
 *                        ({@code Wal#chainBefore}), or -1 if it does not know it.
 * @param shipsSnapshots  whether the server runs a state machine, so it can bring a replica back by a snapshot.
 */
public record ServingLog(int protocolVersion, History history, long oldestOffset, long nextOffset,
    long chainBeforeReplicasNext, boolean shipsSnapshots)
{
    /**
     * A serving log without a state machine.
     */
    public ServingLog(final int protocolVersion, final History history, final long oldestOffset, final long nextOffset,
        final long chainBeforeReplicasNext)
    {
        this(protocolVersion, history, oldestOffset, nextOffset, chainBeforeReplicasNext, false);
    }
}
