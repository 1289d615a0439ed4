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
 * @param epochStart      the offset its current epoch starts at.
 * @param epochNode       the hash of the id of the node that began its current epoch ({@link #nodeHash}).
 * @param nextOffset      the next offset it needs.
 * @param lastChain       its chained checksum at {@code nextOffset - 1} ({@code Wal#chainBefore(nextOffset)}), or -1
 *                        if it does not know it.
 * @param acceptsSnapshot whether it runs a state machine and can be brought back by a snapshot.
 * @param partial         the snapshot it holds in part from an interrupted transfer, or null.
 * @param needsSnapshot   it holds nothing, but its state machine holds state it could not roll back: only a snapshot
 *                        may bring it back.
 */
public record ReplicaHello(String replicaId, int protocolVersion, boolean emptyWal, UUID historyId, long epoch,
    long epochStart, long epochNode, long nextOffset, long lastChain, boolean acceptsSnapshot, PartialSnapshot partial,
    boolean needsSnapshot)
{
    /**
     * A {@code HELLO} that does not insist on a snapshot.
     */
    public ReplicaHello(final String replicaId, final int protocolVersion, final boolean emptyWal, final UUID historyId,
        final long epoch, final long epochStart, final long epochNode, final long nextOffset, final long lastChain,
        final boolean acceptsSnapshot, final PartialSnapshot partial)
    {
        this(replicaId, protocolVersion, emptyWal, historyId, epoch, epochStart, epochNode, nextOffset, lastChain,
            acceptsSnapshot, partial, false);
    }

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
        final long epoch, final long epochStart, final long epochNode, final long nextOffset, final long lastChain)
    {
        this(replicaId, protocolVersion, emptyWal, historyId, epoch, epochStart, epochNode, nextOffset, lastChain, false,
            null);
    }

    /**
     * @param nodeId a node id.
     * @return its hash as {@code HELLO} carries it.
     */
    public static long nodeHash(final String nodeId)
    {
        return HelloFlyweight.nodeHash(nodeId);
    }

    /**
     * @param hello a decoded {@code HELLO}.
     * @return what it says, as {@link Resume#decide} takes it.
     */
    public static ReplicaHello of(final HelloFlyweight hello)
    {
        return new ReplicaHello(hello.replicaId(), hello.protocolVersion(), hello.emptyWal(),
            new UUID(hello.historyIdHi(), hello.historyIdLo()), hello.epoch(), hello.epochStartOffset(), hello.epochNode(),
            hello.nextOffset(), hello.lastChain(),
            hello.acceptsSnapshot(), hello.partialSnapshot() ? new PartialSnapshot(hello.partialSnapshotOffset(),
                hello.partialTotalBytes(), hello.partialBytesHeld(), hello.partialCrc()) : null, hello.needsSnapshot());
    }
}
