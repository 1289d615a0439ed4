package dev.ferry.engine.cli;

import dev.ferry.engine.status.StatusClient;
import dev.ferry.net.auth.Secret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code ferry promote}: asks a replica serving on {@code --serve} to become the primary at the next epoch.
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
    description = {"Promote the replica serving on --replica (its --serve address) to primary at the next epoch of its",
        "history, from its next offset: it stops following, records the epoch, and keeps running as a primary on that",
        "address. Point the other replicas (and the writers) at it. The old primary, if it comes back, is fenced as",
        "soon as a node of the new epoch talks to it (it refuses appends), and rejoins as a replica of the new one:",
        "`ferry replica --wal ITS_WAL --primary NEW --id ...` truncates its divergent suffix (kept aside) and",
        "follows. Prints one JSON document: the epoch, the offset it starts at, the history id."})
final class PromoteCommand implements Callable<Integer>
{
    @Option(names = "--replica", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "The replica's --serve address.")
    InetSocketAddress replica;

    @Option(names = "--secret-file", paramLabel = "F",
        description = {"The shared secret of the replica: the request is authenticated like a replica's HELLO, and "
            + "the answer is checked to come from a node with that secret. Without it, only a replica started with "
            + "--insecure-no-secret answers."})
    Path secretFile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Converters.DurationValue.class,
        description = "How long to wait for the promotion (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call()
    {
        final Secret secret = secretFile == null ? Secret.NONE : Secret.load(secretFile);
        System.out.println(StatusClient.promote(replica, timeout, secret));
        return 0;
    }
}
