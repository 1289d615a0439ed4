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
 */
public record ServingLog(int protocolVersion, History history, long oldestOffset, long nextOffset,
    long entryBeforeReplicasNext)
{
}
