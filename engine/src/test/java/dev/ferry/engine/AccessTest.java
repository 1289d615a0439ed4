package dev.ferry.engine;

import dev.ferry.engine.serve.ReplicaSlot;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.auth.ClientHandshake;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.auth.PeerRefusal;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.message.AuthFlyweight;
import dev.ferry.net.message.ChallengeFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.NackFlyweight;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a peer without the secret can and cannot do (issue 15, findings 1, 5 and 6): nothing it sends is believed before
 * it proved the secret over both sides' nonces, a recorded exchange cannot be replayed, and a refusal the primary did
 * not sign makes a replica retry, never stop.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class AccessTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldRequireASecretOrTheDeliberateChoiceToRunWithout()
    {
        final FerryException primary = assertThrows(FerryException.class,
            () -> Primary.open(fixture.primaryConfig().secretFile(null)));
        assertEquals(ErrorCode.CONFIGURATION, primary.code());
        assertTrue(primary.getMessage().contains("--insecure-no-secret"), primary.getMessage());
        final FerryException replica = assertThrows(FerryException.class,
            () -> Replica.start(fixture.replicaConfig("r1", new InetSocketAddress("127.0.0.1", 1)).secretFile(null)));
        assertEquals(ErrorCode.CONFIGURATION, replica.code());

        final Primary insecure = fixture.primary(fixture.primaryConfig().secretFile(null).insecureNoSecret(true));
        insecure.append(new byte[8]);
        final Replica follower = fixture.track(Replica.start(
            fixture.replicaConfig("r1", insecure.localAddress()).secretFile(null).insecureNoSecret(true)));
        await("the insecure replica to follow", WAIT, () -> follower.receivedOffset() == 1);
    }

    @Test
    void shouldRefuseARecordedHandshakeReplayedAndLeaveTheRealReplicaStreaming() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Secret secret = Secret.load(fixture.secretFile());

        // an exchange recorded on the wire: r1's HELLO and AUTH, which the primary accepted with a WELCOME
        final byte[][] recorded = handshake(primary.localAddress(), secret, "r1");
        assertEquals(MessageType.WELCOME.value(), recorded[2][FrameHeader.TYPE_OFFSET]);

        final AtomicInteger backoffs = new AtomicInteger();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .listener((from, to, error) ->
            {
                if (to == ReplicaState.BACKOFF)
                {
                    backoffs.incrementAndGet();
                }
            })));
        primary.append(new byte[16]);
        await("r1 to stream", WAIT, () -> replica.receivedOffset() == 1 && replica.state() == ReplicaState.STREAMING);
        final ReplicaSlot slot = primary.slot("r1");
        final String remote = slot.remote();

        // replayed: the same HELLO and AUTH bytes, on a new connection that gets a new CHALLENGE
        final byte[] answer = replay(primary.localAddress(), recorded[0], recorded[1]);
        assertEquals(MessageType.ERROR.value(), answer[FrameHeader.TYPE_OFFSET], "refused");
        final ErrorFlyweight error = new ErrorFlyweight().decode(MemorySegment.ofArray(answer));
        assertEquals(ErrorCode.AUTHENTICATION, error.code(), error.message());
        assertFalse(error.hasProof(), "nobody was authenticated: the refusal is not signed");

        primary.append(new byte[16]);
        await("r1 to receive the next entry on the same session", WAIT, () -> replica.receivedOffset() == 2);
        assertEquals(0, backoffs.get(), "the real replica was never displaced");
        assertEquals(remote, primary.slot("r1").remote());
        assertEquals(ReplicaState.STREAMING, replica.state());
    }

    /**
     * Frames after the handshake carry no proof, so an ACK or NACK may have been injected on the path: a refusal it
     * causes is not signed (the replica retries and the next handshake decides again), and a NACK beyond what was sent
     * is PROTOCOL, as PROTOCOL.md section 7 says, not DIVERGED.
     */
    @Test
    void shouldNotSignARefusalCausedByAFrameAfterTheHandshake() throws IOException
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        primary.append(new byte[16]);
        try (FrameConnection link = connect(primary.localAddress()))
        {
            final byte[] welcome = authenticate(link, Secret.load(fixture.secretFile()), "r1");
            assertEquals(MessageType.WELCOME.value(), welcome[FrameHeader.TYPE_OFFSET]);
            final long claim = link.claim(NackFlyweight.LENGTH);
            link.commit(new NackFlyweight().encode(link.sendBuffer(), claim, 1L << 40, ErrorCode.SEQUENCE_GAP));
            byte[] frame;
            do
            {
                frame = receive(link); // batches and heartbeats, then the refusal
            }
            while (frame[FrameHeader.TYPE_OFFSET] != MessageType.ERROR.value());
            final ErrorFlyweight error = new ErrorFlyweight().decode(MemorySegment.ofArray(frame));
            assertEquals(ErrorCode.PROTOCOL, error.code(), error.message());
            assertFalse(error.hasProof(), "a refusal while streaming is not signed");
        }
    }

    @Test
    void shouldCreateNoSlotAndNeverStopAReplicaWithAnotherSecret()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        final Path other = dir.resolve("other-secret");
        Secret.generate(other);
        final AtomicInteger attempts = new AtomicInteger();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("intruder", primary.localAddress())
            .secretFile(other)
            .backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50))
            .listener((from, to, error) ->
            {
                if (to == ReplicaState.CONNECTING)
                {
                    attempts.incrementAndGet();
                }
            })));
        await("three refused attempts", WAIT, () -> attempts.get() >= 3);
        assertEquals(ErrorCode.AUTHENTICATION, replica.lastError().code(), replica.lastError().getMessage());
        assertNotEquals(ReplicaState.STOPPED, replica.state(), "a refusal nobody proved never stops a replica");
        assertNull(primary.slot("intruder"), "an unauthenticated peer creates no slot");
        assertTrue(primary.status().replicas().isEmpty());
    }

    @Test
    void shouldAnswerStatusOnlyToAClientWithTheSecret()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        primary.append(new byte[8]);
        final FerryException anonymous = assertThrows(FerryException.class,
            () -> StatusClient.requestJson(primary.localAddress(), WAIT, Secret.NONE));
        assertEquals(ErrorCode.AUTHENTICATION, anonymous.code(), anonymous.getMessage());
        final String json = StatusClient.requestJson(primary.localAddress(), WAIT, Secret.load(fixture.secretFile()));
        assertTrue(json.contains("\"head\":1"), json);
    }

    @Test
    void shouldSendAStatusLargerThanAFrameInParts()
    {
        // frames of 1 KiB: the status of a few replicas spans several parts
        final PrimaryConfig config = fixture.primaryConfig().maxFrameBytes(1024).maxBatchBytes(512).sendBufferBytes(4096);
        config.wal().maxPayloadBytes(256);
        final Primary primary = fixture.primary(config);
        final List<Replica> replicas = new ArrayList<>();
        for (int r = 0; r < 6; r++)
        {
            replicas.add(fixture.replica("replica-with-a-rather-long-identifier-" + r, primary.localAddress()));
        }
        primary.append(new byte[8]);
        await("every replica to receive", WAIT, () -> replicas.stream().allMatch(r -> r.receivedOffset() == 1));
        final String json = StatusClient.requestJson(primary.localAddress(), WAIT, Secret.load(fixture.secretFile()));
        assertTrue(json.length() > 1024, "spans several 1 KiB parts: " + json.length() + " bytes");
        final PrimaryStatus status = dev.ferry.engine.cli.StatusDocuments.read(json);
        assertEquals(6, status.replicas().size(), json);
    }

    /**
     * Before the primary proved itself, an ERROR is what anybody on the path could have sent: back off and retry
     * (finding 5). A signed one is believed: DIVERGED stops the replica; INTERNAL and STORAGE are retried.
     */
    @ParameterizedTest
    @EnumSource(value = Refusal.class)
    void shouldActOnlyOnARefusalThePrimaryProved(final Refusal refusal) throws IOException
    {
        final Secret secret = Secret.load(fixture.secretFile());
        try (FakePrimary fake = new FakePrimary(secret, refusal))
        {
            final AtomicInteger attempts = new AtomicInteger();
            final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", fake.address())
                .backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50))
                .listener((from, to, error) ->
                {
                    if (to == ReplicaState.CONNECTING)
                    {
                        attempts.incrementAndGet();
                    }
                })));
            if (refusal.stops)
            {
                await("the replica to stop", WAIT, () -> replica.state() == ReplicaState.STOPPED && replica.lastError() != null);
                assertEquals(refusal.code, replica.lastError().code());
                assertInstanceOf(PeerRefusal.class, replica.lastError());
                assertEquals(1, attempts.get(), "stopped at the first proven refusal");
            }
            else
            {
                await("three attempts", WAIT, () -> attempts.get() >= 3);
                assertEquals(refusal.code, replica.lastError().code(), replica.lastError().getMessage());
                assertNotEquals(ReplicaState.STOPPED, replica.state(), replica.lastError().getMessage());
            }
        }
    }

    /** How the fake primary refuses. */
    enum Refusal
    {
        /** An ERROR instead of a CHALLENGE: nobody was authenticated. */
        DIVERGED_AT_ONCE(ErrorCode.DIVERGED, null, false),
        /** After AUTH, an ERROR signed with another secret. */
        DIVERGED_WRONG_PROOF(ErrorCode.DIVERGED, "another secret of 32 bytes, surely", false),
        /** After AUTH, an ERROR without a proof. */
        RETENTION_UNSIGNED(ErrorCode.RETENTION, "", false),
        /** After AUTH, a signed DIVERGED: believed. */
        DIVERGED_PROVEN(ErrorCode.DIVERGED, null, true),
        /** After AUTH, a signed INTERNAL: the primary's bug, retried. */
        INTERNAL_PROVEN(ErrorCode.INTERNAL, null, false),
        /** After AUTH, a signed STORAGE: the primary's disk, retried. */
        STORAGE_PROVEN(ErrorCode.STORAGE, null, false);

        final ErrorCode code;
        final String signWith; // null: the right secret (or no challenge at all for *_AT_ONCE); "": unsigned
        final boolean stops;

        Refusal(final ErrorCode code, final String signWith, final boolean stops)
        {
            this.code = code;
            this.signWith = signWith;
            this.stops = stops;
        }
    }

    /**
     * A primary that refuses every replica: after the HELLO at once, or after a CHALLENGE and AUTH with an ERROR signed
     * as {@link Refusal} says. One thread; every socket closed.
     */
    private static final class FakePrimary implements AutoCloseable
    {
        private final ServerSocketChannel server = ServerSocketChannel.open();
        private final Thread thread;
        private final Secret secret;
        private final Refusal refusal;
        private volatile boolean closed;

        FakePrimary(final Secret secret, final Refusal refusal) throws IOException
        {
            this.secret = secret;
            this.refusal = refusal;
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
            thread = new Thread(this::run, "fake-primary");
            thread.start();
        }

        InetSocketAddress address() throws IOException
        {
            return (InetSocketAddress)server.getLocalAddress();
        }

        private void run()
        {
            while (!closed)
            {
                try
                {
                    final SocketChannel channel = server.accept();
                    if (channel == null)
                    {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        continue;
                    }
                    try (FrameConnection link = new FrameConnection(channel, 4096, 4096))
                    {
                        refuse(link);
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // the replica hung up: wait for its next attempt
                }
            }
        }

        private void refuse(final FrameConnection link) throws IOException
        {
            final byte[] hello = receive(link);
            final byte[] clientNonce = new HelloFlyweight().decode(MemorySegment.ofArray(hello))
                .copyNonceTo(new byte[HelloFlyweight.NONCE_LENGTH]);
            final HandshakeAuth auth = new HandshakeAuth(secret);
            final byte[] serverNonce = auth.nextNonce(new byte[HelloFlyweight.NONCE_LENGTH]);
            if (refusal != Refusal.DIVERGED_AT_ONCE)
            {
                send(link, new ChallengeFlyweight().encode(link.sendBuffer(), link.claim(ChallengeFlyweight.LENGTH), serverNonce));
                receive(link); // AUTH, whatever it proves
            }
            final long claim = link.claim(ErrorFlyweight.MAX_LENGTH);
            final ErrorFlyweight error = new ErrorFlyweight().wrap(link.sendBuffer(), claim).code(refusal.code)
                .message("refused by a fake primary");
            if (refusal != Refusal.DIVERGED_AT_ONCE && !"".equals(refusal.signWith))
            {
                final HandshakeAuth signer = refusal.signWith == null ? auth :
                    new HandshakeAuth(Secret.of(refusal.signWith.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                signer.signFrame(MessageType.ERROR, link.sendBuffer(), claim, error.withProof().length(), clientNonce,
                    serverNonce);
            }
            send(link, error.seal());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // let it read the ERROR before the close
        }

        private static void send(final FrameConnection link, final int length) throws IOException
        {
            link.commit(length);
            while (link.pendingBytes() > 0)
            {
                link.flush();
            }
        }

        @Override
        public void close() throws IOException
        {
            closed = true;
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            server.close();
        }
    }

    /**
     * A full handshake as a replica with an empty WAL on an open connection.
     *
     * @return the primary's answer to AUTH.
     */
    private static byte[] authenticate(final FrameConnection link, final Secret secret, final String id)
        throws IOException
    {
        return exchange(link, secret, id)[2];
    }

    /**
     * A full handshake as a replica with an empty WAL, recording the client's frames.
     *
     * @return {HELLO, AUTH, the primary's answer} as sent and received.
     */
    private static byte[][] handshake(final InetSocketAddress primary, final Secret secret, final String id)
        throws IOException
    {
        try (FrameConnection link = connect(primary))
        {
            return exchange(link, secret, id);
        }
    }

    private static byte[][] exchange(final FrameConnection link, final Secret secret, final String id)
        throws IOException
    {
        final ClientHandshake client = new ClientHandshake(new HandshakeAuth(secret));
        final long claim = link.claim(HelloFlyweight.length(id.length()));
        final int length = new HelloFlyweight().encode(link.sendBuffer(), claim, FrameHeader.VERSION,
            HelloFlyweight.codecMask(Codec.NONE), HelloFlyweight.EMPTY_WAL_FLAG, 0, 0, 0, 0, client.reset(), id);
        final byte[] hello = copy(link.sendBuffer(), claim, length);
        client.sent(MessageType.HELLO, link.sendBuffer(), claim, length);
        link.commit(length);
        final byte[] challenge = receive(link);
        final long authAt = link.claim(AuthFlyweight.LENGTH); // where onChallenge will encode it
        client.onChallenge(MemorySegment.ofArray(challenge), 0, challenge.length, link);
        final byte[] auth = copy(link.sendBuffer(), authAt, AuthFlyweight.LENGTH);
        return new byte[][]{hello, auth, receive(link)};
    }

    /**
     * @return the primary's answer to the recorded HELLO and AUTH, sent after whatever CHALLENGE it gives.
     */
    private static byte[] replay(final InetSocketAddress primary, final byte[] hello, final byte[] auth) throws IOException
    {
        try (FrameConnection link = connect(primary))
        {
            sendRaw(link, hello);
            final byte[] challenge = receive(link);
            assertEquals(MessageType.CHALLENGE.value(), challenge[FrameHeader.TYPE_OFFSET]);
            sendRaw(link, auth);
            return receive(link);
        }
    }

    private static FrameConnection connect(final InetSocketAddress address) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(address);
        return new FrameConnection(channel, 4096, 4096);
    }

    private static void sendRaw(final FrameConnection link, final byte[] frame) throws IOException
    {
        final long claim = link.claim(frame.length);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, link.sendBuffer(), claim, frame.length);
        link.commit(frame.length);
        link.flush();
    }

    /** The next frame, bytes copied out; flushes what is pending first. */
    private static byte[] receive(final FrameConnection link) throws IOException
    {
        final byte[][] frame = {null};
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (frame[0] == null)
        {
            link.flush();
            link.receive((type, buffer, offset, length) -> frame[0] = copy(buffer, offset, length), 1);
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("no frame within " + WAIT);
            }
            if (frame[0] == null)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return frame[0];
    }

    private static byte[] copy(final MemorySegment buffer, final long offset, final int length)
    {
        final byte[] bytes = new byte[length];
        MemorySegment.copy(buffer, offset, MemorySegment.ofArray(bytes), 0, length);
        return bytes;
    }
}
