package dev.ferry.engine.serve;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.agent.Agent;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.Applier;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.SelectorParker;
import dev.ferry.wal.Wal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A replica serving replicas ({@code --serve}): a {@link ServeAgent} run inside the replica's own duty cycle, on its
 * thread, right after each cycle's appends, over the replica's WAL at the same offsets, epochs and chained checksums.
 * Downstream replicas resume, take snapshots, are acknowledged and audited exactly as from a primary.
 * <p>
 * The serving agent is bound to one WAL and one history: when the replica replaces either (a snapshot, a truncation, a
 * start over, a newer epoch learned from its upstream) the agent is closed, its cursors first, before the WAL closes
 * ({@link #walChanging()}), and built again on the next cycle; downstream replicas reconnect and are told the new
 * history in their next handshake. While the replica holds no history, downstream replicas are told to retry.
 * <p>
 * The listening socket stays bound for the replica's life; an authenticated {@code PROMOTE_REQUEST} on it is answered by
 * a thread of its own, which promotes the replica (stopping this thread) and then answers.
 */
public final class Cascade implements Agent
{
    private final PrimaryConfig config;
    private final ServerSocketChannel server;
    private final SelectorParker parker;
    private final Supplier<Wal> wal;
    private final Supplier<History> history;
    private final Supplier<Applier> applier;
    private final Function<Cascade, PrimaryStatus> status;
    private final Supplier<String> promote;
    private final java.util.function.LongSupplier servable;
    private final InetSocketAddress upstream;
    private final String name;
    private final EventLog log;
    private final dev.ferry.engine.metrics.ErrorCounters counters = new dev.ferry.engine.metrics.ErrorCounters();
    private ServeAgent agent;
    private Wal servedWal;
    private History servedHistory;
    private volatile SlotTable slots = new SlotTable();
    private final java.util.List<PromoteRequest> promotions = new java.util.ArrayList<>(); // taken this cycle
    private volatile boolean promoting; // reset by a promotion thread whose promotion failed
    private boolean closed;
    private boolean failed; // the serving side threw: retried every RETRY_NS, reported once
    private long retryAtNs;
    /** How long the serving side waits to be tried again after it failed. */
    private static final long RETRY_NS = 1_000_000_000L;

    /**
     * Bind the serving address; nothing is served until the agent runs.
     *
     * @param config   the serving settings: listen address, secret, codec, timeouts, caps (its WAL is the replica's).
     * @param parker   the replica thread's parker: it wakes on a new connection and on every session's bytes.
     * @param wal      the replica's WAL as it stands (on the replica's thread).
     * @param history  the replica's history as it stands, or null.
     * @param applier  the replica's state machine's applier, or null: what a downstream snapshot is made from.
     * @param status   this node's status document, given this cascade's slots; called on the status thread.
     * @param promote  promotes the replica and returns the answer's JSON (called on a promotion thread).
     * @param servable the end of what may be sent downstream: the replica's durable offset, when it syncs.
     * @param upstream the address the replica follows.
     * @param name     the replica's name, for the log and threads.
     * @throws FerryException CONFIGURATION if the address cannot be bound.
     */
    public Cascade(final PrimaryConfig config, final SelectorParker parker, final Supplier<Wal> wal,
        final Supplier<History> history, final Supplier<Applier> applier, final Function<Cascade, PrimaryStatus> status,
        final Supplier<String> promote, final java.util.function.LongSupplier servable, final InetSocketAddress upstream,
        final String name)
    {
        this.servable = servable;
        this.config = config.conclude();
        this.parker = parker;
        this.wal = wal;
        this.history = history;
        this.applier = applier;
        this.status = status;
        this.promote = promote;
        this.upstream = upstream;
        this.name = name;
        this.log = config.eventLog();
        final ServerSocketChannel bound = Listeners.bind(config.listen(), "--serve ");
        try
        {
            parker.wakeOnAccept(bound);
        }
        catch (final RuntimeException ex)
        {
            Listeners.closeQuietly(bound);
            throw ex;
        }
        this.server = bound;
    }

    /**
     * @return the bound address (its port when 0 was asked).
     */
    public InetSocketAddress localAddress()
    {
        try
        {
            return (InetSocketAddress)server.getLocalAddress();
        }
        catch (final IOException ex)
        {
            return config.listen();
        }
    }

    /**
     * @return the downstream replicas' slots as the serving agent holds them now (thread-safe to read).
     */
    public SlotTable slots()
    {
        return slots;
    }

    /**
     * @return the serving settings.
     */
    public PrimaryConfig config()
    {
        return config;
    }

    /**
     * @return the address the replica follows.
     */
    public InetSocketAddress upstream()
    {
        return upstream;
    }

    /**
     * @return errors by code, reconnects and NACKs of the downstream sessions.
     */
    public dev.ferry.engine.metrics.ErrorCounters counters()
    {
        return counters;
    }

    @Override
    public String roleName()
    {
        return "ferry-cascade-" + name;
    }

    @Override
    public int doWork(final long nowNs)
    {
        if (closed)
        {
            return 0;
        }
        if (failed && nowNs - retryAtNs < 0)
        {
            // the serving side failed: it is tried again later; following and applying go on meanwhile. A connection
            // nobody accepts would keep the parker's selector ready (a spinning thread): closed unanswered
            return refusePending();
        }
        int work = 0;
        try
        {
            final Wal current = wal.get();
            final History held = history.get();
            if (agent == null || current != servedWal || held != servedHistory)
            {
                rebuild(current, held);
                work++;
            }
            work += agent.doWork(nowNs);
            if (failed)
            {
                failed = false;
                log.log("replica " + name + " serves its downstream replicas again");
            }
        }
        catch (final RuntimeException ex)
        {
            if (!failed)
            {
                log.log("replica " + name + " cannot serve its downstream replicas (" + ex.getMessage() + "); it " +
                    "goes on following " + Endpoint.format(upstream) + " and tries again every second");
            }
            failed = true;
            retryAtNs = nowNs + RETRY_NS;
            try
            {
                closeAgent();
            }
            catch (final RuntimeException closing)
            {
                agent = null; // already failing: the new one is built on the next try
            }
            work++;
        }
        while (!promotions.isEmpty())
        {
            work += startPromotion(promotions.removeFirst()); // each answered by a thread started after the cycle
        }
        return work;
    }

    /**
     * @return true when only a channel the parker watches can give this cascade work.
     */
    public boolean idle()
    {
        if (closed)
        {
            return true;
        }
        if (failed)
        {
            return true; // tried again on a later cycle (the parker blocks for a millisecond at most)
        }
        return agent != null && servedWal == wal.get() && servedHistory == history.get() && agent.nothingToSend();
    }

    private void rebuild(final Wal current, final History held)
    {
        final boolean first = agent == null && servedWal == null;
        closeAgent();
        final SlotTable fresh = new SlotTable();
        final ServeAgent built = new ServeAgent(config, current, held, fresh, server, () -> status.apply(this),
            counters, parker, upstream, promotions::add, servable);
        final Applier snapshots = applier.get();
        if (snapshots != null)
        {
            built.snapshotsFrom(snapshots);
        }
        agent = built;
        slots = fresh;
        servedWal = current;
        servedHistory = held;
        if (!first)
        {
            log.log("replica " + name + " serves its downstream replicas again from offset " + current.nextOffset() +
                (held == null ? " (no history yet: they are told to retry)" : " at epoch " + held.epoch() +
                " of history " + held.id()) + "; they reconnect and resume");
        }
    }

    /**
     * While the serving side has failed: accept and close what waits on the port (a client retries), at most 16 a cycle.
     *
     * @return the connections closed.
     */
    private int refusePending()
    {
        int refused = 0;
        while (refused < 16)
        {
            try (java.nio.channels.SocketChannel pending = server.accept())
            {
                if (pending == null)
                {
                    break;
                }
                refused++;
            }
            catch (final IOException ex)
            {
                break;
            }
        }
        return refused;
    }

    /**
     * The replica is about to close or truncate its WAL: close the serving agent (its cursors, its sessions) first.
     */
    public void walChanging()
    {
        closeAgent();
    }

    private void closeAgent()
    {
        if (agent != null)
        {
            final ServeAgent closing = agent;
            agent = null;
            closing.close();
        }
    }

    private int startPromotion(final PromoteRequest request)
    {
        if (promoting)
        {
            Thread.ofPlatform().daemon(true).name("ferry-promotion-" + name).start(() -> request.refuse(
                new FerryException(ErrorCode.CONFIGURATION, "replica " + name + " is being promoted already")));
            return 1;
        }
        promoting = true;
        Thread.ofPlatform().daemon(true).name("ferry-promotion-" + name).start(() ->
        {
            final String json;
            try
            {
                json = promote.get();
            }
            catch (final RuntimeException ex)
            {
                final FerryException failure = PromoteRequest.failure(ex);
                log.log("replica " + name + ": the promotion failed: " + failure.getMessage());
                promoting = false; // another request may try again (a replica it closed serves none)
                request.refuse(failure);
                return;
            }
            request.answer(json);
        });
        return 1;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            closeAgent();
        }
        finally
        {
            try
            {
                server.close(); // the address is free for the primary a promotion opens there
            }
            catch (final IOException ex)
            {
                log.log("replica " + name + ": closing its --serve port failed: " + ex);
            }
            parker.forgetClosed();
        }
    }
}
