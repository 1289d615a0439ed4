package dev.ferry.engine;

import dev.ferry.engine.agent.AgentInvoker;
import dev.ferry.engine.agent.AgentRunner;
import dev.ferry.engine.history.Fence;
import dev.ferry.engine.history.History;
import dev.ferry.engine.resp.RespServer;
import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.engine.serve.ServeAgent;
import dev.ferry.engine.serve.SlotTable;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.wal.Wal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

/**
 * The embeddable primary: the application appends entries; Ferry makes them durable in the WAL and streams them to
 * every replica that connects, tracking how far each has got.
 * <pre>{@code
 * try (Primary primary = Primary.open(new PrimaryConfig().walDirectory(dir).listen(address)))
 * {
 *     long offset = primary.append(payload);                                   // never waits for replicas
 *     primary.awaitReplicated(offset, 1, AckLevel.DURABLE, Duration.ofMillis(5)); // only when asked
 * }
 * }</pre>
 * Synchronous replication ({@link PrimaryConfig#syncReplicas(int)}) makes every {@link #append} wait as
 * {@code awaitReplicated} does, and report a timeout as a {@code TIMEOUT} error rather than an answer.
 * Threads: {@link #append} runs on the caller's thread (any number of them); one sender thread,
 * {@code ferry-primary}, accepts connections and runs every replica session as a duty cycle with the configured
 * idle strategy (busy-spin burns a core; the default backoff spins briefly, then yields, then parks).
 */
public final class Primary implements AutoCloseable
{
    private final PrimaryConfig config;
    private final Wal wal;
    private final History history;
    private final Fence fence;
    private final dev.ferry.engine.metrics.ErrorCounters counters = new dev.ferry.engine.metrics.ErrorCounters();
    private volatile dev.ferry.engine.archive.ArchiveShipping shipping;
    private volatile dev.ferry.engine.metrics.NodeFigures figures;
    /** The node id a primary's new history names as the one that began epoch 0. */
    static final String NODE = "primary";
    private final SlotTable slots = new SlotTable();
    private final ServerSocketChannel server;
    private final ServeAgent agent;
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    private RespServer resp; // set once in the constructor, before the sender starts
    private final int syncReplicas; // 0: asynchronous, append never waits (the one field read it costs)
    private final AckLevel syncLevel;
    private final long syncTimeoutNs;
    private volatile boolean running = true;
    private volatile FerryException failure;

    private Primary(final PrimaryConfig config)
    {
        this.config = config;
        this.syncReplicas = config.syncReplicas();
        this.syncLevel = config.syncLevel();
        this.syncTimeoutNs = saturatedNanos(config.syncTimeout());
        this.wal = Wal.open(StateStore.startingAtSnapshot(config.wal(), config.stateMachine() != null));
        if (wal.tornEntriesRemoved() > 0)
        {
            config.eventLog().log("%s: removed %d torn entries at the end of %s (a power loss left them half written); "
                .formatted("primary", wal.tornEntriesRemoved(), wal.directory()) + "next offset " + wal.nextOffset());
        }
        ServerSocketChannel bound = null;
        Applier applier = null;
        try
        {
            History h = History.load(wal.directory());
            if (h == null)
            {
                h = History.create(NODE);
                h.save(wal.directory());
            }
            bound = dev.ferry.engine.serve.Listeners.bind(config.listen(), "");
            if (config.promotedBy() != null)
            {
                // only now, the WAL open and locked and the address bound: a promotion that fails before records
                // nothing, so the node it failed on never fences the primary it could not replace
                h = h.promoted(config.promotedBy(), wal.nextOffset());
                h.save(wal.directory());
                Fence.lift(wal.directory());
                config.eventLog().log("replica " + config.promotedBy() + " PROMOTED to primary at epoch " + h.epoch() +
                    ", from offset " + wal.nextOffset() + " (history " + h.id() + ", epochs " + h.epochs() + ")");
            }
            this.history = h;
            this.fence = Fence.load(wal.directory());
            if (fence.fenced())
            {
                config.eventLog().log("primary on " + wal.directory() + " is FENCED: a node of epoch " + fence.byEpoch() +
                    " superseded it; it serves its WAL but refuses appends (start it as a replica of the new primary " +
                    "to rejoin)");
            }
            this.server = bound;
            applier = config.stateMachine() == null ? null :
                Applier.open(wal, config.stateMachine(), config.snapshotEveryEntries(), config.eventLog());
            this.agent = new ServeAgent(config, wal, history, slots, server, this::status, fence, counters);
            if (applier != null)
            {
                agent.applyWith(applier);
            }
            if (config.resp() != null)
            {
                resp = new RespServer(new PrimaryResp(this, wal, agent, slots), config.resp().listen(),
                    config.resp().password(), agent.parker(), wal.config().maxPayloadBytes(), config.resp().maxClients(),
                    config.eventLog());
                agent.alsoRun(resp, resp::idle);
            }
            NodeAddress.write(wal.directory(), localAddress()); // last: only a node that started is found there
        }
        catch (final RuntimeException ex)
        {
            if (resp != null)
            {
                resp.close();
            }
            if (applier != null)
            {
                applier.close();
            }
            dev.ferry.engine.serve.Listeners.closeQuietly(bound); // a failing agent (e.g. an unreadable slot file) must not keep the port
            wal.close();
            throw ex;
        }
        if (config.useInvoker())
        {
            this.invoker = new AgentInvoker(agent, config.eventLog()::log, this::closeStorage);
            this.runner = null;
        }
        else
        {
            this.invoker = null;
            this.runner = new AgentRunner(agent, IdleStrategies.parse(config.idleStrategy(), agent.parker()),
                config.threadFactory() == null ? AgentRunner.daemon("ferry-primary") : config.threadFactory(),
                agent::wakeupNow, config.eventLog()::log, this::senderEnded, this::senderDied);
            runner.start();
        }
    }

    /**
     * Open the WAL (creating it if needed), listen for replicas and start the sender thread.
     *
     * @param config the settings, validated here.
     * @return the running primary.
     * @throws FerryException CONFIGURATION for a bad setting or a port in use, STORAGE for a bad WAL directory.
     */
    public static Primary open(final PrimaryConfig config)
    {
        final Primary primary = new Primary(config.conclude());
        try
        {
            primary.figures = new dev.ferry.engine.metrics.NodeFigures("Primary",
                Integer.toString(primary.localAddress().getPort()),
                () -> dev.ferry.engine.metrics.Figures.primary(primary.status(), primary.counters), config.metrics(),
                config.eventLog());
        }
        catch (final RuntimeException ex)
        {
            primary.close();
            throw ex;
        }
        if (config.archive() != null)
        {
            // the slot is held over the node's own port, authenticated as any holder: no lock on the sender's state
            primary.shipping = dev.ferry.engine.archive.ArchiveShipping.start(config.archive()
                .walDirectory(primary.wal.directory()).log(config.eventLog()), new dev.ferry.engine.archive.SlotHolder(
                    NodeAddress.read(primary.wal.directory()), config.secret(), config.tls(), "archive",
                    config.eventLog()));
        }
        return primary;
    }

    /**
     * @return what the embedded archive shipper has done, or null if this primary ships to no archive.
     */
    public dev.ferry.engine.archive.Shipper.Status archiveStatus()
    {
        final dev.ferry.engine.archive.ArchiveShipping running = shipping;
        return running == null ? null : running.status();
    }

    /**
     * @return the JMX name of this primary's figures, or null if they could not be registered.
     */
    public javax.management.ObjectName mbeanName()
    {
        final dev.ferry.engine.metrics.NodeFigures published = figures;
        return published == null ? null : published.mbeanName();
    }

    /**
     * @return the address of this primary's Redis-protocol listener, or null if it has none.
     */
    public InetSocketAddress respAddress()
    {
        return resp == null ? null : resp.address();
    }

    /**
     * @return the address of this primary's metrics endpoint, or null if it serves none.
     */
    public InetSocketAddress metricsAddress()
    {
        final dev.ferry.engine.metrics.NodeFigures published = figures;
        return published == null ? null : published.metricsAddress();
    }

    /** The sender thread met an Error and stopped: every later append fails with it (never a silent stop). */
    private void senderDied(final Throwable error)
    {
        failure = new FerryException(ErrorCode.INTERNAL, "the primary's sender thread died, replication has stopped; " +
            "close this primary and open it again: " + error, error);
    }

    /**
     * @return the duty cycle to run from the application's loop, when opened with {@link PrimaryConfig#useInvoker}.
     * @throws FerryException CONFIGURATION if the primary runs on a thread of its own.
     */
    public AgentInvoker invoker()
    {
        if (invoker == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "the primary runs on a thread of its own; set PrimaryConfig.useInvoker(true) to run it from your loop");
        }
        return invoker;
    }

    /**
     * Append an entry. Never waits for replicas unless {@link PrimaryConfig#syncReplicas(int)} is set: then it returns
     * once that many replicas have the entry at {@link PrimaryConfig#syncLevel(AckLevel)}, and so every entry before it
     * (offsets are dense: concurrent appenders each wait for their own entry, which covers the earlier ones).
     *
     * @param payload the payload.
     * @return its offset.
     * @throws FerryException {@code TIMEOUT} in synchronous mode when the replicas did not have the entry within
     *                        {@link PrimaryConfig#syncTimeout(Duration)}, or the thread was interrupted while waiting
     *                        (its interrupt flag is set again): the entry is in the WAL and keeps replicating, the
     *                        message names its offset; {@code CONFIGURATION} for a DURABLE wait the connected replicas
     *                        cannot meet (see {@link #awaitReplicated}), the entry in the WAL too.
     */
    public long append(final MemorySegment payload)
    {
        checkAppendable();
        final long offset = wal.append(payload);
        agent.wakeup();
        if (syncReplicas > 0)
        {
            awaitSync(offset);
        }
        return offset;
    }

    /**
     * Append an entry: {@link #append(MemorySegment)}, which waits for replicas only in synchronous mode.
     *
     * @param payload the payload.
     * @return its offset.
     * @throws FerryException as {@link #append(MemorySegment)}.
     */
    public long append(final byte[] payload)
    {
        return append(MemorySegment.ofArray(payload));
    }

    /** @throws FerryException if this primary may not append: its sender died, or it was fenced. */
    void checkAppendable()
    {
        final FerryException failed = failure;
        if (failed != null)
        {
            throw new FerryException(ErrorCode.INTERNAL, failed.detail(), failed); // replication has stopped: say so
        }
        if (fence.fenced())
        {
            throw new FerryException(ErrorCode.FENCED, "this primary (epoch " + history.epoch() + ") was superseded by " +
                "a promotion to epoch " + fence.byEpoch() + ": it refuses appends; append to the new primary, and " +
                "restart this node as its replica to rejoin");
        }
    }

    /** Synchronous replication: wait until enough replicas have {@code offset}, or throw, naming it. */
    private void awaitSync(final long offset)
    {
        final boolean replicated;
        try
        {
            replicated = slots.await(offset, syncReplicas, syncLevel, syncTimeoutNs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw notReplicated(offset, "the appending thread was interrupted while waiting", ex);
        }
        catch (final FerryException ex)
        {
            throw new FerryException(ex.code(), "offset " + offset + " is in the WAL and keeps replicating, but " +
                ex.detail(), ex);
        }
        if (!replicated)
        {
            throw notReplicated(offset, "timed out after " + describe(config.syncTimeout()), null);
        }
    }

    private FerryException notReplicated(final long offset, final String why, final Throwable cause)
    {
        return new FerryException(ErrorCode.TIMEOUT, "offset " + offset + " is not on " + syncReplicas + " replica(s) at " +
            syncLevel + ": " + why + "; " + slots.count(offset, syncLevel) + " had it (" + slots.connected() +
            " connected); the entry stays in the WAL and keeps replicating", cause);
    }

    private static String describe(final Duration duration)
    {
        final long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static long saturatedNanos(final Duration duration)
    {
        try
        {
            return duration.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Apply the WAL's sync policy after a batch of appends (see {@link dev.ferry.wal.SyncPolicy}).
     */
    public void flush()
    {
        wal.flush();
    }

    /**
     * Wait until at least {@code minReplicas} replicas have the entry at {@code offset} at {@code level}. A timeout
     * is an answer (false), not a loss: the entry stays in the WAL and keeps replicating.
     *
     * @param offset      the entry.
     * @param minReplicas how many replicas must have it.
     * @param level       received, durable or applied.
     * @param timeout     how long to wait.
     * @return true if replicated in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitReplicated(final long offset, final int minReplicas, final AckLevel level, final Duration timeout)
        throws InterruptedException
    {
        return slots.await(offset, minReplicas, level, timeout.toNanos());
    }

    /**
     * @return the next offset to be appended.
     */
    public long nextOffset()
    {
        return wal.nextOffset();
    }

    /**
     * @return the address replicas connect to (the real port when configured with port 0).
     */
    public InetSocketAddress localAddress()
    {
        try
        {
            return (InetSocketAddress)server.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "primary socket is closed", ex);
        }
    }

    /**
     * @return whether this primary runs: false once {@link #close()} began.
     */
    public boolean isRunning()
    {
        return running;
    }

    /**
     * @return whether a node of a newer epoch superseded this primary (it then refuses appends).
     */
    public boolean fenced()
    {
        return fence.fenced();
    }

    /**
     * @return the WAL's history.
     */
    public History history()
    {
        return history;
    }

    /**
     * @return head, oldest and every replica's progress, lag and ack latency.
     */
    public PrimaryStatus status()
    {
        final long head = wal.nextOffset();
        return new PrimaryStatus(head, wal.oldestOffset(), history.id().toString(), history.epoch(),
            wal.config().syncPolicy().label(), wal.syncedOffset() + 1, slots.statuses(head, config.evictionWarningMs()),
            appliedOffset(), fence.fenced());
    }

    /**
     * @return the slot of one replica, or null if it never connected.
     * @param id the replica id.
     */
    public ReplicaSlot slot(final String id)
    {
        for (final ReplicaSlot slot : slots.all())
        {
            if (slot.id().equals(id))
            {
                return slot;
            }
        }
        return null;
    }

    /**
     * Stop the sender thread, close every connection and the WAL. With an invoker, from any thread: a duty cycle in
     * progress closes them when it returns.
     */
    @Override
    public void close()
    {
        if (!running)
        {
            return;
        }
        running = false;
        final dev.ferry.engine.archive.ArchiveShipping archiving = shipping;
        if (archiving != null)
        {
            archiving.close(); // first: it uploads what it built from the WAL, still open
        }
        final dev.ferry.engine.metrics.NodeFigures published = figures;
        if (published != null)
        {
            published.close();
        }
        if (invoker != null)
        {
            invoker.close(); // now, or when the cycle in progress returns; then closeStorage
            return;
        }
        if (runner.stop()) // wakes the sender if it is blocked in epoll; it closes every session
        {
            closeStorage();
        }
        else
        {
            // unmapping the WAL under a sender that may still read it would crash the JVM: the sender closes it when it
            // ends (senderEnded)
            config.eventLog().log("the primary's sender did not stop within 10 s; its WAL " + wal.directory() +
                " is closed when it does");
        }
    }

    /** On the sender thread, its last act: after a close that did not wait for it, close what it used. */
    private void senderEnded()
    {
        if (!running)
        {
            closeStorage();
        }
    }

    private synchronized void closeStorage()
    {
        dev.ferry.engine.serve.Listeners.closeQuietly(server);
        if (!wal.isClosed())
        {
            wal.close();
        }
    }

    /**
     * @return every entry below this is applied by the primary's state machine; without one, {@link #nextOffset()}.
     */
    public long appliedOffset()
    {
        final Applier applier = agent.applier();
        return applier == null ? wal.nextOffset() : applier.appliedOffset();
    }

    /**
     * @return the error that stopped the primary's state machine (an entry it refused, named with its offset), or null.
     */
    public FerryException stateError()
    {
        final Applier applier = agent.applier();
        return applier == null ? null : applier.lastError();
    }

    /**
     * @return the settings.
     */
    public PrimaryConfig config()
    {
        return config;
    }
}
