package dev.ferry.engine.handshake;

import java.util.UUID;

/**
 * What a replica's {@code HELLO} says about it, decoded (the authentication proof is checked before: see
 * {@code HandshakeAuth}).
 *
 * @param replicaId       its id.
 * @param protocolVersion the protocol version it speaks.
 * @param emptyWal        true if its WAL holds no entry (then it takes whatever the server retains).
 * @param historyId       its WAL's history id (meaningless when empty).
 * @param epoch           its history's current epoch.
 * @param nextOffset      the next offset it needs.
 */
public record ReplicaHello(String replicaId, int protocolVersion, boolean emptyWal, UUID historyId, long epoch,
    long nextOffset)
{
}
