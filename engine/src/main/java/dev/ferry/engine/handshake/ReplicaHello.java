package dev.ferry.engine.handshake;

import dev.ferry.net.message.HelloFlyweight;

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
 * @param lastEntry       the fingerprint of its entry at {@code nextOffset - 1} (payload length and CRC32C, as
 *                        {@code Wal#fingerprint}), or -1 if it does not know it.
 */
public record ReplicaHello(String replicaId, int protocolVersion, boolean emptyWal, UUID historyId, long epoch,
    long nextOffset, long lastEntry)
{
    /**
     * @param hello a decoded {@code HELLO}.
     * @return what it says, as {@link Resume#decide} takes it.
     */
    public static ReplicaHello of(final HelloFlyweight hello)
    {
        return new ReplicaHello(hello.replicaId(), hello.protocolVersion(), hello.emptyWal(),
            new UUID(hello.historyIdHi(), hello.historyIdLo()), hello.epoch(), hello.nextOffset(), hello.lastEntry());
    }
}
