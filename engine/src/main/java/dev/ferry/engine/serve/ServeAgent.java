package dev.ferry.engine.serve;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.agent.Agent;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.Applier;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.PlainTransport;
import dev.ferry.net.SelectorParker;
import dev.ferry.net.Transport;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.tls.PlaintextReply;
import dev.ferry.net.tls.TlsConfig;
import dev.ferry.net.tls.TlsFactory;
import dev.ferry.wal.RetentionPolicy;
import dev.ferry.wal.RetentionResult;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalException;
import dev.ferry.wal.WalPretoucher;
import dev.ferry.wal.frame.BatchFlyweight;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The primary's duty cycle, on its one sender thread: accept connections, run every {@link DownstreamSession}, apply
 * retention. A failure in one session closes that session only.
 */
public final class ServeAgent implements Agent, Sessions
{
    private static final int MAX_SESSIONS = 1024;
    /** Connections that have not authenticated yet, in all: a new one evicts the oldest beyond this. */
    static final int MAX_PENDING = 64;
    /** Connections from one host that have not authenticated yet: a new one evicts that host's oldest beyond this. */
    static final int MAX_PENDING_PER_HOST = 16;
    private static final long STRANGER_LOG_INTERVAL_NS = 10_000_000_000L;
    /**
     * New TLS connections accepted per second (and at once): a TLS handshake's key exchange runs on the sender thread
     * (about 1 ms of CPU), so strangers may take at most this much of it; replicas reconnect rarely.
     */
    static final int TLS_HANDSHAKES_PER_SECOND = 100;
    private static final long ACCEPT_INTERVAL_NS = 1_000_000;
    /** Entries read from a held slot's position for its figures (its lag in time, the size of an entry). */
    private static final int SAMPLED_ENTRIES = 64;
    /** The frame limit and buffer size of a connection until its client authenticates: every client frame fits. */
    static final int HANDSHAKE_FRAME_BYTES = 4096;

    private final PrimaryConfig config;
    private final Wal wal;
    private final SlotTable slots;
    private final ServerSocketChannel server;
    private final Serving serving;
    private final EventLog log;
    private final List<DownstreamSession> sessions = new ArrayList<>();
    private final WalPretoucher pretoucher;
    private final SlotStore slotStore;
    private long nextRetentionNs;
    private long nextAcceptNs = System.nanoTime();
    private final SelectorParker parker;
    private final boolean ownsParker;
    private boolean runsApplier = true;
    private final BooleanSupplier workWaiting = this::workWaiting;
    private long headAtPass;
    private final Runnable saveSlots = this::saveSlots;
    private final TlsFactory tls;
    private final StrangerLog strangers;
    private Applier applier;
    private final dev.ferry.engine.agent.Companion side = new dev.ferry.engine.agent.Companion();
    private double handshakeTokens = TLS_HANDSHAKES_PER_SECOND;
    private long sentAtLastCycle; // the slots' entries sent, at the last cycle (the applier's pace)
    private long sampledEntries; // read for held slots' figures, when nothing was sent or applied
    private long sampledEntryBytes;
    private long tokensAtNs = System.nanoTime();

    /**
     * @param config the primary's settings.
     * @param wal    its WAL.
     * @param history its history.
     * @param slots  its replicas' slots (loaded from the slot file here).
     * @param server the bound, non-blocking listening socket.
     * @param status what a STATUS_REQUEST is answered with.
     * @param fence  the node's fence, raised when a replica of a newer epoch says hello.
     * @param counters the node's error counters.
     */
    public ServeAgent(
        final PrimaryConfig config, final Wal wal, final History history, final SlotTable slots,
        final ServerSocketChannel server, final Supplier<PrimaryStatus> status, final dev.ferry.engine.history.Fence fence,
        final dev.ferry.engine.metrics.ErrorCounters counters)
    {
        this(config, wal, history, slots, server, status, fence, counters, null, null);
    }

    /**
     * A replica's serving side ({@code --serve}, cascading): run inside the replica's own duty cycle, on its thread,
     * idling on its parker; rebuilt by {@link Cascade} whenever the replica's WAL or history is replaced.
     *
     * @param config   the serving settings.
     * @param wal      the replica's WAL, written by the replica's thread (this agent only reads it).
     * @param history  the replica's history, or null while it holds none (a downstream replica is then told to retry).
     * @param slots    the downstream replicas' slots (loaded from the slot file here).
     * @param server   the bound, non-blocking listening socket, watched by {@code parker} already.
     * @param status   what a STATUS_REQUEST is answered with.
     * @param counters the node's error counters.
     * @param parker   the replica thread's parker (this agent neither registers the server with it nor closes it).
     * @param upstream the address the replica follows.
     * @param promote  given each authenticated PROMOTE_REQUEST, on this thread (see {@link Cascading}).
     * @param servable the end of what may be sent downstream (see {@link Cascading}).
     */
    ServeAgent(
        final PrimaryConfig config, final Wal wal, final History history, final SlotTable slots,
        final ServerSocketChannel server, final Supplier<PrimaryStatus> status,
        final dev.ferry.engine.metrics.ErrorCounters counters, final SelectorParker parker,
        final java.net.InetSocketAddress upstream, final java.util.function.Consumer<PromoteRequest> promote,
        final java.util.function.LongSupplier servable)
    {
        this(config, wal, history, slots, server, status, null, counters, parker,
            new Cascading(upstream, promote, servable));
    }

    private ServeAgent(
        final PrimaryConfig config, final Wal wal, final History history, final SlotTable slots,
        final ServerSocketChannel server, final Supplier<PrimaryStatus> status, final dev.ferry.engine.history.Fence fence,
        final dev.ferry.engine.metrics.ErrorCounters counters, final SelectorParker external, final Cascading cascading)
    {
        this.config = config;
        this.wal = wal;
        this.slots = slots;
        this.server = server;
        this.log = config.eventLog();
        this.serving = new Serving(config, wal, history, slots, new HandshakeAuth(config.secret()), log,
            new StatusPublisher(status), fence, counters, cascading);
        // a bad certificate, key or CA file fails here, at start, naming the file
        // TLS 1.3 only unless configured otherwise: no renegotiation a client could start again and again
        this.tls = config.tls() == null ? null : TlsFactory.server(config.tls().copy()
            .protocols(config.tls().protocols().equals(TlsConfig.PROTOCOLS_DEFAULT) ?
                new String[]{TlsConfig.TLS_1_3} : config.tls().protocols().toArray(new String[0]))
            .plaintextReply(PlaintextReply.errorFrame()));
        this.strangers = new StrangerLog(log, STRANGER_LOG_INTERVAL_NS);
        this.slotStore = new SlotStore(wal.directory());
        slotStore.load(slots, wal.nextOffset());
        // a replica's pages are faulted by the thread that appends them, which is this one
        this.pretoucher = config.pretouch() && external == null ? new WalPretoucher(wal, WalPretoucher.DEFAULT_AHEAD_BYTES) : null;
        this.ownsParker = external == null;
        this.parker = external != null ? external : new SelectorParker(this::nothingToSend, config.idleBlockMs());
        if (ownsParker)
        {
            parker.wakeOnAccept(server); // a new replica wakes a parked sender too
        }
    }

    /**
     * @return how the sender thread parks: blocked until an ack arrives or {@link #wakeup()} (an append).
     */
    public SelectorParker parker()
    {
        return parker;
    }

    /**
     * After an append: wake the sender if it is blocked (a volatile read when it is not).
     */
    public void wakeup()
    {
        parker.wakeup();
    }

    /**
     * For a stop: end the sender's park, even one it begins after this call ({@link SelectorParker#wakeupNow()}).
     */
    public void wakeupNow()
    {
        parker.wakeupNow();
    }

    private boolean workWaiting()
    {
        return wal.nextOffset() != headAtPass || parker.readyNow();
    }

    /**
     * Save the slots; if that fails (a full disk), say so and go on: retention must still delete, since deleting is
     * what frees the disk, and it never goes below the floor of the slots this primary holds in memory. What a crash
     * would then leave is the last slot file saved: positions older than the truth (which only retain more), without
     * a replica that appeared since (which would need a resync).
     */
    private void saveSlots()
    {
        try
        {
            slotStore.save(slots);
        }
        catch (final FerryException ex)
        {
            log("could not save the replica slots (" + ex.getMessage() + "); retention goes on from the slots in memory");
        }
    }

    @Override
    public String roleName()
    {
        return "ferry-primary";
    }

    /**
     * Apply the WAL to a state machine on this thread, from a cursor of its own, in every duty cycle; its newest
     * snapshot holds retention back (a restart rebuilds from there). Before the agent runs.
     *
     * @param applier the applier, closed with this agent.
     */
    public void applyWith(final Applier applier)
    {
        this.applier = applier;
    }

    /**
     * Serve state snapshots from an applier another agent runs on this thread (a replica's), without running it.
     * Before the agent runs.
     *
     * @param applier the replica's applier.
     */
    void snapshotsFrom(final Applier applier)
    {
        this.applier = applier;
        this.runsApplier = false;
    }

    /**
     * Run another duty cycle on this thread, before the sessions in every cycle (so what it appends is sent in the
     * same cycle), started and closed with this agent. Before the agent runs.
     *
     * @param agent the agent (e.g. the Redis-protocol listener).
     * @param idle  true when only a readable channel watched by this agent's parker can give it work.
     */
    public void alsoRun(final Agent agent, final java.util.function.BooleanSupplier idle)
    {
        side.add(agent, idle);
    }

    @Override
    public void onStart()
    {
        side.onStart();
    }

    /**
     * @return the applier, or null.
     */
    public Applier applier()
    {
        return applier;
    }

    /**
     * @return true when only a channel the parker watches (or an append, which wakes it) can give this agent work.
     */
    boolean nothingToSend()
    {
        if (wal.nextOffset() != headAtPass)
        {
            return false; // appended since the last pass looked
        }
        if (runsApplier && applier != null && !applier.caughtUp() || !side.idle())
        {
            return false;
        }
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final DownstreamSession session = sessions.get(i);
            if (session.pendingBytes() > 0 || session.hasBufferedInput() || session.sendingSnapshot())
            {
                return false; // the socket was full (its draining does not wake a selector watching reads), or TLS
                              // decrypted more than a frame and the socket will not signal it again
            }
        }
        return true;
    }

    /**
     * One duty cycle: accept, run every session, retention when due, pretouch.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return the work done (0: nothing to do, the caller may idle).
     */
    @Override
    public int doWork(final long nowNs)
    {
        int work = side.doWork(nowNs);
        headAtPass = wal.nextOffset();
        work += accept(nowNs);
        boolean closed = false;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final DownstreamSession session = sessions.get(i);
            try
            {
                work += session.doWork(nowNs);
            }
            catch (final FerryException ex)
            {
                session.fail(ex.code(), ex.detail());
                work++;
            }
            catch (final IOException | RuntimeException ex)
            {
                log("connection " + session.remoteAddress() + (session.replicaId() == null ? "" : " (" + session.replicaId() + ")") +
                    " dropped: " + ex);
                session.close();
            }
            if (session.isClosed() || session.handedOff())
            {
                closed = true;
                sessions.remove(i);
            }
        }
        if (closed)
        {
            parker.forgetClosed(); // so the closed sockets' descriptors are really released
        }
        if (runsApplier && applier != null)
        {
            // with replicas, at the pace of what was sent to them: under a generator faster than the node, the local
            // state lags rather than replication; alone, at the pace of the WAL
            final long sent = slots.sentEntries();
            work += sessions.isEmpty() ? applier.doWork(nowNs) : applier.doWork(nowNs, sent - sentAtLastCycle);
            sentAtLastCycle = sent;
        }
        if (nowNs >= nextRetentionNs)
        {
            nextRetentionNs = nowNs + config.retentionIntervalNs();
            work += retain();
        }
        if (pretoucher != null)
        {
            // page faults of future appends taken here: two pages when busy; when idle up to 32, stopping as soon as
            // an append or an ack is waiting
            work += work == 0 ? pretoucher.doWork(32, workWaiting) : pretoucher.doWork(2);
        }
        return work;
    }

    private int accept(final long nowNs)
    {
        // a non-blocking accept() that finds nothing still allocates and frees a socket inode in the kernel: measured
        // ~5% of the sender's CPU when called every duty cycle, so new connections are looked for once a millisecond
        if (nowNs - nextAcceptNs < 0)
        {
            return 0;
        }
        nextAcceptNs = nowNs + ACCEPT_INTERVAL_NS;
        int accepted = 0;
        while (accepted < 16)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                log("accept failed: " + ex);
                return accepted;
            }
            if (channel == null)
            {
                return accepted;
            }
            accepted++;
            if (tls != null && !tlsHandshakeAllowed(nowNs))
            {
                closeQuietly(channel);
                strangers.log("refused a connection: more than " + TLS_HANDSHAKES_PER_SECOND + " TLS handshakes a " +
                    "second (each costs the sender thread about a millisecond)", nowNs);
                continue;
            }
            if (sessions.size() >= MAX_SESSIONS && !evictPending(null))
            {
                closeQuietly(channel);
                strangers.log("refused a connection: " + MAX_SESSIONS + " sessions open", nowNs);
                continue;
            }
            try
            {
                // a stranger gets buffers for the handshake only (4 KiB each way); the session grows them once the
                // client has proved the secret
                final Transport transport = tls == null ? new PlainTransport(channel) : tls.accept(channel);
                final DownstreamSession session = new DownstreamSession(serving, this,
                    new FrameConnection(transport, HANDSHAKE_FRAME_BYTES, HANDSHAKE_FRAME_BYTES, HANDSHAKE_FRAME_BYTES),
                    nowNs);
                boundPending(session);
                sessions.add(session);
                parker.wakeOnRead(channel);
            }
            catch (final IOException | FerryException | OutOfMemoryError ex)
            {
                closeQuietly(channel); // out of (native) memory: refuse this one, keep serving the others
                strangers.log("could not set up a connection: " + ex, nowNs);
            }
        }
        return accepted;
    }

    /**
     * A new connection may not push the pending handshakes past their bounds: beyond {@link #MAX_PENDING_PER_HOST}
     * from its host it evicts that host's oldest; beyond {@link #MAX_PENDING} in all it evicts the oldest of the host
     * with the most pending (so a host with one pending handshake goes only when more than {@code MAX_PENDING} hosts
     * wait). The oldest goes, not the newest: a flood cannot lock a real replica out for as long as it lasts, and a few
     * flooding hosts cannot push out a lone replica's handshake.
     */
    private void boundPending(final DownstreamSession incoming)
    {
        final String host = incoming.hostKey();
        int pending = 0;
        int fromHost = 0;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final DownstreamSession session = sessions.get(i);
            if (session.pending() && !session.isClosed())
            {
                pending++;
                fromHost += host.equals(session.hostKey()) ? 1 : 0;
            }
        }
        if (fromHost >= MAX_PENDING_PER_HOST && evictPending(host))
        {
            pending--;
        }
        if (pending >= MAX_PENDING)
        {
            evictPending(busiestHost());
        }
    }

    private String busiestHost()
    {
        final Map<String, Integer> counts = new HashMap<>();
        String busiest = null;
        int most = 0;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final DownstreamSession session = sessions.get(i);
            if (session.pending() && !session.isClosed())
            {
                final int count = counts.merge(session.hostKey(), 1, Integer::sum);
                if (count > most)
                {
                    most = count;
                    busiest = session.hostKey();
                }
            }
        }
        return busiest;
    }

    /**
     * @param host only from this host, or null for any.
     * @return whether a pending connection was closed.
     */
    private boolean evictPending(final String host)
    {
        DownstreamSession oldest = null;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final DownstreamSession session = sessions.get(i);
            if (session.pending() && !session.isClosed() && (host == null || host.equals(session.hostKey())) &&
                (oldest == null || session.createdNs() - oldest.createdNs() < 0))
            {
                oldest = session;
            }
        }
        if (oldest == null)
        {
            return false;
        }
        oldest.close(); // no ERROR: a stranger is owed nothing, and writing to it could block on nothing
        strangers.log("closed unauthenticated connection(s) to bound pending handshakes (" + MAX_PENDING + " in all, " +
            MAX_PENDING_PER_HOST + " per host); the latest from " + oldest.remoteAddress(), System.nanoTime());
        return true;
    }

    /**
     * A token bucket: {@link #TLS_HANDSHAKES_PER_SECOND} tokens a second, as many at most.
     */
    private boolean tlsHandshakeAllowed(final long nowNs)
    {
        handshakeTokens = Math.min(TLS_HANDSHAKES_PER_SECOND,
            handshakeTokens + (nowNs - tokensAtNs) * (TLS_HANDSHAKES_PER_SECOND / 1e9));
        tokensAtNs = nowNs;
        if (handshakeTokens < 1)
        {
            return false;
        }
        handshakeTokens--;
        return true;
    }

    @Override
    public void strangerRefused(final String line)
    {
        strangers.log(line, System.nanoTime());
    }

    private int retain()
    {
        final RetentionPolicy policy = config.retention();
        if (policy.maxAge() == null && policy.maxBytes() == 0)
        {
            return 0;
        }
        if (config.slotCapBytes() > 0 || config.snapshotCapBytes() > 0)
        {
            final long head = wal.nextOffset();
            final long averageEntryBytes = averageEntryBytes();
            for (final ReplicaSlot slot : slots.all())
            {
                final boolean snapshotting = slot.state() == SlotState.SNAPSHOTTING;
                if (slot.state() == SlotState.DISCONNECTED || snapshotting)
                {
                    // an offline replica's lag (or one taking a snapshot) grows with every append: estimate it from
                    // the entries sent so far
                    slot.lag(slot.lagMillis(), Math.max(0, head - slot.retainFrom()) * averageEntryBytes);
                }
                // a snapshot in flight holds the WAL after it under a cap of its own: a resync never loops because
                // the log it needs was deleted under it, and never holds more than the operator allowed
                final long cap = snapshotting ? config.snapshotCapBytes() : config.slotCapBytes();
                if (slot.sampleEviction(System.nanoTime(), cap, config.evictionWarningMs()))
                {
                    log("WARNING: replica " + slot.id() + " is " + slot.lagBytes() + " bytes behind and falls " +
                        "further behind: at this rate it passes the " + (snapshotting ? "snapshot" : "slot") +
                        " cap of " + cap + " bytes in about " + (slot.evictionEtaMillis() + 999) / 1000 + " s, and " +
                        "then needs a resync (bring it back, or raise --slot-cap-bytes)");
                }
                if (cap > 0 && !slot.invalidated() && slot.lagBytes() > cap)
                {
                    slot.invalidate();
                    log("replica " + slot.id() + " is " + slot.lagBytes() + " bytes behind, past the " +
                        (snapshotting ? "snapshot cap of " : "slot cap of ") + cap +
                        ": it no longer holds retention back and will need a resync");
                }
            }
        }
        try
        {
            // the slots are saved (tmp, fsync, rename) only just before a deletion: a restart must know who held
            // retention back when something went, and positions older than the truth only retain more. An fsync on
            // every pass ran on this thread once a second and stalled replication for milliseconds each time.
            if (slotStore.slotSetChanged(slots))
            {
                saveSlots(); // a new or given-up replica is saved at once (rare): a restart must know it
            }
            final long floor = applier == null ? slots.floor() : Math.min(slots.floor(), applier.snapshotOffset());
            final RetentionResult result = wal.retain(policy, floor, System.currentTimeMillis(), saveSlots);
            if (result.cyclesDeleted() > 0)
            {
                log("retention deleted " + result.cyclesDeleted() + " roll cycle(s), " + result.bytesDeleted() +
                    " bytes; oldest offset now " + result.oldestOffset());
            }
            return result.cyclesDeleted();
        }
        catch (final RuntimeException ex)
        {
            log("retention failed (retried next interval): " + ex);
            return 0;
        }
    }

    /**
     * @return the average size of the entries this node sent, or (before it sent any, e.g. while its only replica takes
     *         a snapshot) applied, or (neither) read for a held slot ({@link #holdSlot}); 0 if none of those.
     */
    @Override
    public long averageEntryBytes()
    {
        final long sent = slots.averageEntryBytes();
        if (sent > 0)
        {
            return sent;
        }
        final long applied = applier == null ? 0 : applier.averageEntryBytes();
        return applied > 0 || sampledEntries == 0 ? applied : sampledEntryBytes / sampledEntries;
    }

    @Override
    public String dropSlot(final String id)
    {
        final ReplicaSlot slot = slots.find(id);
        if (slot == null)
        {
            throw new dev.ferry.error.FerryException(dev.ferry.error.ErrorCode.CONFIGURATION, "no slot '" + id +
                "' on this primary (ferry slots lists them)");
        }
        if (slot.state() != SlotState.DISCONNECTED)
        {
            throw new dev.ferry.error.FerryException(dev.ferry.error.ErrorCode.CONFIGURATION, "replica " + id +
                " is connected (" + slot.state() + "): stop it first; a slot in use is not dropped");
        }
        slots.remove(slot);
        saveSlots(); // at once: a restart must not bring the slot back
        log("slot " + id + " dropped by an operator: it held retention at offset " + slot.retainFrom() + ", " +
            slot.lagBytes() + " bytes behind; the replica, if it comes back, starts over as a new one");
        return "{\"dropped\":\"" + id + "\",\"heldFrom\":" + slot.retainFrom() + ",\"heldBytes\":" + slot.lagBytes() +
            ",\"released\":" + slot.invalidated() + "}";
    }

    @Override
    public String holdSlot(final String id, final long nextOffset)
    {
        final ReplicaSlot existing = slots.find(id);
        if (existing != null && existing.state() != SlotState.DISCONNECTED)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a replica named " + id + " is connected (" +
                existing.state() + "): its slot is not held by another; give the holder another id");
        }
        final long oldest = wal.oldestOffset();
        final long head = wal.nextOffset();
        if (nextOffset < oldest)
        {
            throw new FerryException(ErrorCode.RETENTION, "slot " + id + " cannot hold offset " + nextOffset +
                ": retention deleted it already, the oldest offset retained is " + oldest +
                (existing == null ? "" : " (the slot stays at " + existing.retainFrom() + ")"));
        }
        final long from = Math.min(nextOffset, head);
        final boolean released = existing != null && existing.invalidated();
        final ReplicaSlot slot = existing != null ? existing : slots.slot(id);
        slot.hold(from, System.nanoTime());
        slot.lag(sampleEntriesFrom(from), (head - from) * averageEntryBytes());
        saveSlots(); // at once: a restart must keep holding the WAL for it
        if (existing == null || released)
        {
            log("slot " + id + (existing == null ? " created" : " held again, after it was released past its cap,") +
                " by a holder that is not a replica (HOLD_SLOT_REQUEST): it holds retention from offset " + from +
                " (head " + head + ", oldest " + oldest + ")");
        }
        return "{\"held\":\"" + id + "\",\"from\":" + from + ",\"head\":" + head + ",\"oldest\":" + oldest + "}";
    }

    /**
     * Read a few entries from {@code offset}, as a holder's lag is figured: the first one's age is its lag in time,
     * and their sizes are kept as {@link #averageEntryBytes()}' last resort (a primary that has sent nothing to a
     * replica and applies nothing would otherwise estimate a held slot's bytes as 0, and never give it up past its
     * cap). Opens a cursor: for a holder's requests only, which are rare.
     *
     * @return how old the entry at {@code offset} is, in ms (the age of the oldest entry the holder does not have,
     *         as a replica's lag is); 0 if there is no entry there yet.
     */
    private long sampleEntriesFrom(final long offset)
    {
        if (offset >= wal.nextOffset())
        {
            return 0;
        }
        final long[] firstTimestampNs = {0};
        try (WalCursor cursor = wal.cursor())
        {
            if (cursor.seek(offset) == SeekResult.FOUND)
            {
                cursor.poll(entry ->
                {
                    if (firstTimestampNs[0] == 0)
                    {
                        firstTimestampNs[0] = entry.timestampNs();
                    }
                    sampledEntries++;
                    sampledEntryBytes += BatchFlyweight.ENTRY_HEADER_LENGTH + entry.length(); // as a batch sends it
                    return true;
                }, SAMPLED_ENTRIES);
            }
        }
        catch (final WalException ex)
        {
            return 0; // a damaged entry: the lag is a figure, the hold stands
        }
        return firstTimestampNs[0] == 0 ? 0 :
            Math.max(0, TimeUnit.NANOSECONDS.toMillis(config.wal().clockNs().getAsLong() - firstTimestampNs[0]));
    }

    @Override
    public void replaceOlderSession(final DownstreamSession newer, final String replicaId)
    {
        for (final DownstreamSession session : sessions)
        {
            if (session != newer && replicaId.equals(session.replicaId()) && !session.isClosed())
            {
                log("replica " + replicaId + " reconnected from " + newer.remoteAddress() + "; closing its old connection");
                session.close();
            }
        }
    }

    @Override
    public boolean ownsSlot(final DownstreamSession session, final String replicaId)
    {
        for (final DownstreamSession other : sessions)
        {
            if (other != session && !other.isClosed() && replicaId.equals(other.replicaId()))
            {
                return false;
            }
        }
        return true;
    }

    void log(final String message)
    {
        log.log(message);
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // refusing the connection anyway
        }
    }

    @Override
    public void close()
    {
        side.close(); // no more appends from it
        try
        {
            slotStore.save(slots); // a restart resumes retention from where the replicas really were
        }
        catch (final RuntimeException ex)
        {
            log("could not save replica slots on close (the last saved positions stand): " + ex);
        }
        for (final DownstreamSession session : sessions)
        {
            session.close();
        }
        sessions.clear();
        serving.status().close();
        if (runsApplier && applier != null)
        {
            applier.close(); // a last snapshot, before the WAL closes
        }
        if (ownsParker)
        {
            parker.close();
        }
        else
        {
            parker.forgetClosed();
        }
        if (pretoucher != null)
        {
            pretoucher.close();
        }
    }
}
