package dev.ferry.engine.cli;

import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.Replica;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.engine.ReplicaState;
import dev.ferry.engine.SnapshotProgress;
import dev.ferry.net.Endpoint;
import dev.ferry.wal.SyncPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry replica}: follows a primary until killed, retrying with back-off while it is unreachable.
 */
@Command(name = "replica", mixinStandardHelpOptions = true,
    description = {"Run a replica until killed: copy the primary's WAL into --wal at the same offsets.",
        "While the primary is unreachable or refuses it (a wrong secret: slowly) it retries with back-off, one line per",
        "attempt. With a state machine (--state kv, the default) a replica the primary cannot stream to (too old for",
        "its retention, another history, entries the primary does not hold) is brought back by a snapshot, with its",
        "progress printed every second; what it held is moved aside into <wal>/aside, never deleted. It exits non-zero",
        "only on an error it cannot recover from, proven by the primary (with --state none: history diverged, entries",
        "deleted by retention) or its own (storage)."})
final class ReplicaCommand implements Callable<Integer>
{
    @Option(names = "--wal", required = true, paramLabel = "DIR", description = "This replica's WAL directory.")
    Path wal;

    @Option(names = "--primary", paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "The primary's replication address (or --from-archive).")
    InetSocketAddress primary;

    @Option(names = "--from-archive", paramLabel = "URI",
        description = {"Follow an archive instead of a primary (file:///path or s3://bucket/prefix): restore its newest "
            + "point into an empty --wal, then append and apply each segment as it is shipped; promotable like any "
            + "replica (--serve)."})
    String fromArchive;

    @Option(names = "--id", required = true, paramLabel = "NAME", description = "This replica's id, unique per primary.")
    String id;

    @Option(names = "--serve", paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = {"Serve on this address: replicas follow this one there as they follow a primary (cascading; "
            + "`ferry status --primary` asks it too), and `ferry promote --replica HOST:PORT` (authenticated by the "
            + "secret) turns this replica into a primary at the next epoch, which then listens here and keeps running."})
    InetSocketAddress serve;

    @CommandLine.Mixin
    RespOptions resp = new RespOptions();

    @Option(names = "--archive", paramLabel = "URI",
        description = {"Ship this node's WAL to an archive (file:///path or s3://bucket/prefix) from within the node, on "
            + "a thread of its own, with the defaults of `ferry archive`; `ferry archive` beside the "
            + "node does the same with every setting."})
    String archive;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "Serve this node's figures in Prometheus' text format on GET /metrics there (figures only, no "
            + "secret: bind it where only the monitoring reaches it).")
    InetSocketAddress metrics;

    @CommandLine.Mixin
    SecretOptions secret = new SecretOptions();

    @CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @CommandLine.Mixin
    StateOption state = new StateOption();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sync", paramLabel = "none|batch|interval", defaultValue = "batch",
        description = "WAL sync policy (default: ${DEFAULT-VALUE}): batch forces what each receive round wrote (group "
            + "commit) and acks it DURABLE; interval at most once per interval; none never (durable does not advance).")
    String sync;

    @Option(names = "--idle", paramLabel = "backoff|yield|park|busy-spin", defaultValue = "backoff",
        description = "Receiver thread idle strategy (busy-spin burns a core).")
    String idle;

    @Override
    public Integer call() throws InterruptedException
    {
        if ((primary == null) == (fromArchive == null))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "a replica follows either --primary HOST:PORT or --from-archive URI (exactly one)");
        }
        if (fromArchive != null)
        {
            return followArchive();
        }
        final ReplicaConfig config = new ReplicaConfig()
            .walDirectory(wal)
            .primary(primary)
            .id(id)
            .secretFile(secret.secretFile)
            .insecureNoSecret(secret.insecureNoSecret)
            .tls(tls.config())
            .stateMachine(state.stateMachine(spec.commandLine()))
            .idleStrategy(idle)
            .serve(serve)
            .metrics(metrics)
            .resp(resp.config(spec.commandLine()))
            .archive(archive == null ? null : new dev.ferry.engine.archive.ArchiveContext()
                .store(dev.ferry.engine.archive.Archives.open(archive)))
            .eventLog(Cli::event);
        config.promotedConfig(() -> new PrimaryConfig()
            .secretFile(secret.secretFile)
            .insecureNoSecret(secret.insecureNoSecret)
            .stateMachine(state.stateMachine(spec.commandLine()))
            .metrics(metrics)
            .resp(config.resp()) // the promoted primary takes writes where the replica served reads
            .eventLog(Cli::event));
        config.wal().syncPolicy(SyncPolicy.of(sync));
        final CountDownLatch stopped = new CountDownLatch(1);
        config.listener((from, to, error) ->
        {
            if (to == ReplicaState.STOPPED)
            {
                stopped.countDown();
            }
        });
        final Replica replica = Replica.start(config);
        secret.warnIfInsecure("replica " + id); // once running: a failed start warns of nothing
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            replica.stop();
            final Primary primary = replica.promoted();
            if (primary != null)
            {
                primary.close();
            }
            stopped.countDown();
        }));
        Cli.event("replica " + id + " following " + Endpoint.format(primary) + ", WAL " + wal + " at offset " +
            replica.receivedOffset() + (replica.respAddress() == null ? "" : ", Redis clients (reads) on " +
            Endpoint.format(replica.respAddress())));
        if (replica.state() == ReplicaState.STOPPED && replica.lastError() != null)
        {
            stopped.countDown();
        }
        while (!stopped.await(1, TimeUnit.SECONDS))
        {
            final SnapshotProgress snapshot = replica.snapshotProgress();
            if (snapshot != null)
            {
                Cli.event("replica " + id + " receiving a " + snapshot);
            }
        }
        final Primary promoted = awaitPromotion(replica);
        if (promoted != null)
        {
            Cli.event("replica " + id + " is now the primary at epoch " + promoted.history().epoch() + ", listening on " +
                Endpoint.format(promoted.localAddress()) + ", WAL " + wal + " at offset " + promoted.nextOffset());
            new CountDownLatch(1).await(); // serves until killed (the shutdown hook closes it)
        }
        if (replica.promoting())
        {
            System.err.println("ferry replica: the promotion of " + id + " failed (the log above says why); its WAL " +
                "holds the new epoch: start it with `ferry primary --wal " + wal + "` to serve as the primary");
            return Ferry.EXIT_FAILURE;
        }
        if (replica.lastError() != null && replica.state() == ReplicaState.STOPPED)
        {
            System.err.println("ferry replica: " + replica.lastError().messageWithAdvice());
            return Ferry.EXIT_FAILURE;
        }
        return 0;
    }

    private int followArchive() throws InterruptedException
    {
        if (archive != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--archive and --from-archive exclude each other: a standby does not ship what it restores");
        }
        if (resp.config(spec.commandLine()) != null || metrics != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--resp and --metrics are not offered yet on a replica that follows an archive");
        }
        final dev.ferry.wal.WalConfig walConfig = new dev.ferry.wal.WalConfig().directory(wal)
            .syncPolicy(SyncPolicy.of(sync));
        final boolean kv = state.stateMachine(spec.commandLine()) != null;
        final dev.ferry.engine.ArchiveStandby standby = dev.ferry.engine.ArchiveStandby.start(id, walConfig, fromArchive,
            kv, ReplicaConfig.SNAPSHOT_EVERY_ENTRIES_DEFAULT, serve,
            // a standby that serves nothing needs no secret: it only reads the archive
            serve == null && secret.secretFile == null ? dev.ferry.net.auth.Secret.NONE :
                dev.ferry.net.auth.Secret.configured(secret.secretFile, secret.insecureNoSecret),
            () -> new PrimaryConfig()
                .secretFile(secret.secretFile)
                .insecureNoSecret(secret.insecureNoSecret)
                .stateMachine(state.stateMachine(spec.commandLine()))
                .eventLog(Cli::event), Cli::event);
        if (serve != null)
        {
            secret.warnIfInsecure("replica " + id + " serving on " + Endpoint.format(serve));
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            standby.close();
            stopped.countDown();
        }));
        Cli.event("replica " + id + " following the archive " + fromArchive + ", WAL " + wal +
            (serve == null ? "" : ", promotable on " + Endpoint.format(serve)));
        long reported = -2;
        while (!stopped.await(1, TimeUnit.SECONDS)) // reports once a second until stopped
        {
            final Primary promoted = standby.promoted();
            if (promoted != null)
            {
                Cli.event("replica " + id + " is now the primary at epoch " + promoted.history().epoch() +
                    ", listening on " + Endpoint.format(promoted.localAddress()) + ", WAL " + wal + " at offset " +
                    promoted.nextOffset());
                stopped.await(); // serves until killed (the shutdown hook closes it)
                return 0;
            }
            final long next = standby.follower().nextOffset();
            if (next != reported && !standby.promoting())
            {
                reported = next;
                Cli.event("replica " + id + " at offset " + next + " of generation " + standby.follower().generation() +
                    " (applied " + standby.follower().appliedOffset() + ")");
            }
        }
        return 0;
    }

    /**
     * A replica stopped by a promotion stops before the primary it becomes is open: wait for it (up to 30 s).
     *
     * @return the primary, or null if this replica stopped for another reason.
     */
    private static Primary awaitPromotion(final Replica replica) throws InterruptedException
    {
        if (replica.config().serve() == null)
        {
            return null;
        }
        return replica.awaitPromoted(java.time.Duration.ofSeconds(30));
    }
}
