package dev.ferry.engine.cli;

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

    @Option(names = "--primary", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "The primary's replication address.")
    InetSocketAddress primary;

    @Option(names = "--id", required = true, paramLabel = "NAME", description = "This replica's id, unique per primary.")
    String id;

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
        final ReplicaConfig config = new ReplicaConfig()
            .walDirectory(wal)
            .primary(primary)
            .id(id)
            .secretFile(secret.secretFile)
            .insecureNoSecret(secret.insecureNoSecret)
            .tls(tls.config())
            .stateMachine(state.stateMachine(spec.commandLine()))
            .idleStrategy(idle)
            .eventLog(Cli::event);
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
            stopped.countDown();
        }));
        Cli.event("replica " + id + " following " + Endpoint.format(primary) + ", WAL " + wal + " at offset " +
            replica.receivedOffset());
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
        if (replica.lastError() != null && replica.state() == ReplicaState.STOPPED)
        {
            System.err.println("ferry replica: " + replica.lastError().messageWithAdvice());
            return Ferry.EXIT_FAILURE;
        }
        return 0;
    }
}
