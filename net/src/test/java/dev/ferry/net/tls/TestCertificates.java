package dev.ferry.net.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with {@code openssl} (and {@code keytool} for an expired one), in a directory the
 * test owns (a {@code @TempDir}): a CA, a server certificate for {@code 127.0.0.1} and {@code localhost}
 * (subjectAltName), a client certificate, both signed by the CA, and a second CA that signed neither. Keys are EC
 * P-256 unless said otherwise, PEM, unencrypted PKCS#8. Valid for two days.
 * <p>
 * In net's test jar, for the engine's tests too:
 * <pre>
 *   final TestCertificates certs = TestCertificates.create(tempDir);
 *   final TlsFactory server = TlsFactory.server(certs.serverConfig());
 *   final TlsFactory client = TlsFactory.client(certs.clientConfig());
 * </pre>
 */
public final class TestCertificates
{
    /** How long {@code openssl} or {@code keytool} may take for one command. */
    private static final long COMMAND_TIMEOUT_S = 60;
    private static final String VALIDITY_DAYS = "2";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path caCert;
    private final Path caKey;
    private final Path serverCert;
    private final Path serverKey;
    private final Path clientCert;
    private final Path clientKey;
    private final Path otherCaCert;

    private TestCertificates(final Path dir) throws IOException
    {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
        selfSigned("Ferry Test CA", caCert, caKey);
        this.serverCert = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server.key");
        issue("ferry-server", "serverAuth", "IP:127.0.0.1,DNS:localhost", KeyType.EC, serverCert, serverKey);
        this.clientCert = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client.key");
        issue("ferry-client", "clientAuth", null, KeyType.EC, clientCert, clientKey);
        this.otherCaCert = dir.resolve("other-ca.pem");
        selfSigned("Another CA", otherCaCert, dir.resolve("other-ca.key"));
    }

    /** A key algorithm for a certificate. */
    public enum KeyType
    {
        /** EC on P-256. */
        EC("ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        /** RSA 2048 bits. */
        RSA("rsa:2048");

        private final List<String> newKey;

        KeyType(final String... newKey)
        {
            this.newKey = List.of(newKey);
        }
    }

    /**
     * @param dir an empty directory the caller deletes (a {@code @TempDir}).
     * @return the CA, server and client certificates, made now.
     * @throws IOException if {@code openssl} is missing or fails.
     */
    public static TestCertificates create(final Path dir) throws IOException
    {
        return new TestCertificates(dir);
    }

    /**
     * @return a server's config: the server certificate and key, no CA (no client certificates).
     */
    public TlsConfig serverConfig()
    {
        return new TlsConfig().cert(serverCert).key(serverKey);
    }

    /**
     * @return a server's config that requires client certificates signed by the CA (mutual TLS).
     */
    public TlsConfig mutualServerConfig()
    {
        return serverConfig().ca(caCert);
    }

    /**
     * @return a client's config trusting the CA, without a client certificate.
     */
    public TlsConfig clientConfig()
    {
        return new TlsConfig().ca(caCert);
    }

    /**
     * @return a client's config trusting the CA, with the client certificate (mutual TLS).
     */
    public TlsConfig mutualClientConfig()
    {
        return clientConfig().cert(clientCert).key(clientKey);
    }

    /**
     * @return the directory holding the files.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @return the CA's certificate.
     */
    public Path caCert()
    {
        return caCert;
    }

    /**
     * @return the server's certificate (subjectAltName IP:127.0.0.1, DNS:localhost).
     */
    public Path serverCert()
    {
        return serverCert;
    }

    /**
     * @return the server's private key.
     */
    public Path serverKey()
    {
        return serverKey;
    }

    /**
     * @return the client's certificate.
     */
    public Path clientCert()
    {
        return clientCert;
    }

    /**
     * @return the client's private key.
     */
    public Path clientKey()
    {
        return clientKey;
    }

    /**
     * @return a CA certificate that signed none of the others.
     */
    public Path otherCaCert()
    {
        return otherCaCert;
    }

    /**
     * Issue one more certificate from the CA.
     *
     * @param name             the subject's common name, also the files' base name.
     * @param extendedKeyUsage {@code serverAuth} or {@code clientAuth}.
     * @param subjectAltName   e.g. {@code IP:127.0.0.1,DNS:localhost}, or {@code null} for none.
     * @param keyType          the key algorithm.
     * @return the certificate file; the key is beside it, {@code name.key}.
     * @throws IOException if {@code openssl} fails.
     */
    public Path issue(
        final String name, final String extendedKeyUsage, final String subjectAltName, final KeyType keyType)
        throws IOException
    {
        final Path cert = dir.resolve(name + ".pem");
        issue(name, extendedKeyUsage, subjectAltName, keyType, cert, dir.resolve(name + ".key"));
        return cert;
    }

    /**
     * @param name the files' base name.
     * @return a self-signed certificate whose validity ended yesterday (made with {@code keytool}).
     * @throws IOException if {@code keytool} fails.
     */
    public Path expiredCertificate(final String name) throws IOException
    {
        final Path store = dir.resolve(name + ".p12");
        final Path cert = dir.resolve(name + ".pem");
        final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
            "-startdate", "-3d", "-validity", "1", "-keystore", store.toString(), "-storetype", "PKCS12",
            "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", name, "-keystore", store.toString(), "-storepass", "changeit",
            "-file", cert.toString());
        return cert;
    }

    /**
     * @param key  a PKCS#8 key file made here.
     * @param name the new file's name.
     * @return the same key in the traditional (PKCS#1 or SEC1) format, which Ferry refuses with a hint.
     * @throws IOException if {@code openssl} fails.
     */
    public Path traditionalKey(final Path key, final String name) throws IOException
    {
        final Path out = dir.resolve(name);
        run("openssl", "pkey", "-in", key.toString(), "-traditional", "-out", out.toString());
        return out;
    }

    private void selfSigned(final String name, final Path cert, final Path key) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey"));
        command.addAll(KeyType.EC.newKey);
        command.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", VALIDITY_DAYS,
            "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        run(command.toArray(new String[0]));
    }

    private void issue(
        final String name,
        final String extendedKeyUsage,
        final String subjectAltName,
        final KeyType keyType,
        final Path cert,
        final Path key) throws IOException
    {
        final Path request = dir.resolve(name + ".csr");
        final Path extensions = dir.resolve(name + ".ext");
        final List<String> command = new ArrayList<>(List.of("openssl", "req", "-new", "-newkey"));
        command.addAll(keyType.newKey);
        command.addAll(
            List.of("-nodes", "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=" + name));
        run(command.toArray(new String[0]));
        Files.writeString(extensions, "basicConstraints=CA:FALSE\n"
            + "keyUsage=critical,digitalSignature" + (keyType == KeyType.RSA ? ",keyEncipherment" : "") + "\n"
            + "extendedKeyUsage=" + extendedKeyUsage + "\n"
            + (subjectAltName == null ? "" : "subjectAltName=" + subjectAltName + "\n"), StandardCharsets.US_ASCII);
        run("openssl", "x509", "-req", "-in", request.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
            "-set_serial", Long.toString(RANDOM.nextLong() & Long.MAX_VALUE), "-days", VALIDITY_DAYS,
            "-extfile", extensions.toString(), "-out", cert.toString());
    }

    private void run(final String... command) throws IOException
    {
        final Path log = dir.resolve("command.log");
        final Process process = new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try
        {
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new IOException(String.join(" ", command) + " took more than " + COMMAND_TIMEOUT_S + " s");
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), ex);
        }
        if (process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): "
                + Files.readString(log, StandardCharsets.ISO_8859_1));
        }
    }
}
