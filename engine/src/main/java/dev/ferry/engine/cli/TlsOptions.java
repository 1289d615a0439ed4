package dev.ferry.engine.cli;

import dev.ferry.net.tls.TlsConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The TLS options of a command that serves or talks to a node. A server ({@code primary}) needs {@code --tls-cert} and
 * {@code --tls-key}, and with {@code --tls-ca} requires client certificates; a client ({@code replica},
 * {@code status}) needs {@code --tls-ca}, and {@code --tls-cert} with {@code --tls-key} where the server requires a
 * client certificate. None of them: plaintext. The files are read and checked when the node or client starts.
 */
final class TlsOptions
{
    @Option(names = "--tls-cert", paramLabel = "F",
        description = "TLS: this side's certificate chain (PEM); with --tls-key. A primary with it serves TLS only.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "F", description = "TLS: this side's private key (PEM, PKCS#8).")
    Path key;

    @Option(names = "--tls-ca", paramLabel = "F",
        description = "TLS: the CA certificates (PEM) the peer's certificate must chain to. A replica or status client "
            + "with it speaks TLS and checks the primary's certificate names the host it was given; a primary with it "
            + "requires client certificates.")
    Path ca;

    /**
     * @return the TLS settings, or null when no TLS option was given (plaintext).
     */
    TlsConfig config()
    {
        if (cert == null && key == null && ca == null)
        {
            return null;
        }
        return new TlsConfig().cert(cert).key(key).ca(ca);
    }
}
