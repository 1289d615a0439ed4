package dev.ferry.engine;

import dev.ferry.engine.resp.RespNode;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A replica as its Redis-protocol front end sees it, on the replica's thread: reads of the state it applies, writes
 * refused ({@code READONLY}), and Redis' replication fields.
 */
final class ReplicaResp implements RespNode
{
    private final Replica replica;

    ReplicaResp(final Replica replica)
    {
        this.replica = replica;
    }

    @Override
    public KvStateMachine state()
    {
        return (KvStateMachine)replica.config().stateMachine();
    }

    @Override
    public boolean primary()
    {
        return false;
    }

    @Override
    public long write(final MemorySegment entry)
    {
        throw new FerryException(ErrorCode.CONFIGURATION, "a replica takes no writes");
    }

    @Override
    public void replicationInfo(final List<String> lines)
    {
        final ReplicaState state = replica.state();
        lines.add("role:slave");
        lines.add("master_host:" + replica.config().primary().getHostString());
        lines.add("master_port:" + replica.config().primary().getPort());
        lines.add("master_link_status:" + (state == ReplicaState.STREAMING ? "up" : "down"));
        lines.add("master_sync_in_progress:" + (state == ReplicaState.SNAPSHOTTING ? 1 : 0));
        lines.add("slave_read_repl_offset:" + replica.receivedOffset());
        lines.add("slave_repl_offset:" + replica.appliedOffset());
        lines.add("slave_priority:100");
        lines.add("slave_read_only:1");
        lines.add("replica_announced:1");
        lines.add("connected_slaves:0");
        lines.add("master_failover_state:no-failover");
        lines.add("master_repl_offset:" + replica.receivedOffset());
        lines.add("ferry_replica_id:" + replica.id());
        lines.add("ferry_replica_state:" + state);
        lines.add("ferry_primary_head:" + replica.primaryHead());
    }

    @Override
    public List<Object> role()
    {
        final ReplicaState state = replica.state();
        final String link = switch (state)
        {
            case STREAMING -> "connected";
            case SNAPSHOTTING -> "sync";
            case HANDSHAKING -> "handshake";
            default -> "connect";
        };
        return List.of("slave", replica.config().primary().getHostString(), (long)replica.config().primary().getPort(),
            link, replica.appliedOffset());
    }
}
