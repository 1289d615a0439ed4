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
 * @param acceptsSnapshot whether it runs a state machine and can be brought back by a snapshot.
 * @param partial         the snapshot it holds in part from an interrupted transfer, or null.
 */
public record ReplicaHello(String replicaId, int protocolVersion, boolean emptyWal, UUID historyId, long epoch,
    long nextOffset, long lastEntry, boolean acceptsSnapshot, PartialSnapshot partial)
{
    /**
     * The part of a snapshot a replica holds from an interrupted transfer.
     *
     * @param offset     the offset the snapshot stands at.
     * @param totalBytes its length.
     * @param bytesHeld  how many of its first bytes the replica holds, verified.
     * @param crc        its CRC32C.
     */
    public record PartialSnapshot(long offset, long totalBytes, long bytesHeld, int crc)
    {
    }

    /**
     * A {@code HELLO} of a replica without a state machine.
     */
    public ReplicaHello(final String replicaId, final int protocolVersion, final boolean emptyWal, final UUID historyId,
        final long epoch, final long nextOffset, final long lastEntry)
    {
        this(replicaId, protocolVersion, emptyWal, historyId, epoch, nextOffset, lastEntry, false, null);
    }

    /**
     * @param hello a decoded {@code HELLO}.
     * @return what it says, as {@link Resume#decide} takes it.
     */
    public static ReplicaHello of(final HelloFlyweight hello)
    {
        return new ReplicaHello(hello.replicaId(), hello.protocolVersion(), hello.emptyWal(),
            new UUID(hello.historyIdHi(), hello.historyIdLo()), hello.epoch(), hello.nextOffset(), hello.lastEntry(),
            hello.acceptsSnapshot(), hello.partialSnapshot() ? new PartialSnapshot(hello.partialSnapshotOffset(),
                hello.partialTotalBytes(), hello.partialBytesHeld(), hello.partialCrc()) : null);
    }
}
