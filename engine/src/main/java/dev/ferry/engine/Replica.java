package dev.ferry.engine;

import dev.ferry.engine.agent.AgentInvoker;
import dev.ferry.engine.agent.AgentRunner;
import dev.ferry.engine.follow.FollowAgent;
import dev.ferry.engine.history.History;
import dev.ferry.engine.resp.RespServer;
import dev.ferry.engine.serve.Cascade;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.SelectorParker;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.wal.Wal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A replica: connects to its primary, writes every entry into its own WAL at the primary's offsets, verifies every
 * CRC, acknowledges received and durable offsets, heartbeats, notices a silent primary, and reconnects with
 * exponential back-off and jitter, resuming from its own next offset with no gap and no duplicate.
 * <p>
 * Its duty cycle ({@link FollowAgent}) runs on one thread, {@code ferry-replica-ID} (or one from
 * {@link ReplicaConfig#threadFactory}), with the configured idle strategy; or, with {@link ReplicaConfig#useInvoker},
 * from the application's own loop through {@link #invoker()}. Errors whose category is not RETRY (RETENTION,
 * DIVERGED, FENCED, AUTHENTICATION, STORAGE, CONFIGURATION, INTERNAL) stop it with {@link #lastError()} set;
 * everything else is retried.
 */
public final class Replica implements AutoCloseable
{
    private final ReplicaConfig config;
    private final List<ReplicaListener> listeners = new CopyOnWriteArrayList<>();
    // the receiver blocks in epoll until the primary's next batch arrives, unless it has bytes left to write
    private final SelectorParker parker;
    private final FollowAgent agent;
    private volatile AgentRunner runner;
    private volatile AgentInvoker invoker;
    private volatile boolean stopped;

    private volatile dev.ferry.engine.archive.ArchiveShipping shipping;
    private volatile Primary promoted;
    private final java.util.concurrent.CompletableFuture<Primary> promotion = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean promoting;
    private volatile dev.ferry.engine.metrics.NodeFigures figures;
    private dev.ferry.engine.resp.RespServer resp; // set once in the constructor, before the thread starts
    private Cascade cascade; // likewise; null unless it serves replicas (--serve)

    private Replica(final ReplicaConfig config)
    {
        this.config = config;
        final HandshakeAuth auth = new HandshakeAuth(config.secret());
        final java.nio.file.Path finished = FollowAgent.finishInterruptedMoveAside(config.wal().directory());
        if (finished != null)
        {
            config.eventLog().log("replica " + config.id() + ": finished moving its old WAL aside into " + finished +
                " (a crash interrupted it while a snapshot was loaded); the snapshot's transfer resumes");
        }
        final Wal opened = Wal.open(StateStore.startingAtSnapshot(config.wal(), config.stateMachine() != null));
        if (opened.tornEntriesRemoved() > 0)
        {
            config.eventLog().log("%s: removed %d torn entries at the end of %s (a power loss left them half written); "
                .formatted("replica", opened.tornEntriesRemoved(), opened.directory()) + "next offset " +
                opened.nextOffset());
        }
        final History history;
        final Wal wal;
        try
        {
            history = History.load(opened.directory());
            // the newest entries' chain, checked before anything reads them; below the newest state snapshot the state
            // holds them already (a background audit is the check for the rest)
            final long snapshot = config.stateMachine() == null ? 0 : new StateStore(opened.directory()).newestOffset();
            wal = config.verifyTailEntries() == 0 || opened.isEmpty() ? opened : FollowAgent.repairDamagedTail(opened,
                history, Math.max(snapshot, opened.nextOffset() - config.verifyTailEntries()), config.eventLog(),
                config.id());
        }
        catch (final RuntimeException ex)
        {
            opened.close();
            throw ex;
        }
        if (config.listener() != null)
        {
            listeners.add(config.listener());
        }
        final FollowAgent[] self = new FollowAgent[1];
        this.parker = new SelectorParker(() -> self[0].nothingToWrite(), 1);
        this.agent = new FollowAgent(config, wal, history, auth, parker, this::onStateChange);
        self[0] = agent;
        if (config.stateMachine() != null)
        {
            try
            {
                agent.applyWith(Applier.open(wal, config.stateMachine(), config.snapshotEveryEntries(), config.eventLog()));
                if (config.resp() != null)
                {
                    resp = new RespServer(new ReplicaResp(this), config.resp().listen(), config.resp().password(), parker,
                        wal.config().maxPayloadBytes(), config.resp().maxClients(), config.eventLog());
                    agent.alsoRun(resp, resp::idle);
                }
            }
            catch (final RuntimeException ex)
            {
                agent.close();
                wal.close();
                throw ex;
            }
        }
        if (config.serve() != null)
        {
            try
            {
                cascade = new Cascade(servingConfig(config), parker, agent::wal, agent::history, agent::applier,
                    this::cascadeStatus, this::promoteOnRequest, this::servable, config.primary(), config.id());
                agent.alsoRun(cascade, cascade::idle);
                agent.beforeWalChange(cascade::walChanging);
            }
            catch (final RuntimeException ex)
            {
                agent.close();
                wal.close();
                throw ex;
            }
        }
    }

    /**
     * The settings a replica serves its downstream replicas with: {@link ReplicaConfig#servingConfig()}'s (codec,
     * timeouts, caps, audit) or the defaults, with this replica's serving address, WAL, secret and event log.
     */
    private static PrimaryConfig servingConfig(final ReplicaConfig config)
    {
        final PrimaryConfig serving = config.servingConfig() != null ? config.servingConfig() : new PrimaryConfig();
        // its state machine, Redis listener, metrics and archive are not the serving side's business: left as they are
        return serving.listen(config.serve()).wal(config.wal()).secretFile(config.secretFile())
            .insecureNoSecret(config.insecureNoSecret()).eventLog(config.eventLog()).pretouch(false);
    }

    /**
     * @return the end of what this replica serves downstream (on its thread): what it made durable when it syncs, so a
     *         replica below never holds an entry this one could lose in a power cut; everything when it never syncs.
     */
    private long servable()
    {
        return agent.wal().config().syncPolicy() == dev.ferry.wal.SyncPolicy.NONE ? Long.MAX_VALUE : agent.durableOffset();
    }

    /** What this replica's serving port answers a status request with: its own position, and its downstream's. */
    private PrimaryStatus cascadeStatus(final Cascade serving)
    {
        final Wal wal = agent.wal();
        final History history = agent.history();
        final long head = wal.nextOffset();
        return new PrimaryStatus(head, wal.oldestOffset(), history == null ? "" : history.id().toString(),
            history == null ? -1 : history.epoch(), wal.config().syncPolicy().label(), agent.durableOffset(),
            serving.slots().statuses(head, serving.config().evictionWarningMs()), appliedOffset(), false,
            PrimaryStatus.REPLICA, Endpoint.format(config.primary()));
    }

    /**
     * Open the replica's WAL and start following the primary (on a thread of its own, unless
     * {@link ReplicaConfig#useInvoker} is set: then call {@link #invoker()}'s {@code invoke()} from your loop).
     *
     * @param config the settings, validated here.
     * @return the running replica.
     */
    public static Replica start(final ReplicaConfig config)
    {
        final Replica replica = new Replica(config.conclude());
        try
        {
            replica.figures = new dev.ferry.engine.metrics.NodeFigures("Replica", config.id(),
                () -> dev.ferry.engine.metrics.Figures.replica(config.id(), replica.state(), replica.receivedOffset(),
                    replica.durableOffset(), replica.appliedOffset(), replica.primaryHead(), replica.snapshotsLoaded(),
                    replica.truncations(), replica.agent.counters()) + (replica.cascade == null ? "" :
                    dev.ferry.engine.metrics.Figures.downstream(replica.servingStatus(), replica.cascade.counters())),
                config.metrics(), config.eventLog());
        }
        catch (final RuntimeException ex)
        {
            replica.agent.close();
            replica.agent.wal().close();
            throw ex;
        }
        if (replica.cascade != null)
        {
            try
            {
                NodeAddress.write(replica.agent.wal().directory(), replica.cascade.localAddress());
            }
            catch (final RuntimeException ex)
            {
                replica.agent.close();
                replica.agent.wal().close();
                throw ex;
            }
        }
        if (config.useInvoker())
        {
            replica.invoker = new AgentInvoker(replica.agent, config.eventLog()::log, replica::closeIfStopped);
        }
        else
        {
            replica.runner = new AgentRunner(replica.agent, IdleStrategies.parse(config.idleStrategy(), replica.parker),
                config.threadFactory() == null ? AgentRunner.daemon("ferry-replica-" + config.id()) : config.threadFactory(),
                replica.parker::wakeupNow, config.eventLog()::log, replica::closeIfStopped, replica.agent::fatal);
            replica.runner.start();
        }
        if (config.archive() != null)
        {
            replica.shipping = dev.ferry.engine.archive.ArchiveShipping.start(config.archive()
                .walDirectory(config.wal().directory()).log(config.eventLog()), null);
        }
        return replica;
    }

    /**
     * @return what the embedded archive shipper has done, or null if this replica ships to no archive.
     */
    public dev.ferry.engine.archive.Shipper.Status archiveStatus()
    {
        final dev.ferry.engine.archive.ArchiveShipping running = shipping;
        return running == null ? null : running.status();
    }

    private void onStateChange(final ReplicaState from, final ReplicaState to, final FerryException error)
    {
        for (final ReplicaListener listener : listeners)
        {
            try
            {
                listener.onStateChange(from, to, error);
            }
            catch (final RuntimeException ex)
            {
                // a listener's bug must not change what the replica does (e.g. skip its back-off)
                config.eventLog().log("replica " + config.id() + ": a listener failed on " + from + " -> " + to + ": " + ex);
            }
        }
    }

    /**
     * @return the address this replica serves replicas on ({@code --serve}; the real port when 0 was asked), or null.
     */
    public java.net.InetSocketAddress serveAddress()
    {
        return cascade == null ? null : cascade.localAddress();
    }

    /**
     * @return the status of this replica's serving side: its own head, and the replicas that follow it; null unless it
     *         serves replicas ({@code --serve}).
     */
    public PrimaryStatus servingStatus()
    {
        return cascade == null ? null : cascadeStatus(cascade);
    }

    /**
     * @return the address of this replica's Redis-protocol listener, or null if it has none.
     */
    public java.net.InetSocketAddress respAddress()
    {
        return resp == null ? null : resp.address();
    }

    /**
     * @return every entry below this is applied by the state machine; without one, {@link #receivedOffset()}.
     */
    public long appliedOffset()
    {
        final Applier applier = agent.applier();
        return applier == null ? receivedOffset() : applier.appliedOffset();
    }

    /**
     * @return the error that stopped the state machine (an entry it refused, named with its offset), or null.
     */
    public FerryException stateError()
    {
        final Applier applier = agent.applier();
        return applier == null ? null : applier.lastError();
    }

    /**
     * @return the duty cycle to run from the application's loop, when started with
     *         {@link ReplicaConfig#useInvoker}.
     * @throws FerryException CONFIGURATION if the replica runs on a thread of its own.
     */
    public AgentInvoker invoker()
    {
        if (invoker == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "replica " + config.id() +
                " runs on a thread of its own; set ReplicaConfig.useInvoker(true) to run it from your loop");
        }
        return invoker;
    }

    /**
     * @param listener told of every state change, on the thread running the replica's duty cycle.
     * @return this.
     */
    public Replica addListener(final ReplicaListener listener)
    {
        listeners.add(listener);
        return this;
    }

    /**
     * @return the current state.
     */
    public ReplicaState state()
    {
        return agent.state();
    }

    /**
     * @return the error that caused the last BACKOFF or STOPPED, or null.
     */
    public FerryException lastError()
    {
        return agent.lastError();
    }

    /**
     * @return the next offset to be received: every offset below it is in this replica's WAL.
     */
    public long receivedOffset()
    {
        return agent.wal().nextOffset();
    }

    /**
     * @return the snapshot being received, or null.
     */
    public SnapshotProgress snapshotProgress()
    {
        return agent.snapshotProgress();
    }

    /**
     * @return snapshots loaded since this replica started (each one brought it back from a position the primary
     *         could not stream from).
     */
    public long snapshotsLoaded()
    {
        return agent.snapshotsLoaded();
    }

    /**
     * @return where the data this replica held before its last snapshot was moved (never deleted), or null.
     */
    public java.nio.file.Path movedAside()
    {
        return agent.movedAside();
    }

    /**
     * @return how many times this replica truncated a divergent suffix (a promotion elsewhere proved its entries from
     *         there were not the primary's) since it started.
     */
    public long truncations()
    {
        return agent.truncations();
    }

    /**
     * @return the last divergent suffix truncated: where it is kept, its first offset and how many entries, or null.
     */
    public dev.ferry.engine.follow.WalAside.Suffix lastTruncation()
    {
        return agent.lastTruncation();
    }

    /**
     * @return every offset below this is durable under the WAL's sync policy.
     */
    public long durableOffset()
    {
        return agent.durableOffset();
    }

    /**
     * @return the primary's head as last reported (WELCOME or HEARTBEAT).
     */
    public long primaryHead()
    {
        return agent.primaryHead();
    }

    /**
     * @return the replica's WAL (read it; do not write it). A snapshot replaces it with a new one: ask again after one.
     */
    public Wal wal()
    {
        return agent.wal();
    }

    /**
     * @return the replica's id.
     */
    public String id()
    {
        return config.id();
    }

    /**
     * Stop following the primary and close the WAL. Idempotent. From any thread: a duty cycle in progress (on the
     * replica's thread, or in {@link #invoker()}'s {@code invoke()}) is never closed under; it closes the link and
     * then the WAL when it returns. From a listener it returns at once; from another thread it waits (up to 10 s) for
     * the replica's own thread.
     */
    public void stop()
    {
        stopped = true;
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
            invoker.close(); // now, or after the cycle in progress; then closeIfStopped
            return;
        }
        final AgentRunner thread = runner;
        if (Thread.currentThread() == thread.thread())
        {
            thread.stop(); // the thread closes the agent, then the WAL (closeIfStopped), when this cycle returns
        }
        else if (thread.stop())
        {
            closeIfStopped(); // the thread has ended (and, if it saw the stop, has closed already: idempotent)
        }
        else
        {
            // its WAL is single-writer: closing it under a thread that may still be appending could unmap the page
            // being written, so it stays open (and locked) until the process ends
            config.eventLog().log("replica " + config.id() + " did not stop within 10 s; its WAL " + agent.wal().directory() +
                " stays open");
        }
    }

    /**
     * Once the duty cycle will not run again: the parker's selector always; the WAL if a stop was asked (after an
     * unrecoverable error the WAL stays open, readable, until {@link #stop()}).
     */
    private synchronized void closeIfStopped()
    {
        parker.close();
        final Wal wal = agent.wal();
        if (stopped && !wal.isClosed())
        {
            wal.close();
        }
    }

    @Override
    public void close()
    {
        stop();
    }

    /**
     * Promote this replica to a primary at the next epoch of its history, begun by this replica's id at its next
     * offset: it stops following, saves its state, records the epoch (atomically, before anything is appended in it),
     * and opens a {@link Primary} on its WAL that other replicas can follow. Replicas that follow the new primary learn
     * the epoch; the old primary is fenced as soon as one of them (or any node of the new epoch) talks to it, and can
     * rejoin as a replica of the new one, its divergent suffix truncated.
     * <p>
     * Promote a caught-up replica: entries the old primary acknowledged to no one but did not send here are not in the
     * new epoch (with {@code --sync-replicas 1 --sync-level durable} on the old primary, every acknowledged append was
     * here first).
     *
     * @param primary the new primary's settings (its listen address, secret, state machine, ...); its WAL settings are
     *                replaced by this replica's.
     * @return the running primary.
     * @throws FerryException CONFIGURATION if this replica holds no history yet (it never followed a primary).
     */
    public Primary promote(final PrimaryConfig primary)
    {
        promoting = true;
        try
        {
            final Primary opened = promoteNow(primary);
            promotion.complete(opened);
            return opened;
        }
        catch (final RuntimeException ex)
        {
            promotion.complete(null); // whoever waits for the primary learns there is none
            throw ex;
        }
    }

    private Primary promoteNow(final PrimaryConfig primary)
    {
        close(); // its serving port (--serve) closes with its thread: the address may be the new primary's
        if (!agent.wal().isClosed())
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "replica " + config.id() + " did not stop (its thread is " +
                "still running, or it runs on an invoker that has not closed it): not promoted, nothing recorded");
        }
        if (History.load(config.wal().directory()) == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "replica " + config.id() + " holds no history yet (it " +
                "never followed a primary): there is nothing to promote");
        }
        final Primary opened = Primary.open(primary.wal(config.wal().copy()).promotedBy(config.id()));
        promoted = opened;
        if (config.primary() != null)
        {
            // the superseded primary, if it comes back at its address, is fenced within seconds
            new FencingProbe(config.primary(), config.secret(), config.tls(), config.id(), opened.history(),
                opened::nextOffset, opened::isRunning, config.eventLog());
        }
        return opened;
    }

    /**
     * @return the JMX name of this replica's figures, or null if they could not be registered.
     */
    public javax.management.ObjectName mbeanName()
    {
        final dev.ferry.engine.metrics.NodeFigures published = figures;
        return published == null ? null : published.mbeanName();
    }

    /**
     * @return the address of this replica's metrics endpoint, or null if it serves none.
     */
    public java.net.InetSocketAddress metricsAddress()
    {
        final dev.ferry.engine.metrics.NodeFigures published = figures;
        return published == null ? null : published.metricsAddress();
    }

    /**
     * @return whether a promotion of this replica began (it may not have finished: see {@link #promoted()}).
     */
    public boolean promoting()
    {
        return promoting;
    }

    /**
     * @return this replica's settings.
     */
    public ReplicaConfig config()
    {
        return config;
    }

    /**
     * Wait for a promotion that began ({@link #promoting()}) to end.
     *
     * @param timeout how long to wait.
     * @return the primary this replica became, or null if the promotion failed, none began, or it took longer.
     * @throws InterruptedException if interrupted while waiting.
     */
    public Primary awaitPromoted(final java.time.Duration timeout) throws InterruptedException
    {
        if (!promoting)
        {
            return null;
        }
        try
        {
            return promotion.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            return promoted;
        }
    }

    /**
     * @return the primary this replica became when promoted (by {@link #promote} or {@code ferry promote}), or null.
     */
    public Primary promoted()
    {
        return promoted;
    }

    /** A {@code ferry promote} reached the serving port: promote, answer with the epoch and offset begun. */
    private String promoteOnRequest()
    {
        final PrimaryConfig primary = config.promotedConfig() != null ? config.promotedConfig().get() :
            new PrimaryConfig().secretFile(config.secretFile()).insecureNoSecret(config.insecureNoSecret())
                .eventLog(config.eventLog());
        final Primary opened = promote(primary.listen(config.serve()));
        return "{\"promoted\":true,\"replica\":\"" + config.id() + "\",\"epoch\":" + opened.history().epoch() +
            ",\"startOffset\":" + opened.history().current().startOffset() + ",\"historyId\":\"" +
            opened.history().id() + "\",\"listen\":\"" + Endpoint.format(opened.localAddress()) + "\"}";
    }
}
