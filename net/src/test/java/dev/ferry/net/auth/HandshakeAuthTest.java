package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handshake proofs: the right secret verifies both ways, anything else is refused with {@code AUTHENTICATION}.
 */
class HandshakeAuthTest
{
    private static final byte[] KEY = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);
    private static final String REPLICA_ID = "replica-1";
    private static final long HISTORY_HI = 0x1122334455667788L;
    private static final long HISTORY_LO = 0x99AABBCCDDEEFF00L;
    private static final long EPOCH = 3;
    private static final long NEXT_OFFSET = 1_000;
    private static final long LAST_ENTRY = 64L << 32 | 0x1234_5678L;
    private static final long START_OFFSET = 1_000;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(4096);
    private final FrameDecoder frameDecoder = new FrameDecoder(4096);
    private final HandshakeAuth replica = new HandshakeAuth(Secret.of(KEY));
    private final HandshakeAuth primary = new HandshakeAuth(Secret.of(KEY));
    private final byte[] nonce = replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);

    @AfterEach
    void after()
    {
        arena.close();
    }

    private static void assertAuthenticationError(final Executable action)
    {
        final FerryException ex = assertThrows(FerryException.class, action);
        assertEquals(ErrorCode.AUTHENTICATION, ex.code(), ex.getMessage());
    }

    private HelloFlyweight sendHello(final HandshakeAuth auth)
    {
        final HelloFlyweight hello = new HelloFlyweight().wrap(buffer, 0)
            .protocolVersion(1)
            .codecMask(HelloFlyweight.codecMask(Codec.ZSTD))
            .flags(0)
            .epoch(EPOCH)
            .nextOffset(NEXT_OFFSET)
            .lastEntry(LAST_ENTRY)
            .historyIdHi(HISTORY_HI)
            .historyIdLo(HISTORY_LO)
            .nonce(nonce)
            .replicaId(REPLICA_ID);
        auth.signHello(hello);
        final int length = hello.seal();
        frameDecoder.verify(buffer, 0, length);
        return new HelloFlyweight().decode(buffer, 0, length);
    }

    private WelcomeFlyweight sendWelcome(final HandshakeAuth auth, final byte[] helloNonce)
    {
        final WelcomeFlyweight welcome = new WelcomeFlyweight().wrap(buffer, 1024)
            .codec(Codec.ZSTD)
            .mode(WelcomeFlyweight.Mode.STREAM)
            .maxFrameBytes(1 << 20)
            .startOffset(START_OFFSET)
            .headOffset(START_OFFSET + 10)
            .epoch(EPOCH)
            .historyIdHi(HISTORY_HI)
            .historyIdLo(HISTORY_LO);
        auth.signWelcome(welcome, helloNonce);
        final int length = welcome.seal();
        frameDecoder.verify(buffer, 1024, length);
        return new WelcomeFlyweight().decode(buffer, 1024, length);
    }

    @Test
    void shouldVerifyBothProofsWithTheSameSecret()
    {
        final HelloFlyweight hello = sendHello(replica);
        assertFalse(hello.proofIsZero());
        primary.verifyHello(hello);

        final byte[] helloNonce = hello.copyNonceTo(new byte[HandshakeAuth.NONCE_LENGTH]);
        final WelcomeFlyweight welcome = sendWelcome(primary, helloNonce);
        assertFalse(welcome.proofIsZero());
        replica.verifyWelcome(welcome, nonce);
    }

    @Test
    void shouldComputeTheProofsDocumentedInProtocolMd() throws Exception
    {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));

        final ByteBuffer helloInput = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        helloInput.put("ferry-hello-v2".getBytes(StandardCharsets.US_ASCII))
            .put((byte)REPLICA_ID.length()).put(REPLICA_ID.getBytes(StandardCharsets.US_ASCII))
            .putLong(HISTORY_HI).putLong(HISTORY_LO).putLong(EPOCH).putLong(NEXT_OFFSET).putLong(LAST_ENTRY).put(nonce).flip();
        mac.update(helloInput);
        final byte[] expectedHello = mac.doFinal();
        final byte[] hello = new byte[HandshakeAuth.PROOF_LENGTH];
        replica.helloProof(REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, hello);
        assertArrayEquals(expectedHello, hello);
        assertArrayEquals(expectedHello, sendHello(replica).copyProofTo(new byte[HandshakeAuth.PROOF_LENGTH]));

        final ByteBuffer welcomeInput = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        welcomeInput.put("ferry-welcome-v1".getBytes(StandardCharsets.US_ASCII)).put(nonce)
            .putLong(START_OFFSET).putLong(EPOCH).putLong(HISTORY_HI).putLong(HISTORY_LO).flip();
        mac.update(welcomeInput);
        final byte[] expectedWelcome = mac.doFinal();
        final byte[] welcome = new byte[HandshakeAuth.PROOF_LENGTH];
        primary.welcomeProof(nonce, START_OFFSET, EPOCH, HISTORY_HI, HISTORY_LO, welcome);
        assertArrayEquals(expectedWelcome, welcome);
    }

    @Test
    void shouldRefuseAWrongSecret()
    {
        final HandshakeAuth impostor = new HandshakeAuth(Secret.of("wrong".getBytes(StandardCharsets.US_ASCII)));

        final HelloFlyweight hello = sendHello(impostor);
        assertAuthenticationError(() -> primary.verifyHello(hello));

        final WelcomeFlyweight welcome = sendWelcome(impostor, nonce);
        assertAuthenticationError(() -> replica.verifyWelcome(welcome, nonce));
    }

    @Test
    void shouldRefuseEveryFlippedProofBit()
    {
        final byte[] hello = replica.helloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, new byte[HandshakeAuth.PROOF_LENGTH]);
        final byte[] welcome = primary.welcomeProof(
            nonce, START_OFFSET, EPOCH, HISTORY_HI, HISTORY_LO, new byte[HandshakeAuth.PROOF_LENGTH]);
        assertDoesNotThrow(
            () -> primary.verifyHelloProof(REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, hello));

        for (int bit = 0; bit < HandshakeAuth.PROOF_LENGTH * 8; bit++)
        {
            final byte[] badHello = hello.clone();
            badHello[bit >> 3] ^= (byte)(1 << (bit & 7));
            assertAuthenticationError(() -> primary.verifyHelloProof(
                REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, badHello));

            final byte[] badWelcome = welcome.clone();
            badWelcome[bit >> 3] ^= (byte)(1 << (bit & 7));
            assertAuthenticationError(() -> replica.verifyWelcomeProof(
                nonce, START_OFFSET, EPOCH, HISTORY_HI, HISTORY_LO, badWelcome));
        }
    }

    @Test
    void shouldRefuseAProofForOtherFields()
    {
        final byte[] proof = replica.helloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, new byte[HandshakeAuth.PROOF_LENGTH]);
        final byte[] otherNonce = nonce.clone();
        otherNonce[0] ^= 1;

        assertAuthenticationError(() -> primary.verifyHelloProof(
            "replica-2", HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, proof));
        assertAuthenticationError(() -> primary.verifyHelloProof(
            REPLICA_ID, HISTORY_HI + 1, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, proof));
        assertAuthenticationError(() -> primary.verifyHelloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO + 1, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, proof));
        assertAuthenticationError(() -> primary.verifyHelloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH + 1, NEXT_OFFSET, LAST_ENTRY, nonce, proof));
        assertAuthenticationError(() -> primary.verifyHelloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET + 1, LAST_ENTRY, nonce, proof));
        assertAuthenticationError(() -> primary.verifyHelloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY + 1, nonce, proof));
        assertAuthenticationError(() -> primary.verifyHelloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, otherNonce, proof));

        // a WELCOME recorded for another connection's nonce is refused: no replay towards a replica
        final WelcomeFlyweight welcome = sendWelcome(primary, otherNonce);
        assertAuthenticationError(() -> replica.verifyWelcome(welcome, nonce));
    }

    @Test
    void shouldRefuseAReplicaWithoutSecretWhenThePrimaryHasOne()
    {
        final HandshakeAuth noSecret = new HandshakeAuth(Secret.NONE);
        assertFalse(noSecret.hasSecret());

        final HelloFlyweight hello = sendHello(noSecret);
        assertTrue(hello.proofIsZero());
        final FerryException ex = assertThrows(FerryException.class, () -> primary.verifyHello(hello));
        assertEquals(ErrorCode.AUTHENTICATION, ex.code());
        assertTrue(ex.getMessage().contains("no proof"), ex.getMessage());
    }

    @Test
    void shouldRefuseAPrimaryWithoutSecretWhenTheReplicaHasOne()
    {
        final HandshakeAuth noSecret = new HandshakeAuth(Secret.NONE);

        final HelloFlyweight hello = sendHello(replica);
        noSecret.verifyHello(hello);

        final WelcomeFlyweight welcome = sendWelcome(noSecret, nonce);
        assertTrue(welcome.proofIsZero());
        assertAuthenticationError(() -> replica.verifyWelcome(welcome, nonce));
    }

    @Test
    void shouldAcceptAnyProofWhenNeitherSideHasASecret()
    {
        final HandshakeAuth replicaNone = new HandshakeAuth(Secret.NONE);
        final HandshakeAuth primaryNone = new HandshakeAuth(Secret.NONE);

        final byte[] proof = replicaNone.helloProof(
            REPLICA_ID, HISTORY_HI, HISTORY_LO, EPOCH, NEXT_OFFSET, LAST_ENTRY, nonce, new byte[HandshakeAuth.PROOF_LENGTH]);
        assertArrayEquals(new byte[HandshakeAuth.PROOF_LENGTH], proof);
        primaryNone.verifyHello(sendHello(replicaNone));
        replicaNone.verifyWelcome(sendWelcome(primaryNone, nonce), nonce);
    }

    @Test
    void shouldDrawFreshNonces()
    {
        final byte[] first = replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);
        final byte[] second = replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);
        assertFalse(Arrays.equals(first, second));
        assertThrows(IllegalArgumentException.class, () -> replica.nextNonce(new byte[8]));
    }

    @Test
    void shouldNeverShowTheSecret()
    {
        assertFalse(replica.toString().contains("horse"), replica.toString());
        assertEquals("HandshakeAuth[Secret[set]]", replica.toString());
    }
}
