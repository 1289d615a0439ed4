package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.PlainTransport;
import dev.ferry.net.Transport;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ferry frames through {@link TlsTransport} inside {@link dev.ferry.net.FrameConnection}, over loopback, against
 * certificates made for the test: round trips of many small and of 1 MiB frames both ways at once, key updates and
 * renegotiation mid-stream, handshake failures reported on both sides, a peer in the wrong mode told so on both sides,
 * close_notify. Every test runs both ends on its thread with a deadline; {@link LeakCheck} checks sockets and arenas.
 */
@ExtendWith(LeakCheck.class)
class TlsTransportTest
{
    private static final int SMALL_MAX_FRAME_BYTES = 64 * 1024;
    private static final int LARGE_FRAME_BYTES = FrameHeader.MAX_FRAME_BYTES_DEFAULT;
    /** Above the JDK's 1.5 KB per AES-GCM record (2.6 KB with direct buffers), far below a record's 16 KiB. */
    private static final long ALLOWED_BYTES_PER_RECORD = 4096;

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static TlsFactory server;
    private static TlsFactory client;

    @BeforeAll
    static void makeCertificates() throws IOException
    {
        certs = TestCertificates.create(dir);
        server = TlsFactory.server(certs.serverConfig().plaintextReply(PlaintextReply.errorFrame()));
        client = TlsFactory.client(certs.clientConfig());
    }

    private static Function<SocketChannel, Transport> accept(final TlsFactory factory)
    {
        return factory::accept;
    }

    private static Function<SocketChannel, Transport> connect(final TlsFactory factory, final String host)
    {
        return channel -> factory.connect(channel, host);
    }

    private static Function<SocketChannel, Transport> plain()
    {
        return PlainTransport::new;
    }

    private static Link link(
        final Function<SocketChannel, Transport> serverSide, final Function<SocketChannel, Transport> clientSide)
        throws IOException
    {
        return new Link(serverSide, clientSide, SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES);
    }

    private static Link tlsLink(final int maxFrameBytes, final int sendBytes) throws IOException
    {
        return new Link(accept(server), connect(client, Link.LOOPBACK), maxFrameBytes, sendBytes);
    }

    private static void exchange(final Link link, final long frames, final Link.FrameLengths lengths)
    {
        link.server.exchange(frames, lengths);
        link.client.exchange(frames, lengths);
        link.pumpUntil("every frame both ways", () ->
        {
            assertNoError(link.server);
            assertNoError(link.client);
            return link.server.received == frames && link.client.received == frames;
        });
    }

    private static void assertNoError(final Link.End end)
    {
        if (end.error != null)
        {
            throw new AssertionError(end.name + " failed", end.error);
        }
    }

    private static FerryException assertFerryError(final Link.End end, final ErrorCode code, final String... parts)
    {
        final FerryException ex = assertInstanceOf(FerryException.class, end.error, end.name + "'s error");
        assertEquals(code, ex.code(), end.name + ": " + ex.getMessage());
        for (final String part : parts)
        {
            assertTrue(ex.getMessage().contains(part), end.name + "'s error names '" + part + "': " + ex.getMessage());
        }
        return ex;
    }

    @Test
    void shouldCarryManySmallFramesBothWaysAtOnce() throws IOException
    {
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            exchange(link, 20_000, i -> 20 + (int)(i * 7919 % 300));
            assertTrue(link.server.tls().isHandshakeComplete());
            assertTrue(link.client.tls().isHandshakeComplete());
            assertEquals(TlsConfig.TLS_1_3, link.client.tls().session().getProtocol());
        }
    }

    /**
     * What the pump thread allocates per TLS record once warm, both ends and the frame checks included: only the JDK's
     * own per-record allocation (measured 1.5 KB per record with AES-GCM, in its cipher's re-initialisation; see
     * {@link TlsTransport}), nothing like a buffer per record. A profile (JFR allocation samples) of this test showed
     * no allocation site in Ferry's code.
     */
    @Test
    void shouldAllocateOnlyWhatTheJdkCipherAllocatesPerRecord() throws IOException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            final Link.FrameLengths lengths = i -> 20 + (int)(i * 7919 % 2000);
            exchange(link, 20_000, lengths); // warm-up: the handshake, class loading, the JIT
            final long recordsBefore = records(link);
            final long bytesBefore = threads.getCurrentThreadAllocatedBytes();
            exchange(link, 60_000, lengths);
            final long bytes = threads.getCurrentThreadAllocatedBytes() - bytesBefore;
            final long records = records(link) - recordsBefore;
            assertTrue(records > 1_000, records + " records");
            assertTrue(bytes / records < ALLOWED_BYTES_PER_RECORD,
                "allocated " + bytes + " bytes for " + records + " records: " + bytes / records + " per record");
        }
    }

    private static long records(final Link link)
    {
        return link.server.tls().recordsWrapped() + link.server.tls().recordsUnwrapped()
            + link.client.tls().recordsWrapped() + link.client.tls().recordsUnwrapped();
    }

    @Test
    void shouldCarryOneMebibyteFramesBothWaysAtOnce() throws IOException
    {
        try (Link link = tlsLink(LARGE_FRAME_BYTES, 2 * LARGE_FRAME_BYTES))
        {
            exchange(link, 24, i -> LARGE_FRAME_BYTES - (int)(i % 3) * 4099);
        }
    }

    @Test
    void shouldCarryTheSameFramesOverThePlainTransport() throws IOException
    {
        try (Link link = link(plain(), plain()))
        {
            exchange(link, 20_000, i -> 20 + (int)(i * 7919 % 300));
            assertFalse(link.server.connection.hasBufferedInput());
        }
    }

    @Test
    void shouldOfferDecryptedBytesThatTheSocketNoLongerSignals() throws IOException
    {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getByName(Link.LOOPBACK), 0));
             SocketChannel clientChannel = SocketChannel.open(listener.getLocalAddress());
             SocketChannel serverChannel = listener.accept();
             TlsTransport tlsClient = client.connect(clientChannel, Link.LOOPBACK);
             TlsTransport tlsServer = server.accept(serverChannel);
             Selector selector = Selector.open())
        {
            clientChannel.configureBlocking(false);
            serverChannel.configureBlocking(false);
            serverChannel.register(selector, SelectionKey.OP_READ);
            final ByteBuffer sent = ByteBuffer.allocate(1000);
            for (int i = 0; i < sent.capacity(); i++)
            {
                sent.put(i, (byte)i);
            }
            final ByteBuffer ignored = ByteBuffer.allocate(64 * 1024);
            final ByteBuffer received = ByteBuffer.allocate(sent.capacity());
            final ByteBuffer small = ByteBuffer.allocate(10);
            final long deadline = System.nanoTime() + Link.DEADLINE.toNanos();
            while (small.position() == 0) // one record of 1000 bytes, read 10 at a time
            {
                assertTrue(System.nanoTime() - deadline < 0, "the first bytes within " + Link.DEADLINE);
                tlsClient.write(sent);
                tlsClient.flush();
                tlsClient.read(ignored.clear()); // the server's handshake messages and session ticket
                tlsServer.read(small);
            }
            assertEquals(10, small.position());
            received.put(small.flip());
            assertEquals(0, selector.selectNow(), "the socket has nothing more: the record was read whole");
            assertTrue(tlsServer.hasBufferedInput(), "990 decrypted bytes wait");
            while (tlsServer.hasBufferedInput())
            {
                assertEquals(small.capacity(), tlsServer.read(small.clear()));
                received.put(small.flip());
            }
            assertEquals(sent.flip(), received.flip(), "every byte, in order, without the socket");
            assertEquals(0, tlsServer.read(small.clear()), "and then nothing");
        }
    }

    @Test
    void shouldOfferFramesLeftByAReceiveLimit() throws IOException
    {
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            exchange(link, 1, i -> 100); // the handshake
            link.client.exchange(21, i -> 100);
            link.client.dutyCycle(); // 20 frames in one flush: one record
            final long deadline = System.nanoTime() + Link.DEADLINE.toNanos();
            while (link.server.received == 1)
            {
                assertTrue(System.nanoTime() - deadline < 0, "a frame within " + Link.DEADLINE);
                link.server.connection.receive(link.server, 1);
            }
            assertTrue(link.server.connection.hasBufferedInput(), "19 frames wait in the receive buffer");
            while (link.server.connection.hasBufferedInput())
            {
                assertEquals(1, link.server.connection.receive(link.server, 1));
            }
            assertEquals(21, link.server.received);
        }
    }

    @Test
    void shouldCountWhatTheTransportHoldsAsPending() throws IOException
    {
        try (Link link = tlsLink(LARGE_FRAME_BYTES, 2 * LARGE_FRAME_BYTES))
        {
            final Link.FrameLengths lengths = i -> i == 0 ? 100 : LARGE_FRAME_BYTES;
            link.client.exchange(1, lengths);
            link.server.exchange(0, lengths);
            link.client.dutyCycle();
            assertEquals(100, link.client.connection.pendingBytes(), "the frame waits for the handshake");
            assertEquals(0, link.client.tls().pendingBytes(), "the hello went to the socket");
            link.pumpUntil("the first frame", () -> link.server.received == 1);

            link.server.receiving = false; // the socket fills up, then the transport holds records
            link.client.exchange(25, lengths);
            link.pumpUntil("records held by the transport, frames behind them", () ->
                link.client.tls().pendingBytes() > 0
                    && link.client.connection.pendingBytes() > link.client.tls().pendingBytes() + LARGE_FRAME_BYTES);

            link.server.receiving = true;
            link.pumpUntil("every frame", () -> link.server.received == 25);
            link.pumpUntil("nothing pending", () -> link.client.connection.pendingBytes() == 0);
            assertEquals(0, link.client.tls().pendingBytes());
        }
    }

    @Test
    void shouldCarryFramesOverTls12() throws IOException
    {
        final TlsFactory server12 = TlsFactory.server(certs.serverConfig().protocols(TlsConfig.TLS_1_2));
        try (Link link = link(accept(server12), connect(client, Link.LOOPBACK)))
        {
            exchange(link, 2_000, i -> 20 + (int)(i * 31 % 4000));
            assertEquals(TlsConfig.TLS_1_2, link.client.tls().session().getProtocol());
        }
    }

    @Test
    void shouldKeepDeliveringThroughKeyUpdatesOnBothSides() throws IOException
    {
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            exchange(link, 1_000, i -> 2_000);
            link.client.tls().engine().beginHandshake(); // TLS 1.3: a KeyUpdate, asking the peer to update too
            exchange(link, 2_000, i -> 2_000);
            link.server.tls().engine().beginHandshake();
            exchange(link, 3_000, i -> 2_000);
            assertEquals(TlsConfig.TLS_1_3, link.client.tls().session().getProtocol());
        }
    }

    @Test
    void shouldKeepDeliveringThroughTls12RenegotiationStartedByEitherSide() throws IOException
    {
        final TlsFactory server12 = TlsFactory.server(certs.serverConfig().protocols(TlsConfig.TLS_1_2));
        try (Link link = link(accept(server12), connect(client, Link.LOOPBACK)))
        {
            exchange(link, 1_000, i -> 3_000);
            link.client.tls().engine().beginHandshake();
            exchange(link, 2_000, i -> 3_000);
            link.server.tls().engine().beginHandshake();
            exchange(link, 3_000, i -> 3_000);
        }
    }

    @Test
    void shouldAuthenticateTheClientWithMutualTls() throws IOException
    {
        final TlsFactory mutualServer = TlsFactory.server(certs.mutualServerConfig());
        final TlsFactory mutualClient = TlsFactory.client(certs.mutualClientConfig());
        try (Link link = link(accept(mutualServer), connect(mutualClient, "localhost")))
        {
            exchange(link, 100, i -> 100);
            final X509Certificate peer = (X509Certificate)link.server.tls().session().getPeerCertificates()[0];
            assertTrue(peer.getSubjectX500Principal().getName().contains("CN=ferry-client"), peer.toString());
            assertTrue(mutualServer.isMutual());
        }
    }

    @Test
    void shouldFailOnBothSidesWhenTheClientDoesNotTrustTheServer() throws IOException
    {
        final TlsFactory distrusting = TlsFactory.client(new TlsConfig().ca(certs.otherCaCert()));
        try (Link link = link(accept(server), connect(distrusting, Link.LOOPBACK)))
        {
            link.client.exchange(1, i -> 100);
            link.pumpUntilBothFailed();
            assertFerryError(link.client, ErrorCode.CONFIGURATION, "TLS handshake with server 127.0.0.1:", "--tls-ca");
            assertFerryError(
                link.server, ErrorCode.CONFIGURATION, "TLS handshake with client", "rejected this side's certificate");
            assertInstanceOf(SSLException.class, link.client.error.getCause());
            assertEquals(0, link.server.received);
        }
    }

    @Test
    void shouldFailOnBothSidesWhenTheServerCertificateDoesNotNameTheHost() throws IOException
    {
        try (Link link = link(accept(server), connect(client, "ferry.invalid")))
        {
            link.client.exchange(1, i -> 100);
            link.pumpUntilBothFailed();
            assertFerryError(link.client, ErrorCode.CONFIGURATION, "ferry.invalid", "does not name the host");
            assertFerryError(link.server, ErrorCode.CONFIGURATION, "TLS handshake with client");
        }
    }

    @Test
    void shouldFailOnBothSidesWhenMutualTlsIsRequiredAndTheClientHasNoCertificate() throws IOException
    {
        final TlsFactory mutualServer = TlsFactory.server(certs.mutualServerConfig());
        try (Link link = link(accept(mutualServer), connect(client, Link.LOOPBACK)))
        {
            link.client.exchange(1, i -> 100);
            link.pumpUntilBothFailed();
            assertFerryError(link.server, ErrorCode.CONFIGURATION, "requires a client certificate");
            assertFerryError(link.client, ErrorCode.CONFIGURATION, "requires a client certificate", "--tls-cert");
            assertEquals(0, link.server.received, "nothing from an unauthenticated client is delivered");
            assertInstanceOf(SSLPeerUnverifiedException.class, assertThrowsPeerUnverified(link.server.tls()));
        }
    }

    private static Exception assertThrowsPeerUnverified(final TlsTransport transport)
    {
        try
        {
            transport.session().getPeerCertificates();
            return null;
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return ex;
        }
    }

    @Test
    void shouldTellAPlaintextClientAndTheTlsServerWhatHappened() throws IOException
    {
        try (Link link = link(accept(server), plain()))
        {
            final AtomicReference<String> said = new AtomicReference<>();
            link.client.onOther((type, buffer, offset, length) ->
            {
                final ErrorFlyweight error = new ErrorFlyweight().decode(buffer, offset, length);
                said.set(error.code() + ": " + error.message());
            });
            link.client.exchange(1, i -> 120);
            link.pumpUntil("the server's error and the client's ERROR frame",
                () -> link.server.error != null && said.get() != null);
            assertFerryError(link.server, ErrorCode.CONFIGURATION, "a plaintext client connected to this TLS port",
                "--tls-ca");
            assertEquals("CONFIGURATION: a plaintext client connected to this TLS port; give the client --tls-ca",
                said.get());
            link.pumpUntil("the client to see the end of the stream", () -> link.client.error != null);
            assertFerryError(link.client, ErrorCode.CONNECTION, "connection closed by");
        }
    }

    @Test
    void shouldTellATlsClientAndThePlaintextServerWhatHappened() throws IOException
    {
        try (Link link = link(plain(), connect(client, Link.LOOPBACK)))
        {
            link.client.exchange(1, i -> 100);
            link.pumpUntil("the plaintext server to fail", () -> link.server.error != null);
            assertInstanceOf(FrameException.class, link.server.error, "a TLS hello is no Ferry frame");
            assertTrue(link.server.connection.peerSentTls(), "the plaintext server can tell why");

            // what the plaintext server does with that (the engine's part): an ERROR frame, then close
            final String message = "a TLS client connected to this plaintext port; start the client without --tls-ca";
            final long offset = link.server.connection.claim(ErrorFlyweight.MAX_LENGTH);
            final int length = new ErrorFlyweight().encode(
                link.server.connection.sendBuffer(), offset, ErrorCode.CONFIGURATION, message);
            link.server.connection.commit(length);
            link.server.connection.flush();
            assertEquals(0, link.server.connection.pendingBytes());
            link.server.connection.close();

            link.pumpUntil("the TLS client to fail", () -> link.client.error != null);
            assertFerryError(link.client, ErrorCode.CONFIGURATION, "does not speak TLS",
                "the server said: CONFIGURATION " + message);
        }
    }

    @Test
    void shouldTellAPlaintextClientWhoseFirstFrameStartsLikeATlsRecord() throws IOException
    {
        try (Link link = link(accept(server), plain()))
        {
            link.client.exchange(1, i -> 0x0316); // its length's first two bytes are 0x16 0x03, a TLS handshake's
            link.pumpUntil("the server's error", () -> link.server.error != null);
            assertFerryError(link.server, ErrorCode.CONFIGURATION, "a plaintext client connected to this TLS port");
        }
    }

    @Test
    void shouldTellATlsHelloFromAnyFerryFrame()
    {
        final byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00};
        assertTrue(Transport.looksLikeTls(MemorySegment.ofArray(hello), 0, hello.length));
        assertTrue(Transport.looksLikeTls(MemorySegment.ofArray(hello), 0, 2), "two bytes are enough to suspect it");
        final byte[] frame = {0x16, 0x03, 0x00, 0x00, (byte)MessageType.ERROR.value(), 2, 0, 0};
        assertFalse(Transport.looksLikeTls(MemorySegment.ofArray(frame), 0, frame.length),
            "a Ferry frame of 0x316 bytes: its type byte is no hello's record length");
        final byte[] hello4 = {0x04, 0x00, 0x00, 0x00, 0x01};
        assertFalse(Transport.looksLikeTls(MemorySegment.ofArray(hello4), 0, hello4.length));
        assertFalse(Transport.looksLikeTls(MemorySegment.ofArray(hello), 0, 1));
    }

    @Test
    void shouldSayWhenAFrameConnectionsPeerOpenedWithTls() throws IOException
    {
        try (Link link = link(plain(), plain()))
        {
            link.client.exchange(1, i -> 0x0316);
            link.server.exchange(0, i -> 0x0316);
            link.pumpUntil("the frame", () -> link.server.received == 1);
            assertFalse(link.server.connection.peerSentTls(), "a Ferry frame, delivered");
        }
    }

    @Test
    void shouldDeliverCloseNotifyToThePeer() throws IOException
    {
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            exchange(link, 10, i -> 100);
            link.client.connection.close();
            link.server.sending = false;
            link.pumpUntil("the server to see the close", () -> link.server.error != null);
            assertFerryError(link.server, ErrorCode.CONNECTION, "connection closed by");
            assertTrue(link.server.tls().closeNotifyReceived(), "a clean close");
        }
    }

    @Test
    void shouldReportAnEndWithoutCloseNotifyAsAClose() throws IOException
    {
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            exchange(link, 10, i -> 100);
            link.client.connection.channel().close(); // no close_notify
            link.pumpUntil("the server to see the close", () -> link.server.error != null);
            assertFerryError(link.server, ErrorCode.CONNECTION, "connection closed by");
            assertFalse(link.server.tls().closeNotifyReceived());
        }
    }

    @Test
    void shouldReportAPeerThatClosesDuringTheHandshake() throws IOException
    {
        try (Link link = tlsLink(SMALL_MAX_FRAME_BYTES, SMALL_MAX_FRAME_BYTES))
        {
            link.server.connection.channel().shutdownOutput(); // an old server that hangs up on what it cannot read
            link.server.receiving = false;
            link.client.exchange(1, i -> 100);
            link.pumpUntil("the client to fail", () -> link.client.error != null);
            assertFerryError(link.client, ErrorCode.CONNECTION, "during the TLS handshake");
        }
    }
}
