package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a TLS file can be wrong stops the factory with {@code CONFIGURATION} naming the file (and the setting),
 * before any connection: missing, a directory, not PEM, a key of another format or another certificate, an expired
 * certificate; and the settings each side needs.
 */
@ExtendWith(LeakCheck.class)
class TlsFactoryTest
{
    @TempDir
    static Path dir;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws IOException
    {
        certs = TestCertificates.create(dir);
    }

    private static FerryException assertConfigurationError(final Executable build, final String... parts)
    {
        final FerryException ex = assertThrows(FerryException.class, build);
        assertEquals(ErrorCode.CONFIGURATION, ex.code(), ex.getMessage());
        for (final String part : parts)
        {
            assertTrue(ex.getMessage().contains(part), "'" + part + "' in: " + ex.getMessage());
        }
        return ex;
    }

    @Test
    void shouldBuildBothSidesFromGoodFiles()
    {
        final TlsFactory server = TlsFactory.server(certs.mutualServerConfig());
        final TlsFactory client = TlsFactory.client(certs.mutualClientConfig());
        assertTrue(server.isServer());
        assertTrue(server.isMutual());
        assertFalse(client.isServer());
        assertFalse(TlsFactory.client(certs.clientConfig()).isMutual());
    }

    @Test
    void shouldAcceptAnRsaKey() throws IOException
    {
        final Path cert = certs.issue("rsa-server", "serverAuth", "IP:127.0.0.1", TestCertificates.KeyType.RSA);
        TlsFactory.server(new TlsConfig().cert(cert).key(dir.resolve("rsa-server.key")));
    }

    @Test
    void shouldNameAMissingFile()
    {
        final Path missing = dir.resolve("missing.pem");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().cert(missing)),
            "--tls-cert", missing.toString(), "does not exist");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().key(missing)),
            "--tls-key", missing.toString(), "does not exist");
        assertConfigurationError(() -> TlsFactory.client(certs.clientConfig().ca(missing)),
            "--tls-ca", missing.toString(), "does not exist");
    }

    @Test
    void shouldNameADirectoryGivenAsAFile()
    {
        assertConfigurationError(() -> TlsFactory.client(certs.clientConfig().ca(dir)), "--tls-ca", "is a directory");
    }

    @Test
    void shouldNameAFileThatIsNotPem() throws IOException
    {
        final Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().cert(garbage)),
            "--tls-cert", garbage.toString(), "not a PEM certificate");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().key(garbage)),
            "--tls-key", garbage.toString(), "not a PEM private key");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().key(certs.serverCert())),
            "--tls-key", "not a PEM private key");
    }

    @Test
    void shouldNameACertificateWhoseBytesAreDamaged() throws IOException
    {
        final String pem = Files.readString(certs.serverCert());
        final int middle = pem.indexOf('\n', pem.length() / 2) + 1;
        final Path damaged = Files.writeString(dir.resolve("damaged.pem"),
            pem.substring(0, middle) + "AAAA" + pem.substring(middle + 4));
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().cert(damaged)),
            "--tls-cert", damaged.toString(), "certificate 1 is not a valid X.509 certificate");
    }

    @Test
    void shouldNameAKeyThatIsNotTheCertificates()
    {
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().key(certs.clientKey())),
            "--tls-key", certs.clientKey().toString(), "is not the private key of the certificate", "CN=ferry-server");
    }

    @Test
    void shouldNameAKeyOfAnotherAlgorithmThanTheCertificates() throws IOException
    {
        certs.issue("rsa-other", "serverAuth", null, TestCertificates.KeyType.RSA);
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().key(dir.resolve("rsa-other.key"))),
            "--tls-key", "is not a PKCS#8 EC private key");
    }

    @Test
    void shouldNameATraditionalKeyWithTheCommandThatConvertsIt() throws IOException
    {
        final Path sec1 = certs.traditionalKey(certs.serverKey(), "server-sec1.key");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().key(sec1)),
            "--tls-key", sec1.toString(), "PKCS#1/SEC1", "openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void shouldNameAnExpiredCertificate() throws IOException
    {
        final Path expired = certs.expiredCertificate("expired");
        assertConfigurationError(() -> TlsFactory.server(certs.serverConfig().cert(expired)),
            "--tls-cert", expired.toString(), "CN=expired expired on");
        assertConfigurationError(() -> TlsFactory.client(certs.clientConfig().ca(expired)),
            "--tls-ca", expired.toString(), "expired on");
    }

    @Test
    void shouldRequireWhatEachSideNeeds()
    {
        assertConfigurationError(() -> TlsFactory.server(new TlsConfig().cert(certs.serverCert())), "--tls-key");
        assertConfigurationError(() -> TlsFactory.client(new TlsConfig()), "--tls-ca");
        assertConfigurationError(() -> TlsFactory.client(certs.clientConfig().cert(certs.clientCert())),
            "both --tls-cert and --tls-key, or neither");
    }

    @Test
    void shouldAcceptOnlyTls13And12()
    {
        assertConfigurationError(() -> new TlsConfig().protocols("TLSv1.1"), "TLSv1.1");
        assertConfigurationError(() -> new TlsConfig().protocols(new String[0]), "at least one");
        assertEquals(TlsConfig.PROTOCOLS_DEFAULT, new TlsConfig().protocols());
        final TlsConfig config = new TlsConfig().protocols(TlsConfig.TLS_1_3);
        assertEquals(config.protocols(), config.copy().protocols());
    }

    @Test
    void shouldRefuseTheWrongSidesCall() throws IOException
    {
        final TlsFactory server = TlsFactory.server(certs.serverConfig());
        final TlsFactory client = TlsFactory.client(certs.clientConfig());
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open())
        {
            assertConfigurationError(() -> server.connect(channel, "localhost"), "client's TLS factory");
            assertConfigurationError(() -> client.accept(channel), "server's TLS factory");
        }
    }
}
