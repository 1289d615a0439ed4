package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One side's TLS, loaded once from a {@link TlsConfig}: an {@link SSLContext} built from the PEM files, and the
 * {@link TlsTransport}s it makes for each connection, a server's from {@link #accept}, a client's from
 * {@link #connect}. Every file is read and checked when the factory is built (so a bad file stops the process at
 * start, not at the first connection): missing, unreadable, not PEM, a key that is not the certificate's, a
 * certificate expired or not yet valid all throw {@link ErrorCode#CONFIGURATION} naming the file.
 * <p>
 * Immutable and thread-safe.
 */
public final class TlsFactory
{
    /** What a certificate file is called in errors. */
    static final String CERT = "TLS certificate file (--tls-cert)";
    /** What a key file is called in errors. */
    static final String KEY = "TLS key file (--tls-key)";
    /** What a CA file is called in errors. */
    static final String CA = "TLS CA file (--tls-ca)";

    /** The HTTPS rules (RFC 2818) check that the server's certificate names the host: DNS name or IP address. */
    private static final String ENDPOINT_IDENTIFICATION = "HTTPS";
    private static final char[] IN_MEMORY_PASSWORD = "ferry".toCharArray(); // a key store that never leaves memory

    private final SSLContext context;
    private final boolean server;
    private final boolean mutual;
    private final String[] protocols;
    private final PlaintextReply plaintextReply;

    private TlsFactory(
        final SSLContext context, final boolean server, final boolean mutual, final TlsConfig config)
    {
        this.context = context;
        this.server = server;
        this.mutual = mutual;
        this.protocols = config.protocols().toArray(new String[0]);
        this.plaintextReply = config.plaintextReply();
    }

    /**
     * A server's TLS: {@code cert} and {@code key} required; with {@code ca}, clients must present a certificate it
     * signed.
     *
     * @param config the files.
     * @return the factory.
     * @throws FerryException CONFIGURATION naming the file that is missing or wrong.
     */
    public static TlsFactory server(final TlsConfig config)
    {
        if (config.cert() == null || config.key() == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a TLS server needs both --tls-cert and --tls-key");
        }
        final KeyManager[] keys = keyManagers(config.cert(), config.key());
        final TrustManager[] trust = config.ca() == null ? new TrustManager[0] : trustManagers(config.ca());
        return new TlsFactory(context(keys, trust), true, config.ca() != null, config);
    }

    /**
     * A client's TLS: {@code ca} required, to verify the server; {@code cert} and {@code key} together, for a server
     * that requires client certificates.
     *
     * @param config the files.
     * @return the factory.
     * @throws FerryException CONFIGURATION naming the file that is missing or wrong.
     */
    public static TlsFactory client(final TlsConfig config)
    {
        if (config.ca() == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "a TLS client needs --tls-ca, the CA certificates that signed the server's certificate");
        }
        if ((config.cert() == null) != (config.key() == null))
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "a TLS client certificate needs both --tls-cert and --tls-key, or neither");
        }
        final KeyManager[] keys = config.cert() == null ? new KeyManager[0] : keyManagers(config.cert(), config.key());
        return new TlsFactory(context(keys, trustManagers(config.ca())), false, config.cert() != null, config);
    }

    /**
     * @return true for a server's factory.
     */
    public boolean isServer()
    {
        return server;
    }

    /**
     * @return true if this side presents or requires client certificates (mutual TLS).
     */
    public boolean isMutual()
    {
        return mutual;
    }

    /**
     * @return the context, e.g. to read its supported protocols.
     */
    public SSLContext sslContext()
    {
        return context;
    }

    /**
     * A transport for a connection this server accepted. No I/O here: the handshake runs in the transport's reads and
     * writes.
     *
     * @param channel the accepted channel.
     * @return the transport, owning the channel.
     * @throws FerryException CONFIGURATION if this is a client's factory, CONNECTION if the channel is closed.
     */
    public TlsTransport accept(final SocketChannel channel)
    {
        if (!server)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "accept needs a server's TLS factory");
        }
        final SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        parameters.setNeedClientAuth(mutual);
        engine.setSSLParameters(parameters);
        return new TlsTransport(channel, engine, plaintextReply);
    }

    /**
     * A transport for a connection this client opened. No I/O here: the handshake runs in the transport's reads and
     * writes, starting with the first.
     *
     * @param channel the connected channel.
     * @param host    the host name or IP address the user gave for the server: its certificate must name it.
     * @return the transport, owning the channel.
     * @throws FerryException CONFIGURATION if this is a server's factory, CONNECTION if the channel is closed.
     */
    public TlsTransport connect(final SocketChannel channel, final String host)
    {
        if (server)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "connect needs a client's TLS factory");
        }
        final SSLEngine engine = context.createSSLEngine(host, port(channel));
        engine.setUseClientMode(true);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        parameters.setEndpointIdentificationAlgorithm(ENDPOINT_IDENTIFICATION);
        engine.setSSLParameters(parameters);
        return new TlsTransport(channel, engine, null);
    }

    private static int port(final SocketChannel channel)
    {
        try
        {
            final InetSocketAddress address = (InetSocketAddress)channel.getRemoteAddress();
            return address == null ? -1 : address.getPort();
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "cannot read the server's address: " + ex, ex);
        }
    }

    private static KeyManager[] keyManagers(final Path certFile, final Path keyFile)
    {
        final List<X509Certificate> chain = PemFiles.certificates(certFile, CERT);
        final PrivateKey key = PemFiles.privateKey(keyFile, KEY, chain.getFirst(), CERT + " " + certFile);
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("ferry", key, IN_MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
            final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, IN_MEMORY_PASSWORD);
            return factory.getKeyManagers();
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "cannot use " + CERT + " " + certFile + " with " + KEY + " " + keyFile + ": " + ex, ex);
        }
    }

    private static TrustManager[] trustManagers(final Path caFile)
    {
        final List<X509Certificate> anchors = PemFiles.certificates(caFile, CA);
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++)
            {
                store.setCertificateEntry("ca-" + i, anchors.get(i));
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return factory.getTrustManagers();
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "cannot trust " + CA + " " + caFile + ": " + ex, ex);
        }
    }

    private static SSLContext context(final KeyManager[] keys, final TrustManager[] trust)
    {
        try
        {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new FerryException(ErrorCode.INTERNAL, "this JDK cannot make a TLS context: " + ex, ex);
        }
    }

    @Override
    public String toString()
    {
        return "TlsFactory{" + (server ? "server" : "client") + (mutual ? ", mutual" : "") + '}';
    }
}
