package dev.ferry.engine.resp;

import dev.ferry.engine.AckLevel;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One connected client: its socket, its request parser and pending replies, and the connection's state (selected
 * database, name, authentication, the offset of its last write, a blocking {@code WAIT}). Single-threaded.
 */
final class RespClient
{
    /** Why a client is blocked. */
    enum Block
    {
        NONE,
        /** {@code WAIT}: reply the number of replicas that applied its last write. */
        WAIT,
        /** {@code WAITAOF}: reply [local, replicas] that made its last write durable. */
        WAIT_AOF,
        /** A write in synchronous mode: its reply is held until the replicas have it. */
        SYNC_WRITE
    }

    final long id;
    final SocketChannel channel;
    final RespParser parser;
    final RespOutput out = new RespOutput();
    final long createdMillis = System.currentTimeMillis();
    final String address;
    SelectionKey key;
    int db;
    String name;
    boolean authenticated;
    long lastWriteOffset = -1;
    boolean closeAfterReply;
    boolean closed;
    boolean countedPending;
    boolean awaitingCommit; // replies held until the cycle's group commit // counted in the listener's clients with unsent replies
    long lastCommandMillis = createdMillis;
    String lastCommand = "NULL";

    Block block = Block.NONE;
    long blockOffset;
    int blockReplicas;
    AckLevel blockLevel;
    long blockDeadlineNs; // Long.MAX_VALUE: forever
    int blockLocal;
    int heldReplyMark;

    RespClient(final long id, final SocketChannel channel, final int maxBulkBytes, final boolean authenticated,
        final String address)
    {
        this.id = id;
        this.channel = channel;
        this.parser = new RespParser(maxBulkBytes);
        this.authenticated = authenticated;
        this.address = address;
    }

    void block(final Block why, final long offset, final int replicas, final AckLevel level, final long deadlineNs)
    {
        block = why;
        blockOffset = offset;
        blockReplicas = replicas;
        blockLevel = level;
        blockDeadlineNs = deadlineNs;
    }

    boolean blocked()
    {
        return block != Block.NONE;
    }
}
