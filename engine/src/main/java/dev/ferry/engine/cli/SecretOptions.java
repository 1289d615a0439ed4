package dev.ferry.engine.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The secret options of a command that runs a node ({@code primary}, {@code replica}): a secret file, or the deliberate
 * choice to run without one. Exactly one is required (checked by {@code Secret.configured} when the node's settings
 * are concluded, with an error that names both flags).
 */
final class SecretOptions
{
    @Option(names = "--secret-file", paramLabel = "F",
        description = "Shared secret (at least 16 bytes, chmod 600) every peer of this node must prove, e.g. "
            + "openssl rand -base64 32 > F. Required unless --insecure-no-secret.")
    Path secretFile;

    @Option(names = "--insecure-no-secret",
        description = "Run without a secret, deliberately: anyone who reaches the port can read the log, act as a "
            + "replica and count towards acknowledgements.")
    boolean insecureNoSecret;

    /**
     * Warn, in one line, when the node runs without a secret.
     *
     * @param node what runs, e.g. "primary on 127.0.0.1:7000".
     */
    void warnIfInsecure(final String node)
    {
        if (insecureNoSecret && secretFile == null)
        {
            Cli.event("WARNING: " + node + " runs without a secret (--insecure-no-secret): anyone who can reach it " +
                "can read the log and act as a replica");
        }
    }
}
