package dev.ferry.engine;

import dev.ferry.engine.state.StateMachine;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.tls.TlsConfig;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.PrimaryConfig.require;

/**
 * Settings of a {@link Replica}, validated once by {@link #conclude()} with errors naming the setting.
 */
public final class ReplicaConfig
{
    /** Default {@link #verifyTailEntries(long)}. */
    public static final long VERIFY_TAIL_ENTRIES_DEFAULT = 1_000_000;
    // only the replica's thread writes it; synced per receive round so that DURABLE acks mean what they say
    private final WalConfig wal = new WalConfig().singleWriter(true).syncPolicy(SyncPolicy.PER_BATCH);
    private InetSocketAddress primary;
    private InetSocketAddress serve;
    private long verifyTailEntries = VERIFY_TAIL_ENTRIES_DEFAULT;
    private InetSocketAddress metrics;
    private dev.ferry.engine.archive.ArchiveContext archive;
    private dev.ferry.engine.resp.RespConfig resp;
    private java.util.function.Supplier<PrimaryConfig> promotedConfig;
    private PrimaryConfig servingConfig;
    private String id;
    private Path secretFile;
    private boolean insecureNoSecret;
    private Secret concludedSecret;
    private TlsConfig tls;
    private StateMachine stateMachine;
    private long snapshotEveryEntries = SNAPSHOT_EVERY_ENTRIES_DEFAULT;
    private Set<Codec> codecs = EnumSet.allOf(Codec.class);
    private String idleStrategy = "backoff";
    private int maxFrameBytes = 2 * FrameHeader.MAX_FRAME_BYTES_DEFAULT;
    private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(2);
    private long primaryTimeoutNs = TimeUnit.SECONDS.toNanos(2);
    private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
    private long backoffMinNs = TimeUnit.MILLISECONDS.toNanos(50);
    private long backoffMaxNs = TimeUnit.SECONDS.toNanos(5);
    private EventLog eventLog = EventLog.NONE;
    private ReplicaListener listener;
    private ThreadFactory threadFactory;
    private boolean useInvoker;
    private boolean concluded;

    /**
     * @return the WAL settings, to adjust in place: single-writer (only the replica's thread writes it) and
     *         {@link SyncPolicy#PER_BATCH} by default (a DURABLE ack is on stable storage; {@link SyncPolicy#NONE}
     *         saves the syncs, and the replica's durable offset then never advances).
     */
    public WalConfig wal()
    {
        return wal;
    }

    /**
     * @param directory the replica's WAL directory.
     * @return this.
     */
    public ReplicaConfig walDirectory(final Path directory)
    {
        wal.directory(directory);
        return this;
    }

    /**
     * @return the primary's address.
     */
    public InetSocketAddress primary()
    {
        return primary;
    }

    /**
     * @param primary the primary's address.
     * @return this.
     */
    public ReplicaConfig primary(final InetSocketAddress primary)
    {
        this.primary = primary;
        return this;
    }

    /**
     * @return how many of its newest entries a replica checks against their chained checksum when it starts.
     */
    public long verifyTailEntries()
    {
        return verifyTailEntries;
    }

    /**
     * @param verifyTailEntries how many of its newest entries (at most; never below its newest state snapshot) a
     *                          replica checks against their chained checksum when it starts, truncating before the
     *                          first damaged one so the primary sends it again; 0 checks none. Default
     *                          {@value #VERIFY_TAIL_ENTRIES_DEFAULT} (about 100 MB of 64-byte entries read at start).
     * @return this.
     */
    public ReplicaConfig verifyTailEntries(final long verifyTailEntries)
    {
        this.verifyTailEntries = verifyTailEntries;
        return this;
    }

    /**
     * @return the address this replica serves on ({@code --serve}), or null.
     */
    public InetSocketAddress serve()
    {
        return serve;
    }

    /**
     * @param serve the address this replica serves on: replicas follow it there as they follow a primary (cascading),
     *              status clients ask it, it answers {@code ferry promote} there (all authenticated by its secret), and
     *              the primary it becomes when promoted listens there. Null (the default) for none.
     * @return this.
     */
    public ReplicaConfig serve(final InetSocketAddress serve)
    {
        this.serve = serve;
        return this;
    }

    /**
     * @return the settings this replica serves its downstream replicas with, or null for the defaults.
     */
    public PrimaryConfig servingConfig()
    {
        return servingConfig;
    }

    /**
     * @param servingConfig the settings this replica serves downstream replicas with on {@link #serve()} (codec, batch
     *                      and frame sizes, heartbeats and timeouts, slot and snapshot caps, audit rate, ack
     *                      listener); its listen address, WAL, secret and event log are replaced by this replica's (the
     *                      object is the replica's from then on: give {@link #promotedConfig} another one). Null (the
     *                      default): a primary's defaults.
     * @return this.
     */
    public ReplicaConfig servingConfig(final PrimaryConfig servingConfig)
    {
        this.servingConfig = servingConfig;
        return this;
    }

    /**
     * @return the settings of the primary this replica becomes when promoted over its {@link #serve()} port, or null.
     */
    public java.util.function.Supplier<PrimaryConfig> promotedConfig()
    {
        return promotedConfig;
    }

    /**
     * @param promotedConfig makes the settings of the primary this replica becomes when {@code ferry promote} reaches
     *                       it (its listen address is then {@link #serve()}, its WAL this replica's); called once, at
     *                       promotion. Null (the default): a primary with this replica's secret and TLS-less port, and
     *                       no state machine unless this one makes a new, empty one.
     * @return this.
     */
    public ReplicaConfig promotedConfig(final java.util.function.Supplier<PrimaryConfig> promotedConfig)
    {
        this.promotedConfig = promotedConfig;
        return this;
    }

    /**
     * @return this replica's id: the primary keys its cursor and slot by it.
     */
    public String id()
    {
        return id;
    }

    /**
     * @param id 1-64 of [A-Za-z0-9._-] ({@link HelloFlyweight#checkReplicaId}, the one rule), unique among the
     *           primary's replicas.
     * @return this.
     */
    public ReplicaConfig id(final String id)
    {
        this.id = id;
        return this;
    }

    /**
     * @return the shared-secret file, or null.
     */
    public Path secretFile()
    {
        return secretFile;
    }

    /**
     * @param secretFile the shared-secret file, or null.
     * @return this.
     */
    public ReplicaConfig secretFile(final Path secretFile)
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
    public ReplicaConfig insecureNoSecret(final boolean insecureNoSecret)
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
    public ReplicaConfig stateMachine(final StateMachine stateMachine)
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
    public ReplicaConfig snapshotEveryEntries(final long snapshotEveryEntries)
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
     * @param tls the client side: {@code ca} required (it must have signed the primary's certificate, which must name the host of {@link #primary()}); {@code cert} and {@code key} when the primary requires client certificates; null for plaintext.
     * @return this.
     */
    public ReplicaConfig tls(final TlsConfig tls)
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
     * @return the codecs this replica accepts (NONE is always accepted).
     */
    public Set<Codec> codecs()
    {
        return codecs;
    }

    /**
     * @param codecs the codecs this replica offers.
     * @return this.
     */
    public ReplicaConfig codecs(final Set<Codec> codecs)
    {
        this.codecs = EnumSet.copyOf(codecs);
        this.codecs.add(Codec.NONE);
        return this;
    }

    /**
     * @return the receiver thread's idle strategy.
     */
    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy busy-spin (burns a core), yield, backoff (default) or park.
     * @return this.
     */
    public ReplicaConfig idleStrategy(final String idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the largest frame accepted.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * @param maxFrameBytes the largest frame accepted (at least the primary's).
     * @return this.
     */
    public ReplicaConfig maxFrameBytes(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    /**
     * @return how long a connection attempt may take.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @param connectTimeoutNs how long a connection attempt may take.
     * @return this.
     */
    public ReplicaConfig connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    /**
     * @return how long the primary may stay silent (no batch, no heartbeat) before the link is dropped and retried.
     */
    public long primaryTimeoutNs()
    {
        return primaryTimeoutNs;
    }

    /**
     * @param primaryTimeoutNs how long the primary may stay silent before the link is dropped and retried.
     * @return this.
     */
    public ReplicaConfig primaryTimeoutNs(final long primaryTimeoutNs)
    {
        this.primaryTimeoutNs = primaryTimeoutNs;
        return this;
    }

    /**
     * @return how often an idle replica heartbeats the primary.
     */
    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * @param heartbeatIntervalNs how often an idle replica heartbeats the primary.
     * @return this.
     */
    public ReplicaConfig heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    /**
     * @return the first reconnect delay; it doubles per failure up to {@link #backoffMaxNs()}, with jitter.
     */
    public long backoffMinNs()
    {
        return backoffMinNs;
    }

    /**
     * @param backoffMinNs the first reconnect delay.
     * @return this.
     */
    public ReplicaConfig backoffMinNs(final long backoffMinNs)
    {
        this.backoffMinNs = backoffMinNs;
        return this;
    }

    /**
     * @return the longest reconnect delay.
     */
    public long backoffMaxNs()
    {
        return backoffMaxNs;
    }

    /**
     * @param backoffMaxNs the longest reconnect delay.
     * @return this.
     */
    public ReplicaConfig backoffMaxNs(final long backoffMaxNs)
    {
        this.backoffMaxNs = backoffMaxNs;
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
     * @param eventLog where connection events are reported (one line each, on the replica's thread).
     * @return this.
     */
    public ReplicaConfig eventLog(final EventLog eventLog)
    {
        this.eventLog = eventLog;
        return this;
    }

    /**
     * @return a listener registered before the replica starts (sees every transition from the first), or null.
     */
    public ReplicaListener listener()
    {
        return listener;
    }

    /**
     * @param listener told of every state change from the very first (unlike {@link Replica#addListener}, which can
     *                 miss transitions that happen before it is called).
     * @return this.
     */
    public ReplicaConfig listener(final ReplicaListener listener)
    {
        this.listener = listener;
        return this;
    }

    /**
     * @return the factory that makes the duty cycle's thread, or null for Ferry's own ({@code ferry-replica-ID}, a platform
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
    public ReplicaConfig threadFactory(final ThreadFactory threadFactory)
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
    public ReplicaConfig useInvoker(final boolean useInvoker)
    {
        this.useInvoker = useInvoker;
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
     *                ({@code Archives.open(uri)}); the WAL directory is the node's. The replica's own retention is not held
     *                for it: a shipper that falls behind it begins a new generation. Null (the default) for none.
     * @return this.
     */
    public ReplicaConfig archive(final dev.ferry.engine.archive.ArchiveContext archive)
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
    public ReplicaConfig resp(final dev.ferry.engine.resp.RespConfig resp)
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
    public ReplicaConfig metrics(final InetSocketAddress metrics)
    {
        this.metrics = metrics;
        return this;
    }

    /**
     * Validate; called by {@link Replica#start(ReplicaConfig)}.
     *
     * @return this.
     */
    public ReplicaConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        IdleStrategies.parse(idleStrategy); // a bad name fails here, before anything is opened
        wal.conclude();
        FrameHeader.checkMaxFrameBytes(maxFrameBytes);
        require(primary != null, "primary address is not set");
        HelloFlyweight.checkReplicaId(id);
        require(connectTimeoutNs > 0, "connectTimeoutNs must be > 0");
        require(heartbeatIntervalNs > 0 && primaryTimeoutNs > heartbeatIntervalNs,
            "primaryTimeoutNs must exceed heartbeatIntervalNs > 0");
        // neither or both set, or a refused file, fail here, before anything is opened; read once
        concludedSecret = Secret.configured(secretFile, insecureNoSecret);
        require(snapshotEveryEntries >= 0, "snapshotEveryEntries must be >= 0");
        require(resp == null || stateMachine instanceof dev.ferry.engine.state.KvStateMachine,
            "the Redis listener (--resp) serves the key-value state machine: it needs --state kv");
        require(verifyTailEntries >= 0, "verifyTailEntries must be >= 0");
        require(eventLog != null, "eventLog is null");
        require(backoffMinNs > 0 && backoffMaxNs >= backoffMinNs, "need 0 < backoffMinNs <= backoffMaxNs");
        concluded = true;
        return this;
    }
}
