package dev.ferry.engine;

import dev.ferry.engine.state.StateMachine;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.net.tls.TlsConfig;
import dev.ferry.wal.RetentionPolicy;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link Primary}, validated once by {@link #conclude()} with errors naming the setting.
 */
public final class PrimaryConfig
{
    private WalConfig wal = new WalConfig();
    private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
    private Codec codec = Codec.NONE;
    private int zstdLevel = 3;
    private Path secretFile;
    private boolean insecureNoSecret;
    private Secret concludedSecret;
    private TlsConfig tls;
    private StateMachine stateMachine;
    private long snapshotEveryEntries = SNAPSHOT_EVERY_ENTRIES_DEFAULT;
    private String idleStrategy = "backoff";
    private int maxFrameBytes = 2 * FrameHeader.MAX_FRAME_BYTES_DEFAULT; // fits the WAL's largest default payload
    private int maxBatchBytes = 64 * 1024;
    private int sendBufferBytes = 4 * 1024 * 1024;
    private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
    private long replicaTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long idleBlockMs = 1;
    private long handshakeTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private RetentionPolicy retention = RetentionPolicy.KEEP_ALL;
    private long retentionIntervalNs = TimeUnit.SECONDS.toNanos(1);
    private long slotCapBytes = SLOT_CAP_BYTES_DEFAULT;
    private long snapshotCapBytes = SLOT_CAP_BYTES_DEFAULT;
    private long evictionWarningMs = EVICTION_WARNING_MS_DEFAULT;
    private InetSocketAddress metrics;
    private dev.ferry.engine.archive.ArchiveContext archive;
    private dev.ferry.engine.resp.RespConfig resp;
    private String promotedBy;
    private long snapshotRateBytesPerSec;
    private long auditEntriesPerSec = AUDIT_ENTRIES_PER_SEC_DEFAULT;
    private EventLog eventLog = EventLog.NONE;
    private AckListener ackListener = AckListener.NONE;
    private boolean pretouch = true;
    private ThreadFactory threadFactory;
    private boolean useInvoker;
    private int syncReplicas;
    private AckLevel syncLevel;
    private Duration syncTimeout = SYNC_TIMEOUT_DEFAULT;
    private boolean concluded;

    /**
     * @return the WAL settings (directory, roll cycle, sync policy...), to adjust in place.
     */
    public WalConfig wal()
    {
        return wal;
    }

    /**
     * @param wal the WAL settings, replacing the ones held (a promoted replica's primary takes the replica's).
     * @return this.
     */
    public PrimaryConfig wal(final WalConfig wal)
    {
        this.wal = wal;
        return this;
    }

    /**
     * @param directory the WAL directory.
     * @return this.
     */
    public PrimaryConfig walDirectory(final Path directory)
    {
        wal.directory(directory);
        return this;
    }

    /**
     * @return the address replicas connect to.
     */
    public InetSocketAddress listen()
    {
        return listen;
    }

    /**
     * @param listen the address to listen on (port 0 picks a free port: see {@link Primary#localAddress()}).
     * @return this.
     */
    public PrimaryConfig listen(final InetSocketAddress listen)
    {
        this.listen = listen;
        return this;
    }

    /**
     * @return the codec used for replicas that support it (others get NONE).
     */
    public Codec codec()
    {
        return codec;
    }

    /**
     * @param codec the codec used for replicas that support it.
     * @return this.
     */
    public PrimaryConfig codec(final Codec codec)
    {
        this.codec = codec;
        return this;
    }

    /**
     * @return the zstd level.
     */
    public int zstdLevel()
    {
        return zstdLevel;
    }

    /**
     * @param zstdLevel the zstd level.
     * @return this.
     */
    public PrimaryConfig zstdLevel(final int zstdLevel)
    {
        this.zstdLevel = zstdLevel;
        return this;
    }

    /**
     * @return the shared-secret file replicas must prove, or null (see {@link #insecureNoSecret()}).
     */
    public Path secretFile()
    {
        return secretFile;
    }

    /**
     * @param secretFile the shared-secret file replicas must prove, or null for none.
     * @return this.
     */
    public PrimaryConfig secretFile(final Path secretFile)
    {
        this.secretFile = secretFile;
        return this;
    }

    /**
     * @return whether this node deliberately runs without a secret.
     */
    public boolean insecureNoSecret()
    {
        return insecureNoSecret;
    }

    /**
     * Run without a secret, deliberately: anyone who reaches the port can then read the log, act as a replica and
     * count towards acknowledgements. Either this or {@link #secretFile(Path)} must be set.
     *
     * @param insecureNoSecret true to run without a secret.
     * @return this.
     */
    public PrimaryConfig insecureNoSecret(final boolean insecureNoSecret)
    {
        this.insecureNoSecret = insecureNoSecret;
        return this;
    }

    /** The default of {@link #snapshotEveryEntries(long)}. */
    public static final long SNAPSHOT_EVERY_ENTRIES_DEFAULT = 100_000;

    /**
     * @return the state machine this node applies its WAL to, or null for none (APPLIED then equals RECEIVED).
     */
    public StateMachine stateMachine()
    {
        return stateMachine;
    }

    /**
     * Apply the WAL to a state machine, from a cursor of its own on this node's Ferry thread (never on the thread that
     * appends), loading the newest snapshot of {@code <wal>/state} at start and replaying the WAL after it.
     *
     * @param stateMachine an empty state machine (e.g. {@code new KvStateMachine()}), or null for none.
     * @return this.
     */
    public PrimaryConfig stateMachine(final StateMachine stateMachine)
    {
        this.stateMachine = stateMachine;
        return this;
    }

    /**
     * @return how many applied entries between two snapshots saved to disk.
     */
    public long snapshotEveryEntries()
    {
        return snapshotEveryEntries;
    }

    /**
     * @param snapshotEveryEntries save a snapshot after this many entries applied (0: only when closed); a state whose
     *                             snapshot is 1 MiB or more only once the WAL bytes applied since its last snapshot
     *                             reach 4 times that snapshot's size (its snapshots then write at most a quarter of
     *                             what the WAL writes).
     * @return this.
     */
    public PrimaryConfig snapshotEveryEntries(final long snapshotEveryEntries)
    {
        this.snapshotEveryEntries = snapshotEveryEntries;
        return this;
    }

    /**
     * @return the TLS settings, or null for plaintext.
     */
    public TlsConfig tls()
    {
        return tls;
    }

    /**
     * TLS on the replication port (the protocol and the secret unchanged inside it).
     *
     * @param tls the server side: {@code cert} and {@code key} required; with {@code ca}, replicas must present a certificate it signed; null for plaintext.
     * @return this.
     */
    public PrimaryConfig tls(final TlsConfig tls)
    {
        this.tls = tls;
        return this;
    }

    /**
     * @return the secret this node runs with, loaded from {@link #secretFile()} (once, by {@link #conclude()}), or
     *         {@code Secret.NONE} when {@link #insecureNoSecret()}.
     * @throws dev.ferry.error.FerryException with {@code CONFIGURATION} if neither or both are set, or the file is
     *                                        refused.
     */
    public Secret secret()
    {
        return concludedSecret != null ? concludedSecret : Secret.configured(secretFile, insecureNoSecret);
    }

    /**
     * @return the sender thread's idle strategy: busy-spin, yield, backoff or park.
     */
    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy busy-spin (burns a core), yield, backoff (default) or park.
     * @return this.
     */
    public PrimaryConfig idleStrategy(final String idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the largest frame sent or accepted.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * @param maxFrameBytes the largest frame sent or accepted.
     * @return this.
     */
    public PrimaryConfig maxFrameBytes(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    /**
     * @return the most entry bytes in one batch.
     */
    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    /**
     * @param maxBatchBytes the most entry bytes in one batch (a batch is also sent as soon as the WAL has no more).
     * @return this.
     */
    public PrimaryConfig maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    /**
     * @return each replica session's send buffer: all a slow replica can hold up.
     */
    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    /**
     * @param sendBufferBytes each replica session's send buffer.
     * @return this.
     */
    public PrimaryConfig sendBufferBytes(final int sendBufferBytes)
    {
        this.sendBufferBytes = sendBufferBytes;
        return this;
    }

    /**
     * @return how often an idle link carries a heartbeat.
     */
    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * @param heartbeatIntervalNs how often an idle link carries a heartbeat.
     * @return this.
     */
    public PrimaryConfig heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    /**
     * @return how long a replica may stay silent before its connection is dropped.
     */
    public long replicaTimeoutNs()
    {
        return replicaTimeoutNs;
    }

    /**
     * @param replicaTimeoutNs how long a replica may stay silent before its connection is dropped.
     * @return this.
     */
    public PrimaryConfig replicaTimeoutNs(final long replicaTimeoutNs)
    {
        this.replicaTimeoutNs = replicaTimeoutNs;
        return this;
    }

    /**
     * @return the longest the parked sender thread blocks in the kernel with nothing to wake it (an append, an ack, a
     *         connection): the cadence of its housekeeping (heartbeats, timeouts, retention) on an idle primary.
     */
    public long idleBlockMs()
    {
        return idleBlockMs;
    }

    /**
     * @param idleBlockMs at least 1 (the default): longer saves wake-ups on an idle primary but delays heartbeats
     *                    and timeouts by up to as much.
     * @return this.
     */
    public PrimaryConfig idleBlockMs(final long idleBlockMs)
    {
        this.idleBlockMs = idleBlockMs;
        return this;
    }

    /**
     * @return how long a new connection has to send HELLO or STATUS_REQUEST.
     */
    public long handshakeTimeoutNs()
    {
        return handshakeTimeoutNs;
    }

    /**
     * @param handshakeTimeoutNs how long a new connection has to send HELLO or STATUS_REQUEST.
     * @return this.
     */
    public PrimaryConfig handshakeTimeoutNs(final long handshakeTimeoutNs)
    {
        this.handshakeTimeoutNs = handshakeTimeoutNs;
        return this;
    }

    /**
     * @return what retention may delete.
     */
    public RetentionPolicy retention()
    {
        return retention;
    }

    /**
     * @param retention what retention may delete (never below the slowest valid replica).
     * @return this.
     */
    public PrimaryConfig retention(final RetentionPolicy retention)
    {
        this.retention = retention;
        return this;
    }

    /**
     * @return how often retention runs.
     */
    public long retentionIntervalNs()
    {
        return retentionIntervalNs;
    }

    /**
     * @param retentionIntervalNs how often retention runs.
     * @return this.
     */
    public PrimaryConfig retentionIntervalNs(final long retentionIntervalNs)
    {
        this.retentionIntervalNs = retentionIntervalNs;
        return this;
    }

    /**
     * The default {@link #slotCapBytes()}: 16 GiB. A replica that never comes back (or a HELLO that never acks) then
     * holds at most that much back, never the whole disk; raise it where replicas may be away longer.
     */
    public static final long SLOT_CAP_BYTES_DEFAULT = 16L << 30;

    /**
     * Default {@link #auditEntriesPerSec()}: a replica of 10 million entries is audited through in about 17 minutes.
     * Its cost is a cursor read, a CRC32C (~8 ns for 64 B here) and a fold per entry on the replica: estimated well
     * under 1% of a core at this rate (not yet measured on its own).
     */
    public static final long AUDIT_ENTRIES_PER_SEC_DEFAULT = 10_000;

    /**
     * @return the lag (estimated bytes) past which a replica no longer holds retention back ({@value
     *         #SLOT_CAP_BYTES_DEFAULT} by default); 0 for no cap.
     */
    public long slotCapBytes()
    {
        return slotCapBytes;
    }

    /**
     * @param slotCapBytes the lag past which a replica no longer holds retention back (it must then resync).
     * @return this.
     */
    public PrimaryConfig slotCapBytes(final long slotCapBytes)
    {
        this.slotCapBytes = slotCapBytes;
        return this;
    }

    /**
     * @return the id of the replica this primary is the promotion of, or null (see {@link Replica#promote}).
     */
    String promotedBy()
    {
        return promotedBy;
    }

    /**
     * The primary opens as the promotion of a replica: once its WAL is open and its address bound, and before it
     * takes an append, it begins the next epoch of the WAL's history at its next offset, by {@code node}. Nothing is
     * recorded if the open fails before that.
     *
     * @param node the promoted replica's id.
     * @return this.
     */
    PrimaryConfig promotedBy(final String node)
    {
        this.promotedBy = node;
        return this;
    }

    /** The default {@link #evictionWarningMs()}: 10 minutes. */
    public static final long EVICTION_WARNING_MS_DEFAULT = 10 * 60 * 1000;

    /**
     * @return the time to eviction under which the primary warns about a replica (its log, and {@code evictionWarning}
     *         in its status): it falls behind fast enough to pass its cap within that time, and then needs a resync.
     */
    public long evictionWarningMs()
    {
        return evictionWarningMs;
    }

    /**
     * @param evictionWarningMs see {@link #evictionWarningMs()} (0: never warn).
     * @return this.
     */
    public PrimaryConfig evictionWarningMs(final long evictionWarningMs)
    {
        this.evictionWarningMs = evictionWarningMs;
        return this;
    }

    /**
     * @return how much WAL (estimated bytes after the snapshot's offset) the primary keeps for a replica while a
     *         snapshot is shipped to it, apart from the slot cap: past it the transfer is given up and the replica
     *         takes a newer snapshot ({@value #SLOT_CAP_BYTES_DEFAULT} by default; 0 for no cap).
     */
    public long snapshotCapBytes()
    {
        return snapshotCapBytes;
    }

    /**
     * @param snapshotCapBytes see {@link #snapshotCapBytes()}.
     * @return this.
     */
    public PrimaryConfig snapshotCapBytes(final long snapshotCapBytes)
    {
        this.snapshotCapBytes = snapshotCapBytes;
        return this;
    }

    /**
     * @return the most bytes per second a snapshot transfer sends to one replica (0: as fast as the link takes).
     */
    public long snapshotRateBytesPerSec()
    {
        return snapshotRateBytesPerSec;
    }

    /**
     * @param snapshotRateBytesPerSec see {@link #snapshotRateBytesPerSec()}.
     * @return this.
     */
    public PrimaryConfig snapshotRateBytesPerSec(final long snapshotRateBytesPerSec)
    {
        this.snapshotRateBytesPerSec = snapshotRateBytesPerSec;
        return this;
    }

    /**
     * @return how many entries per second the background audit checks on each streaming replica (0: no audit). Each
     *         replica reads that many of its entries back from its disk and folds their CRC32C into the chain (at the
     *         default and 64 B entries, about 640 KB/s of reads); the wire carries one
     *         32-byte request and one 33-byte response per range of up to 4096 entries.
     */
    public long auditEntriesPerSec()
    {
        return auditEntriesPerSec;
    }

    /**
     * @param auditEntriesPerSec see {@link #auditEntriesPerSec()}; default {@value #AUDIT_ENTRIES_PER_SEC_DEFAULT}.
     * @return this.
     */
    public PrimaryConfig auditEntriesPerSec(final long auditEntriesPerSec)
    {
        this.auditEntriesPerSec = auditEntriesPerSec;
        return this;
    }

    /**
     * @return where connection events are reported.
     */
    public EventLog eventLog()
    {
        return eventLog;
    }

    /**
     * @param eventLog where connection events are reported (one line each, on the sender thread).
     * @return this.
     */
    public PrimaryConfig eventLog(final EventLog eventLog)
    {
        this.eventLog = eventLog;
        return this;
    }

    /**
     * @return true if the sender thread touches WAL pages ahead of the appends (default), so that appending
     * threads do not take the page faults of fresh mapped pages.
     */
    public boolean pretouch()
    {
        return pretouch;
    }

    /**
     * @param pretouch whether the sender thread pre-touches WAL pages ahead of the appends.
     * @return this.
     */
    public PrimaryConfig pretouch(final boolean pretouch)
    {
        this.pretouch = pretouch;
        return this;
    }

    /**
     * @return told of every acknowledgement, on the sender thread.
     */
    public AckListener ackListener()
    {
        return ackListener;
    }

    /**
     * @param ackListener told of every acknowledgement, on the sender thread (e.g. to measure append-to-ack).
     * @return this.
     */
    public PrimaryConfig ackListener(final AckListener ackListener)
    {
        this.ackListener = ackListener;
        return this;
    }

    /**
     * @return the factory that makes the duty cycle's thread, or null for Ferry's own ({@code ferry-primary}, a platform
     *         daemon thread).
     */
    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    /**
     * @param threadFactory makes the duty cycle's thread (names, CPU affinity, priority are the factory's), or null
     *                      for Ferry's own; ignored with {@link #useInvoker(boolean)}.
     * @return this.
     */
    public PrimaryConfig threadFactory(final ThreadFactory threadFactory)
    {
        this.threadFactory = threadFactory;
        return this;
    }

    /**
     * @return true if no thread is started and the application runs the duty cycle itself.
     */
    public boolean useInvoker()
    {
        return useInvoker;
    }

    /**
     * @param useInvoker true to start no thread: the application calls {@code invoker().invoke()} from its own loop
     *                   (one thread, as often as latency needs), as with Aeron's {@code AgentInvoker}.
     * @return this.
     */
    public PrimaryConfig useInvoker(final boolean useInvoker)
    {
        this.useInvoker = useInvoker;
        return this;
    }

    /** The most replicas {@link #syncReplicas(int)} may ask for: more is a typo, not a deployment. */
    public static final int SYNC_REPLICAS_MAX = 64;

    /** The default of {@link #syncTimeout(Duration)}: 10 s. */
    public static final Duration SYNC_TIMEOUT_DEFAULT = Duration.ofSeconds(10);

    /**
     * @return how many replicas must have an entry at {@link #syncLevel()} before {@link Primary#append} returns; 0
     *         (the default) for asynchronous replication: append never waits.
     */
    public int syncReplicas()
    {
        return syncReplicas;
    }

    /**
     * Synchronous replication: {@link Primary#append} returns only once this many replicas have the entry at
     * {@link #syncLevel()} (and so every entry before it), or throws {@code TIMEOUT} after {@link #syncTimeout()}
     * with the entry still in the WAL, replicating. With {@link #useInvoker(boolean)} the duty cycle must then run on
     * another thread than the one appending, or every append times out.
     *
     * @param syncReplicas 0 (default: never wait) to {@value #SYNC_REPLICAS_MAX}.
     * @return this.
     */
    public PrimaryConfig syncReplicas(final int syncReplicas)
    {
        this.syncReplicas = syncReplicas;
        return this;
    }

    /**
     * @return the level {@link #syncReplicas()} replicas must have an entry at: the one set, or DURABLE when only
     *         {@link #syncReplicas(int)} is set.
     */
    public AckLevel syncLevel()
    {
        return syncLevel == null ? AckLevel.DURABLE : syncLevel;
    }

    /**
     * @param syncLevel RECEIVED, DURABLE (the default) or APPLIED; only with {@link #syncReplicas(int)} above 0.
     * @return this.
     */
    public PrimaryConfig syncLevel(final AckLevel syncLevel)
    {
        this.syncLevel = syncLevel;
        return this;
    }

    /**
     * @return how long {@link Primary#append} waits for {@link #syncReplicas()} replicas.
     */
    public Duration syncTimeout()
    {
        return syncTimeout;
    }

    /**
     * @param syncTimeout how long a synchronous append waits before it throws {@code TIMEOUT} (10 s by
     *                    default); above 0.
     * @return this.
     */
    public PrimaryConfig syncTimeout(final Duration syncTimeout)
    {
        this.syncTimeout = syncTimeout;
        return this;
    }

    /**
     * @return the archive this node ships its WAL to from within, or null for none.
     */
    public dev.ferry.engine.archive.ArchiveContext archive()
    {
        return archive;
    }

    /**
     * @param archive ship this node's WAL to an archive from within the node, on a thread of its own
     *                ({@code ferry-archive}, parked when idle): the settings, with a store
     *                ({@code Archives.open(uri)}); the WAL directory is the node's. A primary holds a retention slot
     *                named {@code archive} for it, so it keeps every entry not yet archived. Null (the default) for none.
     * @return this.
     */
    public PrimaryConfig archive(final dev.ferry.engine.archive.ArchiveContext archive)
    {
        this.archive = archive;
        return this;
    }

    /**
     * @return the node's Redis-protocol listener, or null for none.
     */
    public dev.ferry.engine.resp.RespConfig resp()
    {
        return resp;
    }

    /**
     * @param resp serve Redis clients (RESP2) on the node's key-value state ({@code --resp}): needs a
     *             {@link dev.ferry.engine.state.KvStateMachine}; null (the default) for none.
     * @return this.
     */
    public PrimaryConfig resp(final dev.ferry.engine.resp.RespConfig resp)
    {
        this.resp = resp;
        return this;
    }

    /**
     * @return the address of the node's Prometheus endpoint ({@code GET /metrics}), or null for none.
     */
    public InetSocketAddress metrics()
    {
        return metrics;
    }

    /**
     * @param metrics where to serve the node's figures in Prometheus' text format ({@code GET /metrics}; figures
     *                only, no secret: bind it where only the monitoring reaches it), or null (the default) for none.
     * @return this.
     */
    public PrimaryConfig metrics(final InetSocketAddress metrics)
    {
        this.metrics = metrics;
        return this;
    }

    /**
     * Validate; called by {@link Primary#open(PrimaryConfig)}.
     *
     * @return this.
     */
    public PrimaryConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        IdleStrategies.parse(idleStrategy); // a bad name fails here, before anything is opened
        wal.conclude();
        FrameHeader.checkMaxFrameBytes(maxFrameBytes);
        require(listen != null, "listen is not set");
        require(idleBlockMs >= 1, "idleBlockMs must be >= 1, was " + idleBlockMs);
        require(codec != null, "codec is null");
        require(maxBatchBytes > 0 && maxBatchBytes <= maxFrameBytes - 64,
            "maxBatchBytes must be in (0, maxFrameBytes - 64], was " + maxBatchBytes);
        require(wal.maxPayloadBytes() <= maxFrameBytes - 64,
            "the WAL's maxPayloadBytes " + wal.maxPayloadBytes() + " must fit in a frame of maxFrameBytes " + maxFrameBytes);
        require(sendBufferBytes >= maxFrameBytes, "sendBufferBytes must be >= maxFrameBytes, was " + sendBufferBytes);
        require(zstdLevel >= -7 && zstdLevel <= 22, "zstdLevel must be in [-7, 22], was " + zstdLevel);
        require(heartbeatIntervalNs > 0, "heartbeatIntervalNs must be > 0");
        require(replicaTimeoutNs > heartbeatIntervalNs, "replicaTimeoutNs must exceed heartbeatIntervalNs");
        require(handshakeTimeoutNs > 0, "handshakeTimeoutNs must be > 0");
        require(retention != null, "retention is null");
        require(retentionIntervalNs > 0, "retentionIntervalNs must be > 0");
        require(slotCapBytes >= 0, "slotCapBytes must be >= 0");
        require(snapshotCapBytes >= 0, "snapshotCapBytes must be >= 0");
        require(auditEntriesPerSec >= 0, "auditEntriesPerSec must be >= 0 (0: no audit)");
        require(snapshotRateBytesPerSec == 0 || snapshotRateBytesPerSec >= 4096,
            "snapshotRateBytesPerSec must be 0 (no limit) or >= 4096");
        // neither or both set, or a refused file, fail here, before anything is opened; read once
        concludedSecret = Secret.configured(secretFile, insecureNoSecret);
        require(snapshotEveryEntries >= 0, "snapshotEveryEntries must be >= 0");
        require(resp == null || stateMachine instanceof dev.ferry.engine.state.KvStateMachine,
            "the Redis listener (--resp) serves the key-value state machine: it needs --state kv");
        require(eventLog != null, "eventLog is null");
        require(ackListener != null, "ackListener is null");
        require(syncReplicas >= 0 && syncReplicas <= SYNC_REPLICAS_MAX,
            "syncReplicas must be in [0, " + SYNC_REPLICAS_MAX + "] (0: append does not wait), was " + syncReplicas);
        require(syncLevel == null || syncReplicas > 0,
            "syncLevel " + syncLevel + " is set but syncReplicas is 0: set how many replicas append waits for");
        require(syncTimeout != null && syncTimeout.isPositive(), "syncTimeout must be > 0, was " + syncTimeout);
        concluded = true;
        return this;
    }

    static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, message);
        }
    }
}
