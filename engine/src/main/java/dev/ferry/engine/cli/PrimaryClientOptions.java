package dev.ferry.engine.cli;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.net.auth.Secret;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The options of a command that asks a running primary over its port ({@code status}, {@code slots}): its address,
 * the secret, TLS, a timeout and {@code --json}.
 */
final class PrimaryClientOptions
{
    @Option(names = "--primary", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "The primary's replication address.")
    InetSocketAddress primary;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--secret-file", paramLabel = "F",
        description = {"The shared secret of the node, as its replicas use it: the request is authenticated like a "
            + "replica, and the answer is checked to come from a node with that secret. Without it, only a node "
            + "started with --insecure-no-secret answers."})
    Path secretFile;

    @CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "3s", converter = Converters.DurationValue.class,
        description = "How long to wait (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * @return the secret, loaded (or none).
     */
    Secret secret()
    {
        return secretFile == null ? Secret.NONE : Secret.load(secretFile);
    }

    /**
     * @return the status document the primary answers.
     */
    String statusJson()
    {
        return StatusClient.requestJson(primary, timeout, secret(), tls.config());
    }

    /**
     * @return the primary's status.
     */
    PrimaryStatus status()
    {
        return StatusDocuments.read(statusJson());
    }
}
