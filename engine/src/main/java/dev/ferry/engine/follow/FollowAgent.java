package dev.ferry.engine.follow;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.ReplicaState;
import dev.ferry.engine.SnapshotProgress;
import dev.ferry.engine.agent.Agent;
import dev.ferry.engine.handshake.PrimaryWelcome;
import dev.ferry.engine.handshake.ReplicaHello;
import dev.ferry.engine.handshake.Resume;
import dev.ferry.engine.handshake.ResumeDecision;
import dev.ferry.engine.history.Fence;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCategory;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.FrameHandler;
import dev.ferry.net.PlainTransport;
import dev.ferry.net.SelectorParker;
import dev.ferry.net.Transport;
import dev.ferry.net.auth.ClientHandshake;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.auth.PeerRefusal;
import dev.ferry.net.message.HeartbeatFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.SnapshotChunkFlyweight;
import dev.ferry.net.message.SnapshotEndFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.net.tls.TlsFactory;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.Wal;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The following side as a duty cycle: the link to the upstream node (a primary) through
 * {@code CONNECTING -> HANDSHAKING -> STREAMING}, writing every entry into this node's WAL at the upstream's offsets
 * ({@link UpstreamReceiver}), acknowledging received and durable offsets, heartbeating, noticing a silent upstream, and
 * on an error {@code BACKOFF} with exponential back-off and jitter before connecting again, resuming from the WAL's
 * next offset with no gap and no duplicate. An error whose {@link ErrorCategory} is not {@code RETRY} stops it for
 * good ({@code STOPPED} with {@link #lastError()}); {@link #isDone()} then tells its runner.
 * <p>
 * Nothing here blocks: connecting is a non-blocking connect finished on later cycles, the {@code WELCOME} is awaited
 * cycle by cycle, and back-off is a deadline. So one thread can follow upstream and serve downstream (cascading), or
 * the application can run the cycle itself. State, error and positions are readable from any thread; everything
 * else belongs to the thread running the cycle.
 */
public final class FollowAgent implements Agent
{
    /** Told of every state change, on the thread running the cycle. */
    @FunctionalInterface
    public interface Transitions
    {
        /**
         * @param from  the state before.
         * @param to    the state now.
         * @param error the error that caused it, or null.
         */
        void onStateChange(ReplicaState from, ReplicaState to, FerryException error);
    }

    private final ReplicaConfig config;
    private volatile Wal wal; // replaced when a snapshot is loaded
    private final SelectorParker parker;
    private final EventLog log;
    private final Transitions transitions;
    private final HelloFlyweight hello = new HelloFlyweight();
    private final ClientHandshake handshake;
    private final TlsFactory tls;
    private final WelcomeFlyweight welcome = new WelcomeFlyweight();
    private final FrameHandler onHandshakeFrame = this::onHandshakeFrame;
    private final FrameHandler onSnapshotFrame = this::onSnapshotFrame;
    private final SnapshotChunkFlyweight chunk = new SnapshotChunkFlyweight();
    private final SnapshotEndFlyweight end = new SnapshotEndFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final SnapshotReceiver snapshots;
    private volatile UpstreamReceiver receiver; // replaced when a snapshot is loaded; read by any thread
    private volatile Applier applier;
    private volatile long snapshotsLoaded;
    private volatile Path movedAside;
    private volatile long truncations;
    private final dev.ferry.engine.metrics.ErrorCounters counters = new dev.ferry.engine.metrics.ErrorCounters();
    private boolean needsSnapshot;
    private volatile WalAside.Suffix lastTruncation;
    private PrimaryWelcome accepted; // the WELCOME's fields, kept: its bytes in the receive buffer are overwritten
    private Codec acceptedCodec;
    private long acceptedHead;
    private long snapshotHeartbeatNs;
    private boolean snapshotLoaded;
    private volatile ReplicaState state = ReplicaState.STOPPED;
    private volatile FerryException lastError;
    private volatile FrameConnection connection; // read by the parker's may-block check on the same thread
    private History history;
    private SocketChannel connecting;
    private boolean welcomed;
    private boolean closed;
    private final dev.ferry.engine.agent.Companion side = new dev.ferry.engine.agent.Companion();
    private Runnable beforeWalChange = () ->
    {
    };
    private long deadlineNs;
    private long retryAtNs;
    private long backoffNs;
    private int attempt;

    /**
     * @param config      the replica's settings.
     * @param wal         its WAL, written only by the thread running this agent.
     * @param history     its stored history, or null.
     * @param auth        the secret's proofs.
     * @param parker      the idle parker of the thread running this agent (woken by the upstream's bytes).
     * @param transitions told of every state change.
     */
    public FollowAgent(final ReplicaConfig config, final Wal wal, final History history, final HandshakeAuth auth,
        final SelectorParker parker, final Transitions transitions)
    {
        this.config = config;
        this.wal = wal;
        this.history = history;
        this.parker = parker;
        this.log = config.eventLog();
        this.transitions = transitions;
        this.handshake = new ClientHandshake(auth);
        this.tls = config.tls() == null ? null : TlsFactory.client(config.tls()); // bad files fail at start
        this.receiver = new UpstreamReceiver(config, wal, handshake, parker::readyNow, counters);
        this.snapshots = new SnapshotReceiver(wal.directory().resolve(StateStore.DIRECTORY));
        this.backoffNs = config.backoffMinNs();
    }

    /**
     * Finish moving a WAL aside if a crash interrupted it while a snapshot was being loaded, so the replica opens an
     * empty WAL rather than what was left of its old one (the snapshot's part is kept: the transfer resumes). Before
     * the WAL is opened.
     *
     * @param walDirectory the replica's WAL directory.
     * @return where the old WAL now is, or null if no move was interrupted.
     */
    public static Path finishInterruptedMoveAside(final Path walDirectory)
    {
        return WalAside.finishInterrupted(walDirectory);
    }

    /**
     * Check the chained checksum of the newest entries of a replica's WAL before it follows (each entry's payload
     * against its CRC32C, each chain against the one before it): a byte changed on its disk since they were written is
     * found here, and the WAL truncated before it (what followed kept aside, never deleted), so that the primary sends
     * those entries again rather than this replica serving or applying damaged ones, or resuming on top of them.
     *
     * @param wal     the replica's WAL, no cursor open.
     * @param history its history, or null.
     * @param from    the first offset to check (the oldest retained if below).
     * @param log     told of a repair.
     * @param id      the replica's id, for the log.
     * @return the WAL to follow with: {@code wal}, or the truncated one (then {@code wal} is closed).
     */
    public static Wal repairDamagedTail(final Wal wal, final History history, final long from, final EventLog log,
        final String id)
    {
        final long damaged = wal.verifyChain(from);
        if (damaged < 0)
        {
            return wal;
        }
        final WalAside.Suffix suffix = WalAside.keepSuffix(wal, damaged, history);
        new StateStore(wal.directory()).moveAbove(damaged, suffix.directory());
        final Wal truncated = wal.truncateAfter(damaged - 1);
        if (history != null)
        {
            history.truncatedTo(damaged).save(truncated.directory());
        }
        log.log("replica " + id + ": its entry at offset " + damaged + " does not match its chained checksum (a byte " +
            "changed on its disk): its WAL was truncated before it, and the " + suffix.count() + " entries read from " +
            "there kept in " + suffix.directory() + "; the primary sends them again");
        return truncated;
    }

    /**
     * @return the WAL: the one the replica opened, until a snapshot replaces it with one that starts at the
     *         snapshot's offset.
     */
    public Wal wal()
    {
        return wal;
    }

    /**
     * @return the snapshot being received, or null.
     */
    public SnapshotProgress snapshotProgress()
    {
        return state == ReplicaState.SNAPSHOTTING ? snapshots.progress(System.nanoTime()) : null;
    }

    /**
     * @return snapshots loaded since this replica started.
     */
    public long snapshotsLoaded()
    {
        return snapshotsLoaded;
    }

    /**
     * @return where the data held before the last snapshot was moved, or null.
     */
    public Path movedAside()
    {
        return movedAside;
    }

    /**
     * @return this replica's error counters.
     */
    public dev.ferry.engine.metrics.ErrorCounters counters()
    {
        return counters;
    }

    /**
     * @return how many times this replica truncated a divergent suffix since it started.
     */
    public long truncations()
    {
        return truncations;
    }

    /**
     * @return the last suffix truncated (where it is kept, its first offset and count), or null.
     */
    public WalAside.Suffix lastTruncation()
    {
        return lastTruncation;
    }

    /**
     * Apply what is received to a state machine, on this agent's thread, from a cursor of its own; APPLIED
     * acknowledgements then say what it applied. Before the agent runs.
     *
     * @param applier the applier, closed with this agent.
     */
    public void applyWith(final Applier applier)
    {
        this.applier = applier;
        receiver.appliedBy(applier::appliedOffset);
    }

    /**
     * Run another duty cycle on this thread, after the link and before applying, started and closed with this agent.
     * Before the agent runs.
     *
     * @param agent the agent (e.g. the Redis-protocol listener, which reads the state this thread applies).
     * @param idle  true when only a readable channel watched by this agent's parker can give it work.
     */
    public void alsoRun(final Agent agent, final java.util.function.BooleanSupplier idle)
    {
        side.add(agent, idle);
    }

    /**
     * Before the agent runs.
     *
     * @param hook run on this agent's thread just before it closes or truncates its WAL to replace it (a snapshot, a
     *             truncation, a start over): whatever reads the WAL through cursors of its own closes them there.
     */
    public void beforeWalChange(final Runnable hook)
    {
        this.beforeWalChange = hook;
    }

    /**
     * @return the replica's history as this agent holds it (replaced, never changed, when it learns an epoch, truncates
     *         or starts over), or null while it holds none; on this agent's thread.
     */
    public History history()
    {
        return history;
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
     * @return true when the parked thread may block: no bytes wait to be written to the upstream, and the state machine
     *         (if any) has applied everything received.
     */
    public boolean nothingToWrite()
    {
        final FrameConnection current = connection;
        return (current == null || (current.pendingBytes() == 0 && !current.hasBufferedInput())) &&
            (applier == null || applier.caughtUp()) && side.idle();
    }

    /**
     * @return the current state.
     */
    public ReplicaState state()
    {
        return state;
    }

    /**
     * @return the error that caused the last BACKOFF or STOPPED, or null.
     */
    public FerryException lastError()
    {
        return lastError;
    }

    /**
     * @return every offset below this is durable under the WAL's sync policy.
     */
    public long durableOffset()
    {
        return receiver.durableOffset();
    }

    /**
     * @return the upstream's head as last reported (WELCOME or HEARTBEAT).
     */
    public long primaryHead()
    {
        return receiver.primaryHead();
    }

    @Override
    public String roleName()
    {
        return "ferry-replica-" + config.id();
    }

    @Override
    public boolean isDone()
    {
        return closed || (state == ReplicaState.STOPPED && lastError != null);
    }

    @Override
    public int doWork(final long nowNs)
    {
        final int linked = link(nowNs);
        final int served = closed ? 0 : side.doWork(nowNs);
        return linked + served + (applier == null ? 0 : applier.doWork(nowNs));
    }

    private int link(final long nowNs)
    {
        try
        {
            return switch (state)
            {
                case STOPPED -> lastError == null && !closed ? startConnecting(nowNs) : 0;
                case BACKOFF -> nowNs - retryAtNs >= 0 ? startConnecting(nowNs) : 0;
                case CONNECTING -> finishConnecting(nowNs);
                case HANDSHAKING -> awaitWelcome(nowNs);
                case SNAPSHOTTING -> receiveSnapshot(nowNs);
                case STREAMING -> stream(nowNs);
                case PROMOTED -> throw new IllegalStateException("a replica's link is never " + state);
            };
        }
        catch (final FerryException ex)
        {
            onError(ex, nowNs);
        }
        catch (final IOException ex)
        {
            onError(new FerryException(ErrorCode.CONNECTION, "link to " + Endpoint.format(config.primary()) +
                " failed: " + ex.getMessage(), ex), nowNs);
        }
        catch (final RuntimeException ex)
        {
            onError(new FerryException(ErrorCode.INTERNAL, "replica " + config.id() + " failed: " + ex, ex), nowNs);
        }
        return 1;
    }

    private void moveTo(final ReplicaState target, final FerryException cause)
    {
        final ReplicaState from = state;
        state = from.moveTo(target);
        transitions.onStateChange(from, target, cause);
    }

    private int startConnecting(final long nowNs) throws IOException
    {
        attempt++;
        moveTo(ReplicaState.CONNECTING, null);
        final SocketChannel channel = SocketChannel.open();
        connecting = channel;
        channel.configureBlocking(false);
        deadlineNs = nowNs + config.connectTimeoutNs();
        if (channel.connect(resolved()))
        {
            return connected(nowNs);
        }
        parker.wakeOnConnect(channel);
        return 1;
    }

    /**
     * The upstream's address, resolved again on every attempt while its name does not resolve (DNS not ready when the
     * replica starts is a connection error to retry, not a reason to stop). The lookup blocks, only then.
     */
    private InetSocketAddress resolved()
    {
        final InetSocketAddress address = config.primary();
        if (!address.isUnresolved())
        {
            return address;
        }
        final InetSocketAddress again = new InetSocketAddress(address.getHostString(), address.getPort());
        if (again.isUnresolved())
        {
            throw new FerryException(ErrorCode.CONNECTION, "cannot resolve " + Endpoint.format(address));
        }
        return again;
    }

    private int finishConnecting(final long nowNs) throws IOException
    {
        if (connecting.finishConnect())
        {
            return connected(nowNs);
        }
        if (nowNs - deadlineNs > 0)
        {
            throw new FerryException(ErrorCode.CONNECTION, "timed out connecting to " + Endpoint.format(config.primary()));
        }
        return 0;
    }

    private int connected(final long nowNs) throws IOException
    {
        final Transport transport =
            tls == null ? new PlainTransport(connecting) : tls.connect(connecting, config.primary().getHostString());
        final FrameConnection link = new FrameConnection(transport, config.maxFrameBytes(), config.maxFrameBytes());
        connecting = null;
        connection = link;
        parker.wakeOnRead(link.channel());
        moveTo(ReplicaState.HANDSHAKING, null);
        sendHello(link);
        deadlineNs = nowNs + config.connectTimeoutNs();
        return 1;
    }

    /**
     * @return whether this replica holds nothing: no entry, and no state loaded from a snapshot (whose WAL is empty
     *         but starts at the snapshot's offset).
     */
    private boolean holdsNothing()
    {
        return wal.isEmpty() && wal.nextOffset() == 0;
    }

    private void sendHello(final FrameConnection link) throws IOException
    {
        final boolean empty = holdsNothing();
        final UUID historyId = history == null ? new UUID(0, 0) : history.id();
        final long epoch = history == null ? 0 : history.epoch();
        final byte[] nonce = handshake.reset();
        final int codecMask = HelloFlyweight.codecMask(config.codecs().toArray(new Codec[0]));
        final ReplicaHello.PartialSnapshot partial = applier == null ? null : snapshots.held();
        final long claim = link.claim(HelloFlyweight.length(config.id().length()) +
            (partial == null ? 0 : HelloFlyweight.PARTIAL_LENGTH));
        if (claim < 0)
        {
            throw new FerryException(ErrorCode.INTERNAL, "no room for a HELLO in a new connection's send buffer");
        }
        hello.encode(link.sendBuffer(), claim, FrameHeader.VERSION, codecMask,
            (empty ? HelloFlyweight.EMPTY_WAL_FLAG : 0) | (applier != null ? HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG : 0) |
                (needsSnapshot && empty && applier != null ? HelloFlyweight.NEEDS_SNAPSHOT_FLAG : 0) |
                (wal.config().syncPolicy() == SyncPolicy.NONE ? HelloFlyweight.NO_SYNC_FLAG : 0), epoch, wal.nextOffset(),
            historyId.getMostSignificantBits(), historyId.getLeastSignificantBits(), nonce, config.id());
        // the chain at our last entry, so the primary can check it holds the same entries up to there; the epoch named
        // fully (number, start, node), so it can find where we diverged, if we did
        hello.lastChain(empty ? HelloFlyweight.NO_LAST_CHAIN : wal.chainBefore(wal.nextOffset()))
            .epochStartOffset(history == null ? 0 : history.current().startOffset())
            .epochNode(HelloFlyweight.nodeHash(history == null ? "" : history.current().node()));
        if (partial != null)
        {
            hello.partial(partial.offset(), partial.totalBytes(), partial.bytesHeld(), partial.crc());
        }
        final int length = hello.seal();
        handshake.sent(MessageType.HELLO, link.sendBuffer(), claim, length); // AUTH's proof covers it as sent
        link.commit(length);
        link.flush();
    }

    private int awaitWelcome(final long nowNs) throws IOException
    {
        final FrameConnection link = connection;
        int work = link.flush();
        work += link.receive(onHandshakeFrame, 1);
        if (welcomed)
        {
            startStreaming(link, nowNs);
            return 1;
        }
        if (nowNs - deadlineNs > 0)
        {
            throw new FerryException(ErrorCode.CONNECTION, "no WELCOME from " + link.remoteAddress() + " within " +
                TimeUnit.NANOSECONDS.toMillis(config.connectTimeoutNs()) + " ms");
        }
        return work;
    }

    private void onHandshakeFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        switch (type)
        {
            case CHALLENGE -> handshake.onChallenge(buffer, offset, length, connection);
            case WELCOME ->
            {
                welcome.decode(buffer, offset, length);
                handshake.verify(type, buffer, offset, length, "WELCOME from " + connection.remoteAddress());
                welcomed = true;
            }
            case ERROR -> throw handshake.refusal(buffer, offset, length, connection.remoteAddress());
            default -> throw new FerryException(ErrorCode.PROTOCOL, "expected CHALLENGE or WELCOME, got " + type);
        }
    }

    private void startStreaming(final FrameConnection link, final long nowNs)
    {
        accepted = PrimaryWelcome.of(welcome);
        acceptedCodec = welcome.codec();
        acceptedHead = welcome.headOffset();
        switch (Resume.checkWelcome(history, holdsNothing(), wal.nextOffset(), config.maxFrameBytes(), applier != null,
            wal::chainBefore, accepted))
        {
            case ResumeDecision.Refuse refuse -> throw new FerryException(refuse.code(), refuse.reason());
            case ResumeDecision.Snapshot snapshot ->
            {
                startSnapshot(nowNs);
                return;
            }
            case ResumeDecision.Truncate truncate ->
            {
                truncate(truncate);
                follow(link);
            }
            case ResumeDecision.Stream stream -> follow(link);
        }
    }

    /**
     * Remove this replica's entries from the {@code WELCOME}'s start on (the primary proved by the epochs that they are
     * not its own, and the chains agree before it), keeping them aside; roll the state machine back to a snapshot at or
     * below the start if it applied any of them. When nothing is provably common ({@code fromOffset} -1), or the state
     * cannot be rolled back, everything this replica holds is moved aside and it comes back empty (one with a state
     * machine by a snapshot: its state machine in memory holds what it applied).
     */
    private void truncate(final ResumeDecision.Truncate truncate)
    {
        final long from = truncate.fromOffset();
        final Path directory = wal.directory();
        final Path snapshot = applier == null || from < 0 || applier.appliedOffset() <= from ? null :
            new StateStore(directory).newestAtOrBelow(from, wal.oldestOffset());
        final boolean rollsBack = applier != null && from >= 0 && applier.appliedOffset() > from;
        if (from < 0 || (rollsBack && snapshot == null))
        {
            startOver(truncate.reason() + (from < 0 ? "" : "; its state machine applied up to " +
                applier.appliedOffset() + " and no snapshot at or below " + from + " is left to roll it back to"));
            return;
        }
        final Applier old = applier;
        if (old != null)
        {
            old.abandon(); // its cursor closed; its state kept in memory, rolled back below if need be
        }
        beforeWalChange.run();
        receiver.close();
        final WalAside.Suffix suffix = WalAside.keepSuffix(wal, from, history);
        // the snapshots of states that applied the entries removed go with them: never loaded again
        new StateStore(directory).moveAbove(from, suffix.directory());
        final Wal truncated = wal.truncateAfter(from - 1);
        wal = truncated;
        history = history.truncatedTo(from);
        history.save(directory);
        truncations++;
        lastTruncation = suffix;
        if (old != null)
        {
            if (snapshot != null)
            {
                loadState(old, snapshot);
            }
            applier = Applier.adopt(truncated, old.state(), config.snapshotEveryEntries(), log);
        }
        receiver = new UpstreamReceiver(config, truncated, handshake, parker::readyNow, counters);
        if (applier != null)
        {
            receiver.appliedBy(applier::appliedOffset);
        }
        log.log("replica " + config.id() + " TRUNCATED its log after offset " + (from - 1) + ": " + truncate.reason() +
            "; its " + suffix.count() + " entries from offset " + from + " to " + (from + suffix.count() - 1) +
            " are kept in " + suffix.directory() + " (never deleted by Ferry)" + (snapshot == null ? "" :
            "; its state rolled back to the snapshot at offset " + StateStore.offsetOf(snapshot)));
    }

    /**
     * Nothing this replica holds is provably the primary's: move it all aside and reconnect empty; a replica with a
     * state machine says NEEDS_SNAPSHOT, so that a snapshot replaces its state.
     */
    private void startOver(final String reason)
    {
        if (applier != null)
        {
            applier.abandon();
        }
        beforeWalChange.run();
        receiver.close();
        final Path directory = wal.directory();
        wal.close();
        final Path aside = WalAside.moveAside(directory, history);
        movedAside = aside;
        history = null;
        wal = Wal.open(config.wal().copy().firstOffset(0));
        receiver = new UpstreamReceiver(config, wal, handshake, parker::readyNow, counters);
        if (applier != null)
        {
            needsSnapshot = true; // its state in memory holds what it applied: only a snapshot may replace it
        }
        log.log("replica " + config.id() + ": " + reason + "; everything it held was moved to " + aside +
            " (never deleted by Ferry); it comes back empty" + (applier == null ? "" : ", by a snapshot"));
        throw new FerryException(ErrorCode.CONNECTION, "replica " + config.id() + " moved its log aside: reconnecting empty");
    }

    private static void loadState(final Applier applier, final Path snapshot)
    {
        try (FileChannel in = FileChannel.open(snapshot, StandardOpenOption.READ))
        {
            applier.state().loadSnapshot(in);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read the snapshot " + snapshot + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Stream from the {@code WELCOME}'s start, which is this replica's next offset (or, for one that held nothing,
     * wherever the primary starts), taking the primary's history.
     */
    private void follow(final FrameConnection link)
    {
        if (applier != null && !snapshotLoaded)
        {
            snapshots.discard(); // streamed to without a snapshot: a part held from an interrupted one is not needed
        }
        snapshotLoaded = false;
        if (wal.isEmpty() && accepted.chainBefore() >= 0 && wal.chainBefore(wal.nextOffset()) != accepted.chainBefore())
        {
            wal.seedChain((int)accepted.chainBefore()); // an empty WAL chains from the primary's chain before its start
        }
        final History followed = History.follow(history, accepted.historyId(), accepted.epoch());
        if (followed != history)
        {
            followed.save(wal.directory());
            if (history == null || followed.epoch() > history.epoch())
            {
                Fence.lift(wal.directory()); // a deposed primary that rejoined: it holds the newer epoch now
            }
            history = followed;
        }
        receiver.start(acceptedCodec, accepted.startOffset(), acceptedHead);
        moveTo(ReplicaState.STREAMING, null);
        log.log("replica " + config.id() + " streaming from " + Endpoint.format(config.primary()) + " at offset " +
            wal.nextOffset());
        backoffNs = config.backoffMinNs();
        attempt = 0;
        receiver.acknowledge(link, true);
    }

    private void startSnapshot(final long nowNs)
    {
        snapshots.begin(accepted.startOffset(), nowNs);
        snapshotLoaded = false;
        snapshotHeartbeatNs = nowNs;
        moveTo(ReplicaState.SNAPSHOTTING, null);
        final String why = holdsNothing() ? "" : history != null && !history.id().equals(accepted.historyId()) ?
            " (a NEW HISTORY: the primary's is " + accepted.historyId() + ", this replica's " + history.id() +
            ", so the primary's WAL was replaced; what this replica holds, up to offset " + wal.nextOffset() +
            ", will be moved aside, never mixed in)" :
            " (its WAL, at offset " + wal.nextOffset() + ", cannot resume from this primary: it will be moved aside)";
        log.log("replica " + config.id() + " receiving the snapshot at offset " + accepted.startOffset() + " from " +
            Endpoint.format(config.primary()) + why);
    }

    /**
     * One frame at a time, so the batches that follow {@code SNAPSHOT_END} in the same read are left for the
     * streaming receiver, over the new WAL.
     */
    private int receiveSnapshot(final long nowNs) throws IOException
    {
        final FrameConnection link = connection;
        int work = 0;
        for (int i = 0; i < 64 && state == ReplicaState.SNAPSHOTTING; i++)
        {
            final int frames = link.receive(onSnapshotFrame, 1);
            if (frames == 0)
            {
                break;
            }
            work += frames;
            if (snapshotLoaded)
            {
                follow(link);
                return work;
            }
        }
        if (nowNs - link.lastReceiveNs() > config.primaryTimeoutNs())
        {
            throw new FerryException(ErrorCode.CONNECTION, "primary " + link.remoteAddress() + " silent for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - link.lastReceiveNs()) + " ms during a snapshot");
        }
        if (nowNs - snapshotHeartbeatNs > config.heartbeatIntervalNs())
        {
            final long claim = link.claim(HeartbeatFlyweight.LENGTH);
            if (claim >= 0)
            {
                link.commit(heartbeat.wrap(link.sendBuffer(), claim)
                    .headOffset(wal.nextOffset())
                    .timeNs(wal.config().clockNs().getAsLong())
                    .seal());
                snapshotHeartbeatNs = nowNs;
            }
        }
        return work + link.flush();
    }

    private void onSnapshotFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        switch (type)
        {
            case SNAPSHOT_CHUNK -> snapshots.onChunk(chunk.decode(buffer, offset, length));
            case SNAPSHOT_END -> loadSnapshot(snapshots.complete(end.decode(buffer, offset, length)));
            case ERROR -> throw handshake.refusal(buffer, offset, length, connection.remoteAddress());
            default -> throw new FerryException(ErrorCode.PROTOCOL, "unexpected " + type + " during a snapshot");
        }
    }

    /**
     * The snapshot is whole: load it into the state machine (a snapshot it refuses changes nothing), move what this
     * replica held aside, and start over from the snapshot's offset: its file becomes the state's newest snapshot, an
     * empty WAL starts there, the primary's history is this replica's.
     */
    private void loadSnapshot(final Path incoming)
    {
        final long offset = accepted.startOffset();
        final Applier old = applier;
        try (FileChannel in = FileChannel.open(incoming, StandardOpenOption.READ))
        {
            old.state().loadSnapshot(in);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read the snapshot " + incoming + ": " + ex.getMessage(), ex);
        }
        catch (final FerryException ex)
        {
            // refused as a whole (the state is unchanged): fetched again from byte 0, slowly, as a damaged batch is
            deleteQuietly(incoming);
            throw new FerryException(ErrorCode.CHECKSUM, "the snapshot at offset " + offset + " was refused by the " +
                "state machine (" + ex.getMessage() + "); it is fetched again", ex);
        }
        if (old.state().appliedOffset() != offset)
        {
            // the state in memory was replaced by one at another offset: this applier must never save it, and this
            // replica stops (a restart rebuilds its state from disk: its snapshots and WAL are untouched)
            deleteQuietly(incoming);
            old.abandon();
            throw new FerryException(ErrorCode.APPLY, "the snapshot announced at offset " + offset + " stands at " +
                old.state().appliedOffset() + ": the primary sent a snapshot that is not the one it announced; this " +
                "replica stopped with its WAL and snapshots untouched; restart it");
        }
        old.abandon();
        beforeWalChange.run();
        receiver.close();
        final boolean heldSomething = !holdsNothing();
        final Path directory = wal.directory();
        wal.close();
        final Path aside = heldSomething ? WalAside.moveAside(directory, history) : null;
        final Path stateDirectory = directory.resolve(StateStore.DIRECTORY);
        try
        {
            new StateStore(directory).chain(offset, accepted.chainBefore());
            Files.move(incoming, new StateStore(directory).file(offset), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            WalAside.syncDirectory(stateDirectory);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot move the snapshot into " + stateDirectory + ": " +
                ex.getMessage(), ex);
        }
        final Wal fresh = Wal.open(config.wal().copy().firstOffset(offset)
            .firstChain(accepted.chainBefore() < 0 ? dev.ferry.wal.Chain.SEED : (int)accepted.chainBefore()));
        wal = fresh;
        history = null; // the primary's, from its WELCOME (startStreaming saves it)
        applier = Applier.adopt(fresh, old.state(), config.snapshotEveryEntries(), log);
        receiver = new UpstreamReceiver(config, fresh, handshake, parker::readyNow, counters);
        receiver.appliedBy(applier::appliedOffset);
        snapshots.end();
        snapshotsLoaded++;
        needsSnapshot = false;
        if (aside != null)
        {
            movedAside = aside;
        }
        snapshotLoaded = true;
        log.log("replica " + config.id() + " loaded the snapshot at offset " + offset + "; " + (aside == null ?
            "it held nothing before" : "what it held before is in " + aside + " (never deleted by Ferry: remove it " +
            "once it is not needed)"));
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // a damaged part costs disk only: the next transfer replaces it
        }
    }

    private int stream(final long nowNs) throws IOException
    {
        return receiver.doWork(connection, nowNs);
    }

    private void onError(final FerryException cause, final long nowNs)
    {
        counters.error(cause.code());
        if (state == ReplicaState.STREAMING || state == ReplicaState.SNAPSHOTTING)
        {
            counters.reconnect(); // a link that was up is lost: the next connection is a reconnect
        }
        final boolean beforeTheWelcome = !welcomed && state != ReplicaState.STREAMING;
        closeLink();
        lastError = cause;
        if (stopsForGood(cause, beforeTheWelcome))
        {
            log.log("replica " + config.id() + " stopped: " + cause.messageWithAdvice());
            moveTo(ReplicaState.STOPPED, cause);
            return;
        }
        if (cause.code() == ErrorCode.AUTHENTICATION || cause.code().category() != ErrorCategory.RETRY)
        {
            backoffNs = config.backoffMaxNs(); // not quickly: a secret or a setting must change first
        }
        final long delayNs = ThreadLocalRandom.current().nextLong(backoffNs / 2, backoffNs + 1);
        log.log("replica " + config.id() + ": " + cause.getMessage() + "; retry " + attempt + " in " +
            TimeUnit.NANOSECONDS.toMillis(delayNs) + " ms");
        retryAtNs = nowNs + delayNs; // before the listeners hear of it: whatever they do, the schedule stands
        backoffNs = Math.min(backoffNs * 2, config.backoffMaxNs());
        moveTo(ReplicaState.BACKOFF, cause);
    }

    /**
     * Whether an error ends this replica's link for good. A refusal from the primary does so only when proven (the
     * signed answer to this session's AUTH, or no secret is used) and only for what a retry cannot change: RETENTION,
     * DIVERGED, CONFIGURATION; an unproven one is what anybody on the path could have sent, so it is retried with
     * back-off. A local FENCED or DIVERGED is retried too: the next handshake decides again, proven.
     * AUTHENTICATION is never final (a secret file may be corrected, an impostor may go away) but is retried slowly,
     * and FENCED means another primary is current. A local error stops it when its category is not RETRY, unless it
     * came before a proven WELCOME: what a TLS handshake or the bytes of an unproven peer made this side conclude can
     * be forged too, so it is retried slowly.
     *
     * @param cause            the error.
     * @param beforeTheWelcome whether it came before the primary's WELCOME was verified.
     * @return whether the replica stops for good.
     */
    static boolean stopsForGood(final FerryException cause, final boolean beforeTheWelcome)
    {
        final ErrorCode code = cause.code();
        if (code == ErrorCode.AUTHENTICATION)
        {
            return false;
        }
        if (cause instanceof PeerRefusal refusal)
        {
            return refusal.proven() &&
                (code == ErrorCode.RETENTION || code == ErrorCode.DIVERGED || code == ErrorCode.CONFIGURATION);
        }
        if (beforeTheWelcome || code == ErrorCode.FENCED || code == ErrorCode.DIVERGED)
        {
            // before a proven WELCOME; a stale primary (look for the current one); or a batch that contradicts what
            // this WAL holds (on a link whose frames carry no proof it may have been injected): the next handshake
            // decides again, proven
            return false;
        }
        return code.category() != ErrorCategory.RETRY;
    }

    /**
     * The thread running this agent met an {@link Error}: stop for good, with an INTERNAL error the listeners and
     * {@link #lastError()} report. On that thread, before {@link #close()}.
     *
     * @param error what ended it.
     */
    public void fatal(final Throwable error)
    {
        closeLink();
        lastError = new FerryException(ErrorCode.INTERNAL, "replica " + config.id() + ": its thread died: " + error, error);
        if (state != ReplicaState.STOPPED)
        {
            moveTo(ReplicaState.STOPPED, lastError);
        }
    }

    /** Close this connection's socket; what outlives connections (the receiver's decoder, scratch, pretoucher) stays. */
    private void closeLink()
    {
        if (connecting != null)
        {
            try
            {
                connecting.close();
            }
            catch (final IOException ignore)
            {
                // never connected; the error that ended the attempt is the one reported
            }
            connecting = null;
        }
        final FrameConnection link = connection;
        if (link != null)
        {
            try
            {
                link.flush();
            }
            catch (final IOException | RuntimeException ignore)
            {
                // closing anyway (a failed TLS link refuses any write); the error that ended the link is the one reported
            }
            link.close();
            connection = null;
        }
        parker.forgetClosed(); // releases the closed socket's descriptor now, whatever the idle strategy
        welcomed = false;
        receiver.linkClosed();
        snapshots.end(); // what was verified stays on disk: the next HELLO resumes from it
    }

    /**
     * Close the link and everything the agent holds, and move to {@code STOPPED} (without an error, unless one
     * stopped it already). On the thread that ran it, or after that thread ended. Idempotent; the WAL stays open.
     */
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
            side.close();
            closeLink();
            if (state != ReplicaState.STOPPED)
            {
                lastError = null; // a requested stop: this STOPPED has no error
                moveTo(ReplicaState.STOPPED, null);
            }
        }
        finally
        {
            receiver.close(); // native contexts and memory, whatever a listener did
            snapshots.close();
            if (applier != null)
            {
                applier.close(); // a last snapshot, before the WAL closes
            }
        }
    }
}
