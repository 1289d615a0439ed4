package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.AuthFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.StatusRequestFlyweight;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The challenge-response proofs of protocol version 3: the right secret verifies both ways over both nonces, anything
 * else (another secret, no secret, another session's nonces, a changed byte, the other side's label) is refused with
 * {@code AUTHENTICATION}.
 */
class HandshakeAuthTest
{
    private static final byte[] KEY = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "a different secret, same length".getBytes(StandardCharsets.US_ASCII);
    private static final String REPLICA_ID = "replica-1";
    private static final long HISTORY_HI = 0x1122334455667788L;
    private static final long HISTORY_LO = 0x99AABBCCDDEEFF00L;
    private static final long EPOCH = 3;
    private static final long NEXT_OFFSET = 1_000;
    private static final long LAST_ENTRY = 64L << 32 | 0x1234_5678L;
    private static final long START_OFFSET = 1_000;
    private static final int HELLO_AT = 0;
    private static final int WELCOME_AT = 256;
    private static final int SIGNED_AT = 512;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(4096);
    private final FrameDecoder frameDecoder = new FrameDecoder(4096);
    private final HandshakeAuth replica = new HandshakeAuth(Secret.of(KEY));
    private final HandshakeAuth primary = new HandshakeAuth(Secret.of(KEY));
    private final HandshakeAuth none = new HandshakeAuth(Secret.NONE);
    private final byte[] clientNonce = replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);
    private final byte[] serverNonce = primary.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);

    @AfterEach
    void after()
    {
        arena.close();
    }

    private static FerryException assertAuthenticationError(final Executable action)
    {
        final FerryException ex = assertThrows(FerryException.class, action);
        assertEquals(ErrorCode.AUTHENTICATION, ex.code(), ex.getMessage());
        return ex;
    }

    private static byte[] proof()
    {
        return new byte[HandshakeAuth.PROOF_LENGTH];
    }

    private static byte[] flipped(final byte[] bytes, final int index)
    {
        final byte[] copy = bytes.clone();
        copy[index] ^= 1;
        return copy;
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * HMAC-SHA256 with javax.crypto directly, over the concatenation of {@code parts}: the formula of PROTOCOL.md
     * section 8, computed without {@link HandshakeAuth}.
     */
    private static byte[] hmac(final byte[] key, final byte[]... parts) throws GeneralSecurityException
    {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(concat(parts));
    }

    private static byte[] ascii(final String label)
    {
        return label.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] typeByte(final MessageType type)
    {
        return new byte[] {(byte)type.value()};
    }

    private byte[] bytes(final long offset, final int length)
    {
        return buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * A replica's {@code HELLO} as sent, at {@link #HELLO_AT}.
     *
     * @return its length.
     */
    private int sendHello()
    {
        final int length = new HelloFlyweight().wrap(buffer, HELLO_AT)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.ZSTD))
            .flags(HelloFlyweight.NO_SYNC_FLAG)
            .epoch(EPOCH)
            .nextOffset(NEXT_OFFSET)
            .lastChain(LAST_ENTRY)
            .historyIdHi(HISTORY_HI)
            .historyIdLo(HISTORY_LO)
            .nonce(clientNonce)
            .replicaId(REPLICA_ID)
            .seal();
        frameDecoder.verify(buffer, HELLO_AT, length);
        return length;
    }

    private byte[] helloProof(final HandshakeAuth auth, final int helloLength, final byte[] nonce)
    {
        return auth.clientProof(MessageType.HELLO, buffer, HELLO_AT, helloLength, nonce, proof());
    }

    /**
     * A {@code WELCOME} signed by {@code auth} for the given nonces, sealed and verified, at {@link #WELCOME_AT}.
     */
    private WelcomeFlyweight sendWelcome(final HandshakeAuth auth, final byte[] nC, final byte[] nS)
    {
        final WelcomeFlyweight welcome = new WelcomeFlyweight().wrap(buffer, WELCOME_AT)
            .codec(Codec.ZSTD)
            .mode(WelcomeFlyweight.Mode.STREAM)
            .maxFrameBytes(1 << 20)
            .startOffset(START_OFFSET)
            .headOffset(START_OFFSET + 10)
            .epoch(EPOCH)
            .historyIdHi(HISTORY_HI)
            .historyIdLo(HISTORY_LO);
        auth.signFrame(MessageType.WELCOME, buffer, WELCOME_AT, WelcomeFlyweight.LENGTH, nC, nS);
        final int length = welcome.seal();
        frameDecoder.verify(buffer, WELCOME_AT, length);
        return new WelcomeFlyweight().decode(buffer, WELCOME_AT, length);
    }

    private void verifyWelcome(final HandshakeAuth auth)
    {
        auth.verifyFrame(
            MessageType.WELCOME, buffer, WELCOME_AT, WelcomeFlyweight.LENGTH, clientNonce, serverNonce, "WELCOME");
    }

    /**
     * An {@code ERROR} at {@link #SIGNED_AT}, signed by {@code auth} when {@code signer} is not null.
     *
     * @return its length.
     */
    private int sendError(final HandshakeAuth signer, final ErrorCode code, final String message)
    {
        final ErrorFlyweight error = new ErrorFlyweight().wrap(buffer, SIGNED_AT).code(code).message(message);
        if (null != signer)
        {
            signer.signFrame(MessageType.ERROR, buffer, SIGNED_AT, error.withProof().length(), clientNonce, serverNonce);
        }
        final int length = error.seal();
        frameDecoder.verify(buffer, SIGNED_AT, length);
        assertEquals(null != signer, new ErrorFlyweight().decode(buffer, SIGNED_AT, length).hasProof());
        return length;
    }

    private boolean errorProven(final HandshakeAuth auth, final int length)
    {
        return auth.frameProven(MessageType.ERROR, buffer, SIGNED_AT, length, clientNonce, serverNonce);
    }

    @Test
    void shouldVerifyBothProofsWithTheSameSecret()
    {
        final int helloLength = sendHello();
        final byte[] auth = helloProof(replica, helloLength, serverNonce);
        assertFalse(Arrays.equals(proof(), auth));
        assertDoesNotThrow(() -> primary.verifyClientProof(
            MessageType.HELLO, buffer, HELLO_AT, helloLength, serverNonce, auth, "replica 'replica-1'"));

        final WelcomeFlyweight welcome = sendWelcome(primary, clientNonce, serverNonce);
        assertFalse(welcome.proofIsZero());
        assertDoesNotThrow(() -> verifyWelcome(replica));
        assertTrue(replica.frameProven(
            MessageType.WELCOME, buffer, WELCOME_AT, WelcomeFlyweight.LENGTH, clientNonce, serverNonce));
    }

    @Test
    void shouldProveAWelcomeWrittenWhereAnotherFrameWas()
    {
        // a send buffer reused: the CHALLENGE's nonce was where WELCOME's reserved field goes, and seal() zeroes it
        buffer.asSlice(WELCOME_AT, WelcomeFlyweight.LENGTH).fill((byte)0xFF);
        final WelcomeFlyweight welcome = sendWelcome(primary, clientNonce, serverNonce);
        assertEquals(Codec.ZSTD, welcome.codec());
        assertDoesNotThrow(() -> verifyWelcome(replica));
    }

    @Test
    void shouldVerifyAStatusClientLikeAReplica()
    {
        final int requestLength = new StatusRequestFlyweight().encode(buffer, HELLO_AT, clientNonce);
        final byte[] auth = replica.clientProof(
            MessageType.STATUS_REQUEST, buffer, HELLO_AT, requestLength, serverNonce, proof());
        assertDoesNotThrow(() -> primary.verifyClientProof(
            MessageType.STATUS_REQUEST, buffer, HELLO_AT, requestLength, serverNonce, auth, "status client"));
        assertAuthenticationError(() -> primary.verifyClientProof(
            MessageType.HELLO, buffer, HELLO_AT, requestLength, serverNonce, auth, "status client"));

        final byte[] json = "{\"head\":42,\"é\":\"🚢\"}".getBytes(StandardCharsets.UTF_8);
        final StatusResponseFlyweight part =
            new StatusResponseFlyweight().part(buffer, SIGNED_AT, 0, 1, json, 0, json.length);
        final int length = (int)StatusResponseFlyweight.length(json.length);
        primary.signFrame(MessageType.STATUS_RESPONSE, buffer, SIGNED_AT, length, clientNonce, serverNonce);
        assertEquals(length, part.seal());
        frameDecoder.verify(buffer, SIGNED_AT, length);
        assertDoesNotThrow(() -> replica.verifyFrame(
            MessageType.STATUS_RESPONSE, buffer, SIGNED_AT, length, clientNonce, serverNonce, "STATUS_RESPONSE"));
    }

    @Test
    void shouldComputeTheProofsDocumentedInProtocolMd() throws Exception
    {
        // HELLO's body, field by field as PROTOCOL.md 4.1 lays it out: the client's proof covers exactly these bytes
        final int helloLength = sendHello();
        final byte[] helloBody = ByteBuffer.allocate(helloLength - HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short)FrameHeader.VERSION).putShort((short)HelloFlyweight.codecMask(Codec.ZSTD))
            .putInt(HelloFlyweight.NO_SYNC_FLAG).putLong(EPOCH).putLong(NEXT_OFFSET).putLong(LAST_ENTRY)
            .putLong(HISTORY_HI).putLong(HISTORY_LO).putLong(0).putLong(0).put(clientNonce)
            .put((byte)REPLICA_ID.length()).put(ascii(REPLICA_ID)).array();
        assertArrayEquals(helloBody, bytes(HELLO_AT + HEADER_LENGTH, helloLength - HEADER_LENGTH));

        // AUTH proof = HMAC-SHA256(secret, "ferry-auth-v3" | nS | type u8 | first frame's body)
        final byte[] expectedAuth = hmac(KEY, ascii("ferry-auth-v3"), serverNonce, typeByte(MessageType.HELLO), helloBody);
        assertArrayEquals(expectedAuth, helloProof(replica, helloLength, serverNonce));

        final int requestLength = new StatusRequestFlyweight().encode(buffer, HELLO_AT, clientNonce);
        assertArrayEquals(
            hmac(KEY, ascii("ferry-auth-v3"), serverNonce, typeByte(MessageType.STATUS_REQUEST), clientNonce),
            replica.clientProof(MessageType.STATUS_REQUEST, buffer, HELLO_AT, requestLength, serverNonce, proof()));

        // frame proof = HMAC-SHA256(secret, "ferry-frame-v3" | nC | nS | type u8 | body before the proof), in the last
        // 32 bytes of the frame
        final WelcomeFlyweight welcome = sendWelcome(primary, clientNonce, serverNonce);
        final byte[] welcomeBody = ByteBuffer.allocate(WelcomeFlyweight.PROOF_OFFSET - HEADER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put((byte)Codec.ZSTD.id()).put((byte)WelcomeFlyweight.Mode.STREAM.value()).putShort((short)0)
            .putInt(1 << 20).putLong(START_OFFSET).putLong(START_OFFSET + 10).putLong(EPOCH)
            .putLong(HISTORY_HI).putLong(HISTORY_LO).putLong(-1).putLong(0).put((byte)0)
            .put(new byte[WelcomeFlyweight.MAX_EPOCH_NODE_LENGTH + 7]).array();
        assertArrayEquals(welcomeBody, bytes(WELCOME_AT + HEADER_LENGTH, welcomeBody.length));
        final byte[] expectedWelcome =
            hmac(KEY, ascii("ferry-frame-v3"), clientNonce, serverNonce, typeByte(MessageType.WELCOME), welcomeBody);
        assertArrayEquals(expectedWelcome, welcome.copyProofTo(proof()));

        final int errorLength = sendError(primary, ErrorCode.RETENTION, "ab");
        final byte[] errorBody = {(byte)ErrorCode.RETENTION.value(), 0, 2, 0, 'a', 'b'};
        assertEquals(ErrorFlyweight.length(2) + ErrorFlyweight.PROOF_LENGTH, errorLength);
        assertArrayEquals(
            hmac(KEY, ascii("ferry-frame-v3"), clientNonce, serverNonce, typeByte(MessageType.ERROR), errorBody),
            bytes(SIGNED_AT + errorLength - HandshakeAuth.PROOF_LENGTH, HandshakeAuth.PROOF_LENGTH));

        final byte[] json = ascii("{}");
        final StatusResponseFlyweight response = new StatusResponseFlyweight().part(buffer, SIGNED_AT, 1, 3, json, 0, 2);
        final int responseLength = (int)StatusResponseFlyweight.length(json.length);
        primary.signFrame(MessageType.STATUS_RESPONSE, buffer, SIGNED_AT, responseLength, clientNonce, serverNonce);
        assertEquals(responseLength, response.seal());
        final byte[] responseBody = {1, 0, 3, 0, 2, 0, 0, 0, '{', '}'};
        assertArrayEquals(
            hmac(KEY, ascii("ferry-frame-v3"), clientNonce, serverNonce, typeByte(MessageType.STATUS_RESPONSE),
                responseBody),
            bytes(SIGNED_AT + responseLength - HandshakeAuth.PROOF_LENGTH, HandshakeAuth.PROOF_LENGTH));
    }

    @Test
    void shouldRefuseAWrongSecret()
    {
        final HandshakeAuth impostor = new HandshakeAuth(Secret.of(OTHER_KEY));
        final int helloLength = sendHello();

        final byte[] auth = helloProof(impostor, helloLength, serverNonce);
        final FerryException ex = assertAuthenticationError(() -> primary.verifyClientProof(
            MessageType.HELLO, buffer, HELLO_AT, helloLength, serverNonce, auth, "replica 'replica-1'"));
        assertTrue(ex.getMessage().contains("replica 'replica-1'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("different secret"), ex.getMessage());

        sendWelcome(impostor, clientNonce, serverNonce);
        assertAuthenticationError(() -> verifyWelcome(replica));
        assertFalse(replica.frameProven(
            MessageType.WELCOME, buffer, WELCOME_AT, WelcomeFlyweight.LENGTH, clientNonce, serverNonce));
    }

    @Test
    void shouldRefuseAZeroProofWhenThisSideHasASecret()
    {
        final int helloLength = sendHello();
        final byte[] auth = helloProof(none, helloLength, serverNonce);
        assertArrayEquals(proof(), auth);
        final FerryException ex = assertAuthenticationError(() -> primary.verifyClientProof(
            MessageType.HELLO, buffer, HELLO_AT, helloLength, serverNonce, auth, "replica 'replica-1'"));
        assertTrue(ex.getMessage().contains("no proof"), ex.getMessage());

        final WelcomeFlyweight welcome = sendWelcome(none, clientNonce, serverNonce);
        assertTrue(welcome.proofIsZero());
        assertTrue(assertAuthenticationError(() -> verifyWelcome(replica)).getMessage().contains("no proof"));
    }

    @Test
    void shouldAcceptAnyProofOnASideWithoutASecret()
    {
        assertFalse(none.hasSecret());
        assertTrue(replica.hasSecret());
        final int helloLength = sendHello();
        final byte[] random = replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);
        final byte[] anyProof = concat(random, random);
        for (final byte[] auth : new byte[][] {proof(), anyProof, helloProof(replica, helloLength, serverNonce)})
        {
            assertDoesNotThrow(() -> none.verifyClientProof(
                MessageType.HELLO, buffer, HELLO_AT, helloLength, serverNonce, auth, "replica"));
        }

        // signing without a secret overwrites whatever was in the proof's place with zeros
        buffer.asSlice(WELCOME_AT + WelcomeFlyweight.PROOF_OFFSET, WelcomeFlyweight.PROOF_LENGTH).fill((byte)0x5A);
        assertTrue(sendWelcome(none, clientNonce, serverNonce).proofIsZero());
        sendWelcome(replica, clientNonce, serverNonce);
        assertDoesNotThrow(() -> verifyWelcome(none));
        assertTrue(none.frameProven(
            MessageType.WELCOME, buffer, WELCOME_AT, WelcomeFlyweight.LENGTH, random, random));
    }

    @Test
    void shouldRefuseAClientProofUnderAnotherServerNonce()
    {
        final int helloLength = sendHello();
        final byte[] recorded = helloProof(replica, helloLength, serverNonce);
        final byte[] nextChallenge = primary.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);

        // a recorded HELLO and AUTH replayed to the primary meet a fresh CHALLENGE
        assertAuthenticationError(() -> primary.verifyClientProof(
            MessageType.HELLO, buffer, HELLO_AT, helloLength, nextChallenge, recorded, "replica"));
        for (int i = 0; i < HandshakeAuth.NONCE_LENGTH; i++)
        {
            final byte[] otherNonce = flipped(serverNonce, i);
            assertAuthenticationError(() -> primary.verifyClientProof(
                MessageType.HELLO, buffer, HELLO_AT, helloLength, otherNonce, recorded, "replica"));
        }
    }

    @Test
    void shouldRefuseAFrameProofUnderEitherOtherNonce()
    {
        sendWelcome(primary, clientNonce, serverNonce);
        for (int i = 0; i < HandshakeAuth.NONCE_LENGTH; i++)
        {
            final byte[] otherClient = flipped(clientNonce, i);
            final byte[] otherServer = flipped(serverNonce, i);
            assertAuthenticationError(() -> replica.verifyFrame(MessageType.WELCOME, buffer, WELCOME_AT,
                WelcomeFlyweight.LENGTH, otherClient, serverNonce, "WELCOME"));
            assertAuthenticationError(() -> replica.verifyFrame(MessageType.WELCOME, buffer, WELCOME_AT,
                WelcomeFlyweight.LENGTH, clientNonce, otherServer, "WELCOME"));
        }
        // the nonces are not interchangeable either
        assertAuthenticationError(() -> replica.verifyFrame(MessageType.WELCOME, buffer, WELCOME_AT,
            WelcomeFlyweight.LENGTH, serverNonce, clientNonce, "WELCOME"));
    }

    @Test
    void shouldNeverLetAClientProofStandForAFrameProof() throws Exception
    {
        // A STATUS_REQUEST whose nonce ends with AUTH's type value, and an AUTH frame carrying the client's proof,
        // chosen so that the bytes after the label are the same for both proofs: only the labels tell them apart.
        final byte[] requestNonce = replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]);
        requestNonce[HandshakeAuth.NONCE_LENGTH - 1] = (byte)MessageType.AUTH.value();
        final int requestLength = new StatusRequestFlyweight().encode(buffer, HELLO_AT, requestNonce);
        final byte[] clientProof = replica.clientProof(
            MessageType.STATUS_REQUEST, buffer, HELLO_AT, requestLength, serverNonce, proof());
        final int authLength = new AuthFlyweight().encode(buffer, SIGNED_AT, clientProof);

        final byte[] frameClientNonce = serverNonce;
        final byte[] frameServerNonce = concat(
            typeByte(MessageType.STATUS_REQUEST), Arrays.copyOf(requestNonce, HandshakeAuth.NONCE_LENGTH - 1));
        final byte[] authInput = concat(serverNonce, typeByte(MessageType.STATUS_REQUEST), requestNonce);
        final byte[] frameInput = concat(frameClientNonce, frameServerNonce, typeByte(MessageType.AUTH));
        assertArrayEquals(authInput, frameInput);
        assertArrayEquals(hmac(KEY, ascii("ferry-auth-v3"), authInput), clientProof);

        assertAuthenticationError(() -> primary.verifyFrame(MessageType.AUTH, buffer, SIGNED_AT, authLength,
            frameClientNonce, frameServerNonce, "AUTH reflected"));
        assertFalse(primary.frameProven(
            MessageType.AUTH, buffer, SIGNED_AT, authLength, frameClientNonce, frameServerNonce));
    }

    @Test
    void shouldCoverEveryByteOfTheFirstFrame()
    {
        final int helloLength = sendHello();
        final byte[] hello = bytes(HELLO_AT, helloLength);
        final byte[] auth = helloProof(replica, helloLength, serverNonce);
        for (int i = HEADER_LENGTH; i < helloLength; i++)
        {
            final MemorySegment changed = MemorySegment.ofArray(flipped(hello, i));
            assertAuthenticationError(() -> primary.verifyClientProof(
                MessageType.HELLO, changed, 0, helloLength, serverNonce, auth, "replica"));
        }
        // and its type and length: the same bytes as another type, or cut short, are refused
        assertAuthenticationError(() -> primary.verifyClientProof(
            MessageType.STATUS_REQUEST, buffer, HELLO_AT, helloLength, serverNonce, auth, "replica"));
        assertAuthenticationError(() -> primary.verifyClientProof(
            MessageType.HELLO, buffer, HELLO_AT, helloLength - 1, serverNonce, auth, "replica"));
        assertDoesNotThrow(() -> primary.verifyClientProof(
            MessageType.HELLO, MemorySegment.ofArray(hello), 0, helloLength, serverNonce, auth, "replica"));
    }

    @Test
    void shouldCoverEveryByteOfASignedFrame()
    {
        sendWelcome(primary, clientNonce, serverNonce);
        final byte[] welcome = bytes(WELCOME_AT, WelcomeFlyweight.LENGTH);
        for (int i = HEADER_LENGTH; i < WelcomeFlyweight.LENGTH; i++)
        {
            final MemorySegment changed = MemorySegment.ofArray(flipped(welcome, i));
            assertAuthenticationError(() -> replica.verifyFrame(
                MessageType.WELCOME, changed, 0, WelcomeFlyweight.LENGTH, clientNonce, serverNonce, "WELCOME"));
        }
        assertAuthenticationError(() -> replica.verifyFrame(MessageType.HEARTBEAT, buffer, WELCOME_AT,
            WelcomeFlyweight.LENGTH, clientNonce, serverNonce, "WELCOME"));
    }

    @Test
    void shouldRefuseEveryFlippedProofBit()
    {
        final int helloLength = sendHello();
        final byte[] auth = helloProof(replica, helloLength, serverNonce);
        sendWelcome(primary, clientNonce, serverNonce);
        final long proofAt = WELCOME_AT + WelcomeFlyweight.PROOF_OFFSET;

        for (int bit = 0; bit < HandshakeAuth.PROOF_LENGTH * 8; bit++)
        {
            final byte[] badAuth = auth.clone();
            badAuth[bit >> 3] ^= (byte)(1 << (bit & 7));
            assertAuthenticationError(() -> primary.verifyClientProof(
                MessageType.HELLO, buffer, HELLO_AT, helloLength, serverNonce, badAuth, "replica"));

            final long at = proofAt + (bit >> 3);
            buffer.set(BYTE, at, (byte)(buffer.get(BYTE, at) ^ (1 << (bit & 7))));
            assertAuthenticationError(() -> verifyWelcome(replica));
            buffer.set(BYTE, at, (byte)(buffer.get(BYTE, at) ^ (1 << (bit & 7))));
        }
        assertDoesNotThrow(() -> verifyWelcome(replica));
    }

    @Test
    void shouldProveASignedErrorOnly()
    {
        final int signed = sendError(primary, ErrorCode.DIVERGED, "replica history a, primary history b");
        assertTrue(errorProven(replica, signed));
        assertDoesNotThrow(() -> replica.verifyFrame(
            MessageType.ERROR, buffer, SIGNED_AT, signed, clientNonce, serverNonce, "ERROR"));

        // its code and message are covered
        buffer.set(BYTE, SIGNED_AT + ErrorFlyweight.CODE_OFFSET, (byte)ErrorCode.RETENTION.value());
        assertFalse(errorProven(replica, signed));
        sendError(primary, ErrorCode.DIVERGED, "replica history a, primary history b");
        buffer.set(BYTE, SIGNED_AT + ErrorFlyweight.MESSAGE_OFFSET, (byte)'R');
        assertFalse(errorProven(replica, signed));

        // signed by another secret, or for another session
        assertFalse(errorProven(replica, sendError(new HandshakeAuth(Secret.of(OTHER_KEY)), ErrorCode.FENCED, "x")));
        final int replayed = sendError(primary, ErrorCode.RETENTION, "offset 5 is older than 9");
        assertFalse(replica.frameProven(MessageType.ERROR, buffer, SIGNED_AT, replayed,
            replica.nextNonce(new byte[HandshakeAuth.NONCE_LENGTH]), serverNonce));

        // without a proof: never proven where a secret is used, long message or short, always proven without one
        final int unsignedShort = sendError(null, ErrorCode.RETENTION, "no");
        assertTrue(unsignedShort < HEADER_LENGTH + HandshakeAuth.PROOF_LENGTH);
        assertFalse(errorProven(replica, unsignedShort));
        assertTrue(errorProven(none, unsignedShort));
        final int unsignedLong = sendError(null, ErrorCode.RETENTION, "offset 5 is older than the oldest, 9");
        assertTrue(unsignedLong >= HEADER_LENGTH + HandshakeAuth.PROOF_LENGTH);
        assertFalse(errorProven(replica, unsignedLong));
        assertAuthenticationError(() -> replica.verifyFrame(
            MessageType.ERROR, buffer, SIGNED_AT, unsignedLong, clientNonce, serverNonce, "ERROR"));
        assertTrue(errorProven(none, unsignedLong));
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
        assertEquals("HandshakeAuth[Secret[none]]", none.toString());
    }
}
