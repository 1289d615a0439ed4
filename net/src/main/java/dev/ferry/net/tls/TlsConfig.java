package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.nio.file.Path;
import java.util.List;

/**
 * Where one side's TLS material is and how it is used; {@link TlsFactory#server} or {@link TlsFactory#client} reads
 * and checks it once. All files are PEM:
 * <ul>
 *     <li>{@link #cert(Path)}: this side's certificate chain, leaf first (required for a server; for a client, only
 *     when the server requires client certificates);</li>
 *     <li>{@link #key(Path)}: the leaf's private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC;</li>
 *     <li>{@link #ca(Path)}: the trust anchors. A client needs it and verifies the server's chain and host name (or
 *     IP address) against it; a server with one requires every client to present a certificate it signed (mutual
 *     TLS).</li>
 * </ul>
 * Errors name the settings by the command line's names ({@code --tls-cert}, {@code --tls-key}, {@code --tls-ca}).
 * Fluent, mutable, not thread-safe: configure, then build the factory.
 */
public final class TlsConfig
{
    /** TLS 1.3. */
    public static final String TLS_1_3 = "TLSv1.3";
    /** TLS 1.2, for peers whose JDK or provider lacks 1.3. */
    public static final String TLS_1_2 = "TLSv1.2";
    /** The protocols enabled unless set: 1.3, and 1.2. Nothing older. */
    public static final List<String> PROTOCOLS_DEFAULT = List.of(TLS_1_3, TLS_1_2);

    private Path cert;
    private Path key;
    private Path ca;
    private List<String> protocols = PROTOCOLS_DEFAULT;
    private PlaintextReply plaintextReply;

    /**
     * @return this side's certificate chain file, or {@code null}.
     */
    public Path cert()
    {
        return cert;
    }

    /**
     * @param cert this side's certificate chain, PEM, leaf first.
     * @return this.
     */
    public TlsConfig cert(final Path cert)
    {
        this.cert = cert;
        return this;
    }

    /**
     * @return the private key file, or {@code null}.
     */
    public Path key()
    {
        return key;
    }

    /**
     * @param key the certificate's private key, PEM, unencrypted PKCS#8.
     * @return this.
     */
    public TlsConfig key(final Path key)
    {
        this.key = key;
        return this;
    }

    /**
     * @return the trust anchors file, or {@code null}.
     */
    public Path ca()
    {
        return ca;
    }

    /**
     * @param ca the CA certificates to trust, PEM: for a client, the server's issuers; for a server, setting it
     *           requires client certificates.
     * @return this.
     */
    public TlsConfig ca(final Path ca)
    {
        this.ca = ca;
        return this;
    }

    /**
     * @return the TLS protocol versions enabled.
     */
    public List<String> protocols()
    {
        return protocols;
    }

    /**
     * @param protocols the versions to enable, each {@value #TLS_1_3} or {@value #TLS_1_2}.
     * @return this.
     * @throws FerryException CONFIGURATION for none, or another version.
     */
    public TlsConfig protocols(final String... protocols)
    {
        if (protocols.length == 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "TLS protocols must name at least one version");
        }
        for (final String protocol : protocols)
        {
            if (!TLS_1_3.equals(protocol) && !TLS_1_2.equals(protocol))
            {
                throw new FerryException(ErrorCode.CONFIGURATION,
                    "TLS protocol must be " + TLS_1_3 + " or " + TLS_1_2 + ", was '" + protocol + "'");
            }
        }
        this.protocols = List.of(protocols);
        return this;
    }

    /**
     * @return what a server writes to a plaintext client before refusing it, or {@code null} for nothing.
     */
    public PlaintextReply plaintextReply()
    {
        return plaintextReply;
    }

    /**
     * @param plaintextReply what a server writes to a plaintext client before refusing it, e.g.
     *                       {@link PlaintextReply#errorFrame()}; {@code null} (the default) to write nothing.
     * @return this.
     */
    public TlsConfig plaintextReply(final PlaintextReply plaintextReply)
    {
        this.plaintextReply = plaintextReply;
        return this;
    }

    /**
     * @return an independent copy.
     */
    public TlsConfig copy()
    {
        final TlsConfig copy = new TlsConfig().cert(cert).key(key).ca(ca).plaintextReply(plaintextReply);
        copy.protocols = protocols;
        return copy;
    }

    @Override
    public String toString()
    {
        return "TlsConfig{cert=" + cert + ", key=" + key + ", ca=" + ca + ", protocols=" + protocols + '}';
    }
}
