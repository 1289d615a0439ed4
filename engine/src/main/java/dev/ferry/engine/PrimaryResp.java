package dev.ferry.engine;

import dev.ferry.engine.resp.RespNode;
import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.engine.serve.ServeAgent;
import dev.ferry.engine.serve.SlotTable;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Wal;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A primary as its Redis-protocol front end sees it, on the sender thread: a write is appended and then applied by
 * the primary's own applier before the next command runs.
 */
final class PrimaryResp implements RespNode
{
    private final Primary primary;
    private final Wal wal;
    private final ServeAgent agent;
    private final SlotTable slots;

    PrimaryResp(final Primary primary, final Wal wal, final ServeAgent agent, final SlotTable slots)
    {
        this.primary = primary;
        this.wal = wal;
        this.agent = agent;
        this.slots = slots;
    }

    @Override
    public KvStateMachine state()
    {
        return (KvStateMachine)agent.applier().state();
    }

    @Override
    public boolean primary()
    {
        return !primary.fenced();
    }

    @Override
    public long write(final MemorySegment entry)
    {
        primary.checkAppendable();
        final long offset = wal.append(entry);
        final Applier applier = agent.applier();
        int idle = 0;
        while (applier.appliedOffset() <= offset && applier.lastError() == null)
        {
            if (applier.doWork(System.nanoTime()) == 0 && ++idle > 1000)
            {
                throw new FerryException(ErrorCode.INTERNAL, "the entry at offset " + offset + " was appended but the " +
                    "state machine does not see it (applied up to " + applier.appliedOffset() + ")");
            }
        }
        if (applier.lastError() != null)
        {
            throw applier.lastError();
        }
        return offset;
    }

    @Override
    public void commit()
    {
        wal.flush();
    }

    @Override
    public int replicasAt(final long offset, final AckLevel level)
    {
        return slots.count(offset, level);
    }

    @Override
    public int syncReplicas()
    {
        return primary.config().syncReplicas();
    }

    @Override
    public AckLevel syncLevel()
    {
        return primary.config().syncLevel();
    }

    @Override
    public long syncTimeoutNs()
    {
        final java.time.Duration timeout = primary.config().syncTimeout();
        return timeout.compareTo(java.time.Duration.ofDays(365)) > 0 ? Long.MAX_VALUE / 2 : timeout.toNanos();
    }

    @Override
    public void syncLocal(final long offset)
    {
        if (wal.syncedOffset() < offset)
        {
            wal.sync();
        }
    }

    @Override
    public void replicationInfo(final List<String> lines)
    {
        lines.add("role:master");
        lines.add("connected_slaves:" + slots.connected());
        int i = 0;
        for (final ReplicaSlot slot : slots.all())
        {
            if (slot.state() == SlotState.DISCONNECTED)
            {
                continue;
            }
            final String[] hostPort = hostPort(slot.remote());
            lines.add("slave" + i++ + ":ip=" + hostPort[0] + ",port=" + hostPort[1] + ",state=online,offset=" +
                slot.appliedOffset() + ",lag=" + slot.lagMillis() / 1000 + ",id=" + slot.id());
        }
        lines.add("master_failover_state:no-failover");
        lines.add("master_replid:" + primary.history().id().toString().replace("-", "") + "00000000");
        lines.add("master_repl_offset:" + wal.nextOffset());
        lines.add("ferry_epoch:" + primary.history().epoch());
        lines.add("ferry_oldest_offset:" + wal.oldestOffset());
    }

    @Override
    public List<Object> role()
    {
        final List<Object> replicas = new ArrayList<>();
        for (final ReplicaSlot slot : slots.all())
        {
            if (slot.state() != SlotState.DISCONNECTED)
            {
                final String[] hostPort = hostPort(slot.remote());
                replicas.add(List.of(hostPort[0], hostPort[1], Long.toString(slot.appliedOffset())));
            }
        }
        return List.of("master", wal.nextOffset(), replicas);
    }

    /** A slot's remote address as host and port ("?" when unknown). */
    static String[] hostPort(final String remote)
    {
        if (remote == null)
        {
            return new String[] {"?", "0"};
        }
        final String plain = remote.startsWith("/") ? remote.substring(1) : remote;
        final int colon = plain.lastIndexOf(':');
        return colon < 0 ? new String[] {plain, "0"} : new String[] {plain.substring(0, colon), plain.substring(colon + 1)};
    }
}
