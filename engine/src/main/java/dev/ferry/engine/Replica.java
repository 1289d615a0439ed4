package dev.ferry.engine;

import dev.ferry.error.ErrorCategory;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.SelectorParker;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.net.idle.IdleStrategy;
import dev.ferry.net.message.AckFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.HeartbeatFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.NackFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.wal.BatchAppender;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.TimerSlack;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalPretoucher;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A replica: connects to its primary, writes every entry into its own WAL at the primary's offsets, verifies every
 * CRC, acknowledges received and durable offsets, heartbeats, notices a silent primary, and reconnects with
 * exponential back-off and jitter, resuming from its own next offset with no gap and no duplicate.
 * <p>
 * One thread, {@code ferry-replica-ID}, runs the link with the configured idle strategy. Errors it cannot recover
 * from (RETENTION, DIVERGED, FENCED, AUTHENTICATION, STORAGE, CONFIGURATION, INTERNAL) stop it with
 * {@link #lastError()} set; everything else is retried.
 */
public final class Replica implements AutoCloseable
{
    private final ReplicaConfig config;
    private final Wal wal;
    private final HandshakeAuth auth;
    private final List<ReplicaListener> listeners = new CopyOnWriteArrayList<>();
    private final EventLog log;
    private final Thread thread;
    private volatile ReplicaState state = ReplicaState.STOPPED;
    private volatile FerryException lastError;
    private volatile boolean running = true;
    // the receiver blocks in epoll until the primary's next batch arrives, unless it has bytes left to write
    private final SelectorParker parker;
    private FrameConnection activeConnection; // receiver thread only
    private volatile long durableNext;
    private volatile long primaryHead;
    private History history;

    private Replica(final ReplicaConfig config)
    {
        this.config = config;
        this.log = config.eventLog();
        this.auth = new HandshakeAuth(config.secretFile() == null ? Secret.NONE : Secret.load(config.secretFile()));
        this.wal = Wal.open(config.wal());
        try
        {
            this.history = History.load(wal.directory());
        }
        catch (final RuntimeException ex)
        {
            wal.close();
            throw ex;
        }
        this.durableNext = wal.nextOffset();
        if (config.listener() != null)
        {
            listeners.add(config.listener());
        }
        this.parker = new SelectorParker(this::nothingToWrite, 1); // closed by the thread when it ends
        final IdleStrategy idle = IdleStrategies.parse(config.idleStrategy(), parker);
        this.thread = Thread.ofPlatform().name("ferry-replica-" + config.id()).daemon(true).unstarted(() -> run(idle));
    }

    /**
     * Open the replica's WAL and start following the primary.
     *
     * @param config the settings, validated here.
     * @return the running replica.
     */
    public static Replica start(final ReplicaConfig config)
    {
        final Replica replica = new Replica(config.conclude());
        replica.thread.start();
        return replica;
    }

    /**
     * @param listener told of every state change, on the replica's thread.
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
     * @return the next offset to be received: every offset below it is in this replica's WAL.
     */
    public long receivedOffset()
    {
        return wal.nextOffset();
    }

    /**
     * @return every offset below this is durable under the WAL's sync policy.
     */
    public long durableOffset()
    {
        return durableNext;
    }

    /**
     * @return the primary's head as last reported (WELCOME or HEARTBEAT).
     */
    public long primaryHead()
    {
        return primaryHead;
    }

    /**
     * @return the replica's WAL (read it; do not write it).
     */
    public Wal wal()
    {
        return wal;
    }

    /**
     * @return the replica's id.
     */
    public String id()
    {
        return config.id();
    }

    private void moveTo(final ReplicaState target, final FerryException error)
    {
        final ReplicaState from = state;
        state = from.moveTo(target);
        for (final ReplicaListener listener : listeners)
        {
            listener.onStateChange(from, target, error);
        }
    }

    private void run(final IdleStrategy idle)
    {
        TimerSlack.set(TimerSlack.FERRY_THREADS_NS); // parks of a few µs mean a few µs, not the default 50
        long backoffNs = config.backoffMinNs();
        int attempt = 0;
        try
        {
            while (running)
            {
                FerryException error = null;
                attempt++;
                try (Link link = new Link(idle))
                {
                    moveTo(ReplicaState.CONNECTING, null);
                    link.connect();
                    moveTo(ReplicaState.HANDSHAKING, null);
                    link.handshake();
                    if (!running)
                    {
                        break; // stopped while waiting for WELCOME: never streamed
                    }
                    moveTo(ReplicaState.STREAMING, null);
                    log.log("replica " + config.id() + " streaming from " + Endpoint.format(config.primary()) +
                        " at offset " + wal.nextOffset());
                    backoffNs = config.backoffMinNs();
                    attempt = 0;
                    link.stream();
                }
                catch (final FerryException ex)
                {
                    error = ex;
                }
                catch (final SocketTimeoutException ex)
                {
                    error = new FerryException(ErrorCode.CONNECTION, "timed out connecting to " +
                        Endpoint.format(config.primary()), ex);
                }
                catch (final IOException ex)
                {
                    error = new FerryException(ErrorCode.CONNECTION, "link to " + Endpoint.format(config.primary()) +
                        " failed: " + ex.getMessage(), ex);
                }
                catch (final RuntimeException ex)
                {
                    error = new FerryException(ErrorCode.INTERNAL, "replica " + config.id() + " failed: " + ex, ex);
                }
                if (!running)
                {
                    break;
                }
                lastError = error;
                if (error == null)
                {
                    continue;
                }
                if (error.code().category() != ErrorCategory.RETRY)
                {
                    log.log("replica " + config.id() + " stopped: " + error.messageWithAdvice());
                    moveTo(ReplicaState.STOPPED, error);
                    return;
                }
                final long delayNs = ThreadLocalRandom.current().nextLong(backoffNs / 2, backoffNs + 1);
                log.log("replica " + config.id() + ": " + error.getMessage() + "; retry " + attempt + " in " +
                    TimeUnit.NANOSECONDS.toMillis(delayNs) + " ms");
                moveTo(ReplicaState.BACKOFF, error);
                final long deadline = System.nanoTime() + delayNs;
                while (running && System.nanoTime() < deadline)
                {
                    LockSupport.parkNanos(this, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50)));
                }
                backoffNs = Math.min(backoffNs * 2, config.backoffMaxNs());
            }
            if (state != ReplicaState.STOPPED)
            {
                lastError = null; // a requested stop: this STOPPED has no error
                moveTo(ReplicaState.STOPPED, null);
            }
        }
        finally
        {
            running = false;
            parker.close();
        }
    }

    private boolean nothingToWrite()
    {
        final FrameConnection connection = activeConnection;
        return connection == null || connection.pendingBytes() == 0;
    }

    /**
     * Stop following the primary and close the WAL. Idempotent.
     */
    public void stop()
    {
        running = false;
        if (Thread.currentThread() == thread)
        {
            // from a listener, on the replica's own thread: it is the WAL's writer and is not appending now
            if (!wal.isClosed())
            {
                wal.close();
            }
            return;
        }
        LockSupport.unpark(thread);
        parker.wakeup(); // ends a select at once (a no-op once the parker is closed)
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            // its WAL is single-writer: closing it under a thread that may still be appending could unmap the page
            // being written, so it stays open (and locked) until the process ends
            log.log("replica " + config.id() + " did not stop within 10 s; its WAL " + wal.directory() + " stays open");
            return;
        }
        if (!wal.isClosed())
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
     * One connection to the primary: connect, handshake, stream.
     */
    private final class Link implements AutoCloseable
    {
        private final IdleStrategy idle;
        private final Arena arena = dev.ferry.wal.Arenas.ofConfined(); // counted: tests check every arena is closed
        private final HelloFlyweight hello = new HelloFlyweight();
        private final WelcomeFlyweight welcome = new WelcomeFlyweight();
        private final AckFlyweight ack = new AckFlyweight();
        private final NackFlyweight nack = new NackFlyweight();
        private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
        private final ErrorFlyweight error = new ErrorFlyweight();
        private final BatchAppender batches;
        private final WalPretoucher pretoucher = new WalPretoucher(wal, WalPretoucher.DEFAULT_AHEAD_BYTES);
        private final BooleanSupplier frameWaiting = parker::readyNow;
        private FrameConnection connection;
        private MemorySegment scratch;
        private boolean welcomed;
        private boolean nackPending;
        private long lastSendNs;
        private long ackedNext = -1;
        private long ackedDurable = -1;
        private int batchesSinceAck;
        private long startOffset;

        Link(final IdleStrategy idle)
        {
            this.idle = idle;
            this.batches = new BatchAppender(wal, config.maxFrameBytes());
        }

        void connect() throws IOException
        {
            final SocketChannel channel = SocketChannel.open();
            try
            {
                channel.socket().connect(config.primary(), (int)TimeUnit.NANOSECONDS.toMillis(config.connectTimeoutNs()));
                connection = new FrameConnection(channel, config.maxFrameBytes(), config.maxFrameBytes());
                parker.wakeOnRead(channel);
                activeConnection = connection;
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }

        void handshake() throws IOException
        {
            final boolean empty = wal.isEmpty();
            final UUID historyId = history == null ? new UUID(0, 0) : history.id();
            final long epoch = history == null ? 0 : history.epoch();
            final byte[] nonce = auth.nextNonce(new byte[HelloFlyweight.NONCE_LENGTH]);
            final int codecMask = HelloFlyweight.codecMask(config.codecs().toArray(new Codec[0]));
            final long claim = connection.claim(HelloFlyweight.length(config.id().length()));
            hello.encode(connection.sendBuffer(), claim, FrameHeader.VERSION, codecMask,
                empty ? HelloFlyweight.EMPTY_WAL_FLAG : 0, epoch, wal.nextOffset(),
                historyId.getMostSignificantBits(), historyId.getLeastSignificantBits(), nonce,
                new byte[HelloFlyweight.PROOF_LENGTH], config.id());
            connection.commit(auth.signHello(hello).seal());
            final long deadline = System.nanoTime() + config.connectTimeoutNs();
            while (!welcomed)
            {
                connection.flush();
                final int work = connection.receive(this::onHandshakeFrame, 1);
                if (!running)
                {
                    return;
                }
                if (System.nanoTime() > deadline)
                {
                    throw new FerryException(ErrorCode.CONNECTION, "no WELCOME from " + connection.remoteAddress() +
                        " within " + TimeUnit.NANOSECONDS.toMillis(config.connectTimeoutNs()) + " ms");
                }
                idle.idle(work);
            }
            idle.reset();
            final UUID primaryHistory = new UUID(welcome.historyIdHi(), welcome.historyIdLo());
            auth.verifyWelcome(welcome, nonce);
            if (!empty && !primaryHistory.equals(historyId))
            {
                throw new FerryException(ErrorCode.DIVERGED, "primary has history " + primaryHistory + ", this replica " +
                    historyId);
            }
            if (!empty && welcome.startOffset() != wal.nextOffset())
            {
                throw new FerryException(ErrorCode.SEQUENCE_GAP, "primary starts at " + welcome.startOffset() +
                    " but this replica's next offset is " + wal.nextOffset());
            }
            if (history == null || !history.equals(new History(primaryHistory, welcome.epoch())))
            {
                history = new History(primaryHistory, welcome.epoch());
                history.save(wal.directory());
            }
            if (welcome.codec() != Codec.NONE)
            {
                scratch = arena.allocate(BatchDecoder.scratchLength(config.maxFrameBytes()), 64);
            }
            primaryHead = welcome.headOffset();
            startOffset = welcome.startOffset();
            sendAck(true);
        }

        private void onHandshakeFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
        {
            switch (type)
            {
                case WELCOME ->
                {
                    welcome.decode(buffer, offset, length);
                    welcomed = true;
                }
                case ERROR -> throw refused(buffer, offset, length);
                default -> throw new FerryException(ErrorCode.PROTOCOL, "expected WELCOME, got " + type);
            }
        }

        private FerryException refused(final MemorySegment buffer, final long offset, final int length)
        {
            error.decode(buffer, offset, length);
            return new FerryException(error.code(), "primary " + connection.remoteAddress() + " says: " + error.message());
        }

        void stream() throws IOException
        {
            while (running)
            {
                int work = connection.receive(this::onFrame, 64);
                final long nowNs = System.nanoTime();
                if (batchesSinceAck > 0)
                {
                    wal.flush();
                    sendAck(false);
                    batchesSinceAck = 0;
                }
                if (nowNs - connection.lastReceiveNs() > config.primaryTimeoutNs())
                {
                    throw new FerryException(ErrorCode.CONNECTION, "primary " + connection.remoteAddress() + " silent for " +
                        TimeUnit.NANOSECONDS.toMillis(nowNs - connection.lastReceiveNs()) + " ms");
                }
                if (nowNs - lastSendNs > config.heartbeatIntervalNs())
                {
                    if (wal.config().syncPolicy() != SyncPolicy.NONE)
                    {
                        wal.flush();
                    }
                    sendAck(true);
                }
                work += connection.flush();
                // fault in the pages the next batches will use: a few between busy passes, more when idle, so the
                // appends never overtake the pretoucher (as the primary's sender does); a batch arriving stops an idle
                // pass
                work += work == 0 ? pretoucher.doWork(32, frameWaiting) : pretoucher.doWork(2);
                idle.idle(work);
            }
        }

        private void onFrame(final MessageType type, final MemorySegment buffer, final long offset, final int length)
        {
            switch (type)
            {
                case BATCH -> onBatch(buffer, offset, length);
                case HEARTBEAT -> primaryHead = heartbeat.decode(buffer, offset, length).headOffset();
                case ERROR -> throw refused(buffer, offset, length);
                default -> throw new FerryException(ErrorCode.PROTOCOL, "unexpected " + type + " while streaming");
            }
        }

        private void onBatch(final MemorySegment buffer, final long offset, final int length)
        {
            final long next = next();
            try
            {
                if (batches.append(buffer, offset, length, scratch, next) == BatchAppender.GAP)
                {
                    if (!nackPending)
                    {
                        sendNack(next, ErrorCode.SEQUENCE_GAP);
                    }
                    return;
                }
                nackPending = false;
            }
            catch (final FrameException ex)
            {
                if (ex.code() == ErrorCode.CHECKSUM || ex.code() == ErrorCode.COMPRESSION)
                {
                    log.log("replica " + config.id() + ": " + ex.getMessage() + "; asking for a resend");
                    sendNack(next(), ex.code());
                }
                else
                {
                    throw ex;
                }
            }
            batchesSinceAck++;
        }

        /** The next offset this replica needs: an empty WAL starts wherever the primary said (its oldest). */
        private long next()
        {
            return wal.isEmpty() ? startOffset : wal.nextOffset();
        }

        private void sendAck(final boolean force)
        {
            final long received = next();
            final long durable = wal.config().syncPolicy() == SyncPolicy.NONE ? received : wal.syncedOffset() + 1;
            durableNext = durable;
            if (!force && received == ackedNext && durable == ackedDurable)
            {
                return;
            }
            final long claim = connection.claim(AckFlyweight.LENGTH);
            if (claim < 0)
            {
                return;
            }
            connection.commit(ack.wrap(connection.sendBuffer(), claim)
                .receivedOffset(received)
                .durableOffset(durable)
                .appliedOffset(received)
                .timestampNs(wal.config().clockNs().getAsLong())
                .seal());
            ackedNext = received;
            ackedDurable = durable;
            lastSendNs = System.nanoTime();
        }

        private void sendNack(final long from, final ErrorCode reason)
        {
            final long claim = connection.claim(NackFlyweight.LENGTH);
            if (claim >= 0)
            {
                connection.commit(nack.wrap(connection.sendBuffer(), claim).resendFrom(from).reason(reason).seal());
                nackPending = true;
                lastSendNs = System.nanoTime();
            }
        }

        @Override
        public void close()
        {
            if (connection != null)
            {
                try
                {
                    connection.flush();
                }
                catch (final IOException ignore)
                {
                    // closing anyway; the error that ended the link is the one reported
                }
                connection.close();
                activeConnection = null;
                parker.forgetClosed(); // releases the closed socket's descriptor now, whatever the idle strategy
            }
            batches.close(); // its decoder's native contexts: one set per connection, not one per reconnect
            pretoucher.close();
            arena.close();
        }
    }
}
