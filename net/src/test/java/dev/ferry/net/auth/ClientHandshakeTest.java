package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.message.AuthFlyweight;
import dev.ferry.net.message.ChallengeFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.StatusRequestFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.wal.LeakCheck;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client's half of the handshake over a real loopback connection, with this test playing the primary: the
 * {@code AUTH} it answers verifies with the primary's {@link HandshakeAuth}, a {@code CHALLENGE} out of turn is a
 * {@code PROTOCOL} error, and a refusal is proven only by the primary's proof for this session (or where no secret is
 * used).
 */
@ExtendWith(LeakCheck.class)
class ClientHandshakeTest
{
    private static final byte[] KEY = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "a different secret, same length".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FRAME_BYTES = 4096;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /**
     * A frame as received, copied out of the receive buffer.
     */
    private record Frame(MessageType type, MemorySegment bytes)
    {
        int length()
        {
            return (int)bytes.byteSize();
        }
    }

    private ServerSocketChannel server;
    private FrameConnection client;
    private FrameConnection primary;
    private final HandshakeAuth primaryAuth = new HandshakeAuth(Secret.of(KEY));
    private final byte[] clientNonce = new byte[HandshakeAuth.NONCE_LENGTH];
    private final byte[] serverNonce = new byte[HandshakeAuth.NONCE_LENGTH];
    private Frame first;

    @BeforeEach
    void connect() throws IOException
    {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        final SocketChannel clientChannel = SocketChannel.open(server.getLocalAddress());
        client = new FrameConnection(clientChannel, MAX_FRAME_BYTES, MAX_FRAME_BYTES);
        primary = new FrameConnection(server.accept(), MAX_FRAME_BYTES, MAX_FRAME_BYTES);
    }

    @AfterEach
    void close() throws IOException
    {
        if (null != primary)
        {
            primary.close();
        }
        if (null != client)
        {
            client.close();
        }
        server.close();
    }

    private static void flush(final FrameConnection from) throws IOException
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (from.pendingBytes() > 0)
        {
            from.flush();
            if (System.nanoTime() - deadline > 0)
            {
                fail("could not send " + from.pendingBytes() + " bytes within " + DEADLINE);
            }
        }
    }

    /**
     * Sends what {@code from} has committed and receives the next frame at {@code to}.
     */
    private static Frame transfer(final FrameConnection from, final FrameConnection to) throws IOException
    {
        flush(from);
        final Frame[] received = {null};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (null == received[0])
        {
            to.receive((type, buffer, offset, length) -> received[0] =
                new Frame(type, MemorySegment.ofArray(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1);
            if (System.nanoTime() - deadline > 0)
            {
                fail("no frame within " + DEADLINE);
            }
        }
        return received[0];
    }

    private static void assertError(final ErrorCode code, final Executable action)
    {
        final FerryException ex = assertThrows(FerryException.class, action);
        assertEquals(code, ex.code(), ex.getMessage());
    }

    /**
     * The client sends its first frame, a fresh nonce from {@link ClientHandshake#reset()}, and keeps it; the primary
     * receives it.
     */
    private void sendFirst(final ClientHandshake handshake, final MessageType type) throws IOException
    {
        final byte[] nonce = handshake.reset();
        final MemorySegment out = client.sendBuffer();
        final int length;
        if (MessageType.HELLO == type)
        {
            final long claim = client.claim(HelloFlyweight.length(2));
            length = new HelloFlyweight().encode(out, claim, FrameHeader.VERSION, HelloFlyweight.codecMask(Codec.ZSTD),
                0, 4, 1_000, 11, 22, nonce, "r1");
            handshake.sent(type, out, claim, length);
        }
        else
        {
            final long claim = client.claim(StatusRequestFlyweight.LENGTH);
            length = new StatusRequestFlyweight().encode(out, claim, nonce);
            handshake.sent(type, out, claim, length);
        }
        client.commit(length);
        first = transfer(client, primary);
        assertEquals(type, first.type());
        if (MessageType.HELLO == type)
        {
            new HelloFlyweight().decode(first.bytes()).copyNonceTo(clientNonce);
        }
        else
        {
            new StatusRequestFlyweight().decode(first.bytes()).copyNonceTo(clientNonce);
        }
    }

    /**
     * The primary answers with a {@code CHALLENGE}, as received by the client.
     */
    private Frame challenge() throws IOException
    {
        final long claim = primary.claim(ChallengeFlyweight.LENGTH);
        primary.commit(new ChallengeFlyweight().encode(primary.sendBuffer(), claim, primaryAuth.nextNonce(serverNonce)));
        final Frame challenge = transfer(primary, client);
        assertEquals(MessageType.CHALLENGE, challenge.type());
        return challenge;
    }

    /**
     * The first frame, the challenge and the client's answer, up to the {@code AUTH} the primary received.
     */
    private Frame authenticate(final ClientHandshake handshake, final MessageType type) throws IOException
    {
        sendFirst(handshake, type);
        final Frame challenge = challenge();
        assertFalse(handshake.challenged());
        handshake.onChallenge(challenge.bytes(), 0, challenge.length(), client);
        assertTrue(handshake.challenged());
        final Frame auth = transfer(client, primary);
        assertEquals(MessageType.AUTH, auth.type());
        return auth;
    }

    private void verifyOnPrimary(final Frame auth)
    {
        final byte[] proof = new AuthFlyweight().decode(auth.bytes()).copyProofTo(new byte[HandshakeAuth.PROOF_LENGTH]);
        primaryAuth.verifyClientProof(first.type(), first.bytes(), 0, first.length(), serverNonce, proof, "client");
    }

    /**
     * The primary sends an {@code ERROR}, signed by {@code signer} for the given nonces or not at all (null).
     *
     * @return it, as the client received it.
     */
    private Frame sendError(final HandshakeAuth signer, final byte[] nC, final byte[] nS) throws IOException
    {
        final long claim = primary.claim(ErrorFlyweight.MAX_LENGTH);
        final MemorySegment out = primary.sendBuffer();
        final ErrorFlyweight error =
            new ErrorFlyweight().wrap(out, claim).code(ErrorCode.RETENTION).message("offset 5 is older than 9");
        if (null != signer)
        {
            signer.signFrame(MessageType.ERROR, out, claim, error.withProof().length(), nC, nS);
        }
        primary.commit(error.seal());
        final Frame received = transfer(primary, client);
        assertEquals(MessageType.ERROR, received.type());
        return received;
    }

    private PeerRefusal refusal(final ClientHandshake handshake, final Frame error)
    {
        final PeerRefusal refusal = handshake.refusal(error.bytes(), 0, error.length(), client.remoteAddress());
        assertEquals(ErrorCode.RETENTION, refusal.code());
        assertTrue(refusal.getMessage().contains("says: offset 5 is older than 9"), refusal.getMessage());
        assertEquals(!refusal.proven(), refusal.getMessage().contains("(unauthenticated)"), refusal.getMessage());
        return refusal;
    }

    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"HELLO", "STATUS_REQUEST"})
    void shouldAnswerTheChallengeWithAProofThePrimaryVerifies(final MessageType type) throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(KEY)));
        final Frame auth = authenticate(handshake, type);
        assertEquals(AuthFlyweight.LENGTH, auth.length());
        assertDoesNotThrow(() -> verifyOnPrimary(auth));

        // and the primary's proof over both nonces verifies on the client
        final long claim = primary.claim(WelcomeFlyweight.LENGTH);
        final MemorySegment out = primary.sendBuffer();
        final WelcomeFlyweight welcome = new WelcomeFlyweight().wrap(out, claim).codec(Codec.ZSTD)
            .mode(WelcomeFlyweight.Mode.STREAM).maxFrameBytes(MAX_FRAME_BYTES).startOffset(1_000).headOffset(1_000)
            .epoch(4).historyIdHi(11).historyIdLo(22);
        primaryAuth.signFrame(MessageType.WELCOME, out, claim, WelcomeFlyweight.LENGTH, clientNonce, serverNonce);
        primary.commit(welcome.seal());
        final Frame received = transfer(primary, client);
        assertDoesNotThrow(() -> handshake.verify(received.type(), received.bytes(), 0, received.length(), "WELCOME"));
    }

    @Test
    void shouldAnswerWithAProofAnotherSecretRefuses() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(OTHER_KEY)));
        final Frame auth = authenticate(handshake, MessageType.HELLO);
        assertError(ErrorCode.AUTHENTICATION, () -> verifyOnPrimary(auth));

        final ClientHandshake without = new ClientHandshake(new HandshakeAuth(Secret.NONE));
        final Frame zero = authenticate(without, MessageType.HELLO);
        assertArrayEquals(new byte[HandshakeAuth.PROOF_LENGTH],
            new AuthFlyweight().decode(zero.bytes()).copyProofTo(new byte[HandshakeAuth.PROOF_LENGTH]));
        assertError(ErrorCode.AUTHENTICATION, () -> verifyOnPrimary(zero));
    }

    @Test
    void shouldRefuseASecondChallenge() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(KEY)));
        authenticate(handshake, MessageType.HELLO);
        final Frame again = challenge();
        assertError(ErrorCode.PROTOCOL, () -> handshake.onChallenge(again.bytes(), 0, again.length(), client));
        assertEquals(0, client.pendingBytes(), "no second AUTH");
    }

    @Test
    void shouldRefuseAChallengeBeforeTheFirstFrame() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(KEY)));
        final Frame challenge = challenge();
        assertError(ErrorCode.PROTOCOL, () -> handshake.onChallenge(challenge.bytes(), 0, challenge.length(), client));

        handshake.reset(); // a new attempt: its first frame is not sent yet
        assertError(ErrorCode.PROTOCOL, () -> handshake.onChallenge(challenge.bytes(), 0, challenge.length(), client));
        assertFalse(handshake.challenged());
        assertEquals(0, client.pendingBytes(), "no AUTH");
    }

    @Test
    void shouldRefuseAFrameBeforeTheChallenge() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(KEY)));
        sendFirst(handshake, MessageType.HELLO);
        final Frame error = sendError(primaryAuth, clientNonce, serverNonce);
        final FerryException ex = assertThrows(FerryException.class,
            () -> handshake.verify(MessageType.ERROR, error.bytes(), 0, error.length(), "ERROR from the primary"));
        assertEquals(ErrorCode.AUTHENTICATION, ex.code());
        assertTrue(ex.getMessage().contains("before any CHALLENGE"), ex.getMessage());
        assertFalse(refusal(handshake, error).proven());
    }

    @Test
    void shouldProveARefusalOnlyWithTheRightProof() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(KEY)));
        authenticate(handshake, MessageType.HELLO);

        assertTrue(refusal(handshake, sendError(primaryAuth, clientNonce, serverNonce)).proven());
        assertFalse(refusal(handshake, sendError(null, null, null)).proven(), "no proof");
        assertFalse(refusal(handshake, sendError(new HandshakeAuth(Secret.of(OTHER_KEY)), clientNonce, serverNonce))
            .proven(), "another secret");
        assertFalse(refusal(handshake, sendError(new HandshakeAuth(Secret.NONE), clientNonce, serverNonce))
            .proven(), "a zero proof");
        final byte[] otherNonce = primaryAuth.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);
        assertFalse(refusal(handshake, sendError(primaryAuth, clientNonce, otherNonce)).proven(), "another session");
    }

    @Test
    void shouldRefuseAProofFromAnEarlierAttempt() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.of(KEY)));
        authenticate(handshake, MessageType.HELLO);
        final Frame recorded = sendError(primaryAuth, clientNonce, serverNonce);
        assertTrue(refusal(handshake, recorded).proven());

        authenticate(handshake, MessageType.HELLO); // reconnected: fresh nonces on both sides
        assertFalse(refusal(handshake, recorded).proven(), "a proven refusal replayed into a later session");
        assertTrue(refusal(handshake, sendError(primaryAuth, clientNonce, serverNonce)).proven());
    }

    @Test
    void shouldAlwaysProveARefusalWithoutASecret() throws IOException
    {
        final ClientHandshake handshake = new ClientHandshake(new HandshakeAuth(Secret.NONE));
        sendFirst(handshake, MessageType.STATUS_REQUEST);
        assertTrue(refusal(handshake, sendError(null, null, null)).proven(), "before the challenge");

        final Frame challenge = challenge();
        handshake.onChallenge(challenge.bytes(), 0, challenge.length(), client);
        assertTrue(refusal(handshake, sendError(null, null, null)).proven(), "without a proof");
        assertTrue(refusal(handshake, sendError(primaryAuth, clientNonce, serverNonce)).proven(), "with any proof");
        flush(client);
    }
}
