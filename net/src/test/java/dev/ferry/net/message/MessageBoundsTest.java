package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameException.Reason;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static dev.ferry.net.message.MessageFixtures.assertRejected;
import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every field out of range is refused with a {@link FrameException} of code {@code PROTOCOL}, after a valid frame was
 * changed and resealed so that {@code FrameDecoder.verify} still accepts it.
 */
class MessageBoundsTest
{
    private final MessageFixtures fixtures = new MessageFixtures();
    private final HelloFlyweight hello = new HelloFlyweight();
    private final WelcomeFlyweight welcome = new WelcomeFlyweight();
    private final AckFlyweight ack = new AckFlyweight();
    private final NackFlyweight nack = new NackFlyweight();
    private final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final StatusRequestFlyweight statusRequest = new StatusRequestFlyweight();
    private final StatusResponseFlyweight statusResponse = new StatusResponseFlyweight();
    private final ChallengeFlyweight challenge = new ChallengeFlyweight();
    private final AuthFlyweight auth = new AuthFlyweight();
    private final SnapshotChunkFlyweight chunk = new SnapshotChunkFlyweight();
    private final SnapshotEndFlyweight end = new SnapshotEndFlyweight();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    private int encodeHello(final String replicaId)
    {
        return hello.encode(
            fixtures.buffer, 0, FrameHeader.VERSION, HelloFlyweight.codecMask(Codec.ZSTD), 0, 3, 100, 1, 2,
            new byte[HelloFlyweight.NONCE_LENGTH], replicaId);
    }

    private void assertHelloRejected(final Reason reason, final int length)
    {
        fixtures.verify(0, length, MessageType.HELLO);
        final FrameException ex = assertRejected(reason, () -> new HelloFlyweight().decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
    }

    @Test
    void shouldRejectEmptyReplicaId()
    {
        final int length = encodeHello("r");
        fixtures.putByte(0, length, HelloFlyweight.REPLICA_ID_LENGTH_OFFSET, 0);
        assertHelloRejected(Reason.BAD_FIELD, length);

        fixtures.resize(0, length - 1);
        assertHelloRejected(Reason.TOO_SHORT, length - 1);
    }

    @Test
    void shouldRejectReplicaIdTooLong()
    {
        final int length = encodeHello("r".repeat(HelloFlyweight.MAX_REPLICA_ID_LENGTH));
        fixtures.buffer.set(BYTE, HelloFlyweight.REPLICA_ID_LENGTH_OFFSET, (byte)65);
        fixtures.buffer.set(BYTE, length, (byte)'r');
        fixtures.resize(0, length + 1);
        assertHelloRejected(Reason.BAD_FIELD, length + 1);

        fixtures.buffer.set(BYTE, HelloFlyweight.REPLICA_ID_LENGTH_OFFSET, (byte)255);
        fixtures.resize(0, HelloFlyweight.length(255));
        assertHelloRejected(Reason.BAD_FIELD, HelloFlyweight.length(255));
    }

    @ParameterizedTest
    @ValueSource(ints = {' ', '/', '@', ':', 0, 0x7F, 0x80, 0xE9, '\n'})
    void shouldRejectReplicaIdWithBadCharacter(final int c)
    {
        final int length = encodeHello("abc");
        fixtures.putByte(0, length, HelloFlyweight.REPLICA_ID_OFFSET + 1, c);
        assertHelloRejected(Reason.BAD_FIELD, length);
    }

    @Test
    void shouldRejectReplicaIdLengthDisagreeingWithFrame()
    {
        final int length = encodeHello("abc");
        fixtures.putByte(0, length, HelloFlyweight.REPLICA_ID_LENGTH_OFFSET, 2);
        assertHelloRejected(Reason.LENGTH_MISMATCH, length);
        fixtures.putByte(0, length, HelloFlyweight.REPLICA_ID_LENGTH_OFFSET, 4);
        assertHelloRejected(Reason.LENGTH_MISMATCH, length);
    }

    @Test
    void shouldRefuseToEncodeInvalidReplicaId()
    {
        for (final String bad : new String[] {"", "r".repeat(65), "a b", "é", "a/b", "r\u0000"})
        {
            final FerryException ex = assertThrows(FerryException.class, () -> encodeHello(bad));
            assertEquals(ErrorCode.CONFIGURATION, ex.code(), bad);
        }
        assertThrows(FerryException.class, () -> HelloFlyweight.checkReplicaId(null));
        assertEquals("A-z_0.9", HelloFlyweight.checkReplicaId("A-z_0.9"));
    }

    @Test
    void shouldRejectHelloFieldsOutOfRange()
    {
        final int length = encodeHello("r1");

        fixtures.buffer.set(SHORT_LE, HelloFlyweight.PROTOCOL_VERSION_OFFSET, (short)0);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FIELD, length);
        encodeHello("r1");

        fixtures.buffer.set(SHORT_LE, HelloFlyweight.CODEC_MASK_OFFSET, (short)0b110);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FIELD, length);
        fixtures.buffer.set(SHORT_LE, HelloFlyweight.CODEC_MASK_OFFSET, (short)0b1001);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FIELD, length);
        fixtures.buffer.set(SHORT_LE, HelloFlyweight.CODEC_MASK_OFFSET, (short)0x8001);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FIELD, length);
        encodeHello("r1");

        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, 16);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FLAGS, length);
        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG | 32);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FLAGS, length);
        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, Integer.MIN_VALUE | 1);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FLAGS, length);
        encodeHello("r1");

        fixtures.buffer.set(LONG_LE, HelloFlyweight.EPOCH_OFFSET, -1L);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FIELD, length);
        encodeHello("r1");

        fixtures.buffer.set(LONG_LE, HelloFlyweight.NEXT_OFFSET_OFFSET, Long.MIN_VALUE);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FIELD, length);
    }

    private int encodePartialHello(final long snapshotOffset, final long totalBytes, final long bytesHeld)
    {
        encodeHello("r1");
        return hello.partial(snapshotOffset, totalBytes, bytesHeld, 0xC0FFEE).seal();
    }

    @Test
    void shouldAcceptHelloFlagsOfSnapshots()
    {
        final int length = encodeHello("r1");
        for (final int flags : new int[] {HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG, 0b0111})
        {
            fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, flags);
            fixtures.reseal(0, length);
            fixtures.verify(0, length, MessageType.HELLO);
            assertTrue(new HelloFlyweight().decode(fixtures.buffer, 0, length).acceptsSnapshot());
        }

        for (final long[] fields : new long[][] {{0, 0, 0}, {5, 100, 100}, {5, 100, 0}, {0, Long.MAX_VALUE, 1},
            {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE}})
        {
            final int partial = encodePartialHello(fields[0], fields[1], fields[2]);
            assertEquals(HelloFlyweight.length(2) + HelloFlyweight.PARTIAL_LENGTH, partial);
            fixtures.verify(0, partial, MessageType.HELLO);
            final HelloFlyweight decoded = new HelloFlyweight().decode(fixtures.buffer, 0, partial);
            assertTrue(decoded.partialSnapshot());
            assertEquals(fields[2], decoded.partialBytesHeld());
        }
    }

    @Test
    void shouldRejectPartialSnapshotWithoutAcceptsSnapshot()
    {
        final int length = encodePartialHello(10, 100, 50);
        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, HelloFlyweight.PARTIAL_SNAPSHOT_FLAG);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FLAGS, length);
        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET,
            HelloFlyweight.PARTIAL_SNAPSHOT_FLAG | HelloFlyweight.EMPTY_WAL_FLAG | HelloFlyweight.NO_SYNC_FLAG);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.BAD_FLAGS, length);
    }

    @Test
    void shouldRejectHelloPartialSnapshotFieldsOutOfRange()
    {
        final long[][] bad =
        {
            {10, 100, 101}, {10, 0, 1}, {10, 100, Long.MAX_VALUE}, {-1, 100, 50}, {10, -1, 50}, {10, 100, -1},
            {10, Long.MIN_VALUE, Long.MIN_VALUE},
        };
        for (final long[] fields : bad)
        {
            final int length = encodePartialHello(fields[0], fields[1], fields[2]);
            assertHelloRejected(Reason.BAD_FIELD, length);
        }
    }

    @Test
    void shouldRejectHelloWhoseLengthDisagreesWithThePartialSnapshotFlag()
    {
        // the flag without the fields
        final int length = encodeHello("r1");
        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET,
            HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG | HelloFlyweight.PARTIAL_SNAPSHOT_FLAG);
        fixtures.reseal(0, length);
        assertHelloRejected(Reason.LENGTH_MISMATCH, length);

        // the fields without the flag
        final int partial = encodePartialHello(10, 100, 50);
        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG);
        fixtures.reseal(0, partial);
        assertHelloRejected(Reason.LENGTH_MISMATCH, partial);

        // a byte missing or left over
        encodePartialHello(10, 100, 50);
        fixtures.resize(0, partial - 1);
        assertHelloRejected(Reason.LENGTH_MISMATCH, partial - 1);
        encodePartialHello(10, 100, 50);
        fixtures.resize(0, partial + 1);
        assertHelloRejected(Reason.LENGTH_MISMATCH, partial + 1);
    }

    @Test
    void shouldRejectFrameOfAnotherTypeOrLength()
    {
        final int length = encodeHello("r1");
        fixtures.putByte(0, length, FrameHeader.TYPE_OFFSET, MessageType.ACK.value());
        assertRejected(Reason.UNKNOWN_TYPE, () -> hello.decode(fixtures.buffer, 0, length));

        final int ackLength = ack.encode(fixtures.buffer, 0, 1, 1, 1, 1);
        assertRejected(Reason.UNKNOWN_TYPE, () -> nack.decode(fixtures.buffer, 0, ackLength));
        assertRejected(Reason.TOO_SHORT, () -> ack.decode(fixtures.buffer, 0, ackLength - 1));
        assertRejected(Reason.LENGTH_MISMATCH, () -> ack.decode(fixtures.buffer, 0, ackLength + 1));
        assertRejected(Reason.TOO_SHORT, () -> ack.decode(fixtures.buffer, 0, 11));
        assertRejected(Reason.TOO_SHORT, () -> ack.decode(fixtures.buffer, 0, 0));
    }

    @Test
    void shouldRejectTrailingBytesAfterFixedSizeMessages()
    {
        welcome.encode(fixtures.buffer, 0, Codec.NONE, WelcomeFlyweight.Mode.STREAM, 4096, 0, 0, 0, 0, 0,
            new byte[WelcomeFlyweight.PROOF_LENGTH]);
        fixtures.resize(0, WelcomeFlyweight.LENGTH + 1);
        assertRejected(
            Reason.LENGTH_MISMATCH, () -> welcome.decode(fixtures.buffer, 0, WelcomeFlyweight.LENGTH + 1));

        ack.encode(fixtures.buffer, 0, 1, 1, 1, 1);
        fixtures.resize(0, AckFlyweight.LENGTH + 8);
        assertRejected(Reason.LENGTH_MISMATCH, () -> ack.decode(fixtures.buffer, 0, AckFlyweight.LENGTH + 8));

        nack.encode(fixtures.buffer, 0, 1, ErrorCode.CHECKSUM);
        fixtures.resize(0, NackFlyweight.LENGTH + 1);
        assertRejected(Reason.LENGTH_MISMATCH, () -> nack.decode(fixtures.buffer, 0, NackFlyweight.LENGTH + 1));

        heartbeat.encode(fixtures.buffer, 0, 1, 1);
        fixtures.resize(0, HeartbeatFlyweight.LENGTH + 1);
        assertRejected(
            Reason.LENGTH_MISMATCH, () -> heartbeat.decode(fixtures.buffer, 0, HeartbeatFlyweight.LENGTH + 1));

        statusRequest.encode(fixtures.buffer, 0, new byte[StatusRequestFlyweight.NONCE_LENGTH]);
        fixtures.resize(0, StatusRequestFlyweight.LENGTH + 1);
        fixtures.verify(0, StatusRequestFlyweight.LENGTH + 1, MessageType.STATUS_REQUEST);
        assertRejected(
            Reason.LENGTH_MISMATCH,
            () -> statusRequest.decode(fixtures.buffer, 0, StatusRequestFlyweight.LENGTH + 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {-16, -1, 1, 32})
    void shouldRejectHandshakeFramesOfTheWrongLength(final int change)
    {
        final byte[] nonce = new byte[ChallengeFlyweight.NONCE_LENGTH];
        final Reason reason = change < 0 ? Reason.TOO_SHORT : Reason.LENGTH_MISMATCH;

        challenge.encode(fixtures.buffer, 0, nonce);
        final int challengeLength = ChallengeFlyweight.LENGTH + change;
        fixtures.resize(0, challengeLength);
        fixtures.verify(0, challengeLength, MessageType.CHALLENGE);
        assertEquals(ErrorCode.PROTOCOL,
            assertRejected(reason, () -> challenge.decode(fixtures.buffer, 0, challengeLength)).code());

        auth.encode(fixtures.buffer, 0, new byte[AuthFlyweight.PROOF_LENGTH]);
        final int authLength = AuthFlyweight.LENGTH + change;
        fixtures.resize(0, authLength);
        fixtures.verify(0, authLength, MessageType.AUTH);
        assertRejected(reason, () -> auth.decode(fixtures.buffer, 0, authLength));

        // a version 2 STATUS_REQUEST was the header alone: too short now
        statusRequest.encode(fixtures.buffer, 0, nonce);
        final int requestLength = StatusRequestFlyweight.LENGTH + change;
        fixtures.resize(0, requestLength);
        fixtures.verify(0, requestLength, MessageType.STATUS_REQUEST);
        assertRejected(reason, () -> statusRequest.decode(fixtures.buffer, 0, requestLength));
    }

    @Test
    void shouldRejectAChallengeAndAnAuthOfAnotherType()
    {
        final int length = challenge.encode(fixtures.buffer, 0, new byte[ChallengeFlyweight.NONCE_LENGTH]);
        assertRejected(Reason.UNKNOWN_TYPE, () -> statusRequest.decode(fixtures.buffer, 0, length));
        assertRejected(Reason.UNKNOWN_TYPE, () -> new HeartbeatFlyweight().decode(fixtures.buffer, 0, length));
        final int authLength = auth.encode(fixtures.buffer, 0, new byte[AuthFlyweight.PROOF_LENGTH]);
        assertRejected(Reason.UNKNOWN_TYPE, () -> ack.decode(fixtures.buffer, 0, authLength));
    }

    @Test
    void shouldRefuseToEncodeANonceOrProofOfTheWrongSize()
    {
        assertThrows(IllegalArgumentException.class, () -> challenge.encode(fixtures.buffer, 0, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> statusRequest.encode(fixtures.buffer, 0, new byte[17]));
        assertThrows(IllegalArgumentException.class, () -> auth.encode(fixtures.buffer, 0, new byte[31]));
    }

    private int encodeWelcome()
    {
        return welcome.encode(
            fixtures.buffer, 0, Codec.ZSTD, WelcomeFlyweight.Mode.SNAPSHOT, 1 << 20, 10, 20, 3, 1, 2,
            new byte[WelcomeFlyweight.PROOF_LENGTH]);
    }

    private void assertWelcomeRejected(final Runnable corruption)
    {
        final int length = encodeWelcome();
        corruption.run();
        fixtures.reseal(0, length);
        fixtures.verify(0, length, MessageType.WELCOME);
        final FrameException ex =
            assertRejected(Reason.BAD_FIELD, () -> new WelcomeFlyweight().decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
    }

    @Test
    void shouldRejectWelcomeFieldsOutOfRange()
    {
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.CODEC_OFFSET, (byte)3));
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.CODEC_OFFSET, (byte)255));
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.MODE_OFFSET, (byte)3));
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.MODE_OFFSET, (byte)-1));
        assertWelcomeRejected(() -> fixtures.buffer.set(SHORT_LE, WelcomeFlyweight.RESERVED_OFFSET, (short)1));
        assertWelcomeRejected(() -> fixtures.buffer.set(
            INT_LE, WelcomeFlyweight.MAX_FRAME_BYTES_OFFSET, FrameHeader.MAX_FRAME_BYTES_MIN - 1));
        assertWelcomeRejected(() -> fixtures.buffer.set(
            INT_LE, WelcomeFlyweight.MAX_FRAME_BYTES_OFFSET, FrameHeader.MAX_FRAME_BYTES_MAX + 1));
        assertWelcomeRejected(() -> fixtures.buffer.set(INT_LE, WelcomeFlyweight.MAX_FRAME_BYTES_OFFSET, -1));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.START_OFFSET_OFFSET, 21L));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.START_OFFSET_OFFSET, -1L));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.HEAD_OFFSET_OFFSET, -1L));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.EPOCH_OFFSET, -1L));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.CHAIN_BEFORE_OFFSET, -2L));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.CHAIN_BEFORE_OFFSET, 1L << 32));
        assertWelcomeRejected(() -> fixtures.buffer.set(LONG_LE, WelcomeFlyweight.EPOCH_START_OFFSET_OFFSET, -1L));
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.EPOCH_NODE_LENGTH_OFFSET, (byte)65));
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.EPOCH_NODE_OFFSET + 70, (byte)1));
        assertWelcomeRejected(() ->
        {
            fixtures.buffer.set(BYTE, WelcomeFlyweight.EPOCH_NODE_LENGTH_OFFSET, (byte)1);
            fixtures.buffer.set(BYTE, WelcomeFlyweight.EPOCH_NODE_OFFSET, (byte)'/');
        });
    }

    @Test
    void shouldAcceptWelcomeAtItsBounds()
    {
        final int length = encodeWelcome();
        fixtures.buffer.set(INT_LE, WelcomeFlyweight.MAX_FRAME_BYTES_OFFSET, FrameHeader.MAX_FRAME_BYTES_MIN);
        fixtures.buffer.set(LONG_LE, WelcomeFlyweight.START_OFFSET_OFFSET, 20L);
        fixtures.reseal(0, length);
        final WelcomeFlyweight decoded = new WelcomeFlyweight().decode(fixtures.buffer, 0, length);
        assertEquals(FrameHeader.MAX_FRAME_BYTES_MIN, decoded.maxFrameBytes());
        assertEquals(decoded.headOffset(), decoded.startOffset());
    }

    @Test
    void shouldRejectAckOffsetsOutOfRangeOrOrder()
    {
        final long[][] bad =
        {
            {-1, 0, 0}, {0, -1, 0}, {0, 0, -1}, {10, 11, 0}, {10, 0, 11}, {Long.MIN_VALUE, Long.MIN_VALUE, 0},
        };
        for (final long[] offsets : bad)
        {
            ack.encode(fixtures.buffer, 0, offsets[0], offsets[1], offsets[2], 0);
            fixtures.verify(0, AckFlyweight.LENGTH, MessageType.ACK);
            assertRejected(Reason.BAD_FIELD, () -> ack.decode(fixtures.buffer, 0, AckFlyweight.LENGTH));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 255, 65535})
    void shouldRejectUnknownNackReason(final int reasonCode)
    {
        nack.encode(fixtures.buffer, 0, 1, ErrorCode.CHECKSUM);
        fixtures.buffer.set(SHORT_LE, NackFlyweight.REASON_CODE_OFFSET, (short)reasonCode);
        fixtures.reseal(0, NackFlyweight.LENGTH);
        assertRejected(Reason.BAD_FIELD, () -> nack.decode(fixtures.buffer, 0, NackFlyweight.LENGTH));
    }

    @Test
    void shouldRejectNegativeNackAndHeartbeatOffsets()
    {
        nack.encode(fixtures.buffer, 0, -1, ErrorCode.CHECKSUM);
        assertRejected(Reason.BAD_FIELD, () -> nack.decode(fixtures.buffer, 0, NackFlyweight.LENGTH));
        heartbeat.encode(fixtures.buffer, 0, Long.MIN_VALUE, 0);
        assertRejected(Reason.BAD_FIELD, () -> heartbeat.decode(fixtures.buffer, 0, HeartbeatFlyweight.LENGTH));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 1000, 65535})
    void shouldRejectUnknownErrorCode(final int code)
    {
        final int length = error.encode(fixtures.buffer, 0, ErrorCode.PROTOCOL, "x");
        fixtures.buffer.set(SHORT_LE, ErrorFlyweight.CODE_OFFSET, (short)code);
        fixtures.reseal(0, length);
        fixtures.verify(0, length, MessageType.ERROR);
        final FrameException ex = assertRejected(Reason.BAD_FIELD, () -> error.decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
    }

    @Test
    void shouldRejectErrorMessageTooLong()
    {
        final int length = ErrorFlyweight.length(1025);
        error.encode(fixtures.buffer, 0, ErrorCode.PROTOCOL, "x".repeat(1024));
        fixtures.buffer.set(BYTE, ErrorFlyweight.MESSAGE_OFFSET + 1024, (byte)'x');
        fixtures.buffer.set(SHORT_LE, ErrorFlyweight.MESSAGE_LENGTH_OFFSET, (short)1025);
        fixtures.resize(0, length);
        fixtures.verify(0, length, MessageType.ERROR);
        assertRejected(Reason.BAD_FIELD, () -> error.decode(fixtures.buffer, 0, length));

        fixtures.buffer.set(SHORT_LE, ErrorFlyweight.MESSAGE_LENGTH_OFFSET, (short)65535);
        fixtures.reseal(0, length);
        assertRejected(Reason.BAD_FIELD, () -> error.decode(fixtures.buffer, 0, length));
    }

    @Test
    void shouldRejectErrorMessageLengthDisagreeingWithFrame()
    {
        final int length = error.encode(fixtures.buffer, 0, ErrorCode.PROTOCOL, "hello");
        fixtures.buffer.set(SHORT_LE, ErrorFlyweight.MESSAGE_LENGTH_OFFSET, (short)6);
        fixtures.reseal(0, length);
        assertRejected(Reason.LENGTH_MISMATCH, () -> error.decode(fixtures.buffer, 0, length));
        fixtures.buffer.set(SHORT_LE, ErrorFlyweight.MESSAGE_LENGTH_OFFSET, (short)4);
        fixtures.reseal(0, length);
        assertRejected(Reason.LENGTH_MISMATCH, () -> error.decode(fixtures.buffer, 0, length));
    }

    @Test
    void shouldAcceptAnErrorWithOrWithoutAProofOnly()
    {
        final int plain = error.encode(fixtures.buffer, 0, ErrorCode.RETENTION, "hello");
        assertEquals(ErrorFlyweight.length(5), plain);
        assertFalse(error.decode(fixtures.buffer, 0, plain).hasProof());

        final int proven = plain + ErrorFlyweight.PROOF_LENGTH;
        fixtures.resize(0, proven);
        fixtures.verify(0, proven, MessageType.ERROR);
        assertTrue(error.decode(fixtures.buffer, 0, proven).hasProof());
        assertEquals("hello", error.message());
        assertEquals(proven, error.length());

        for (final int change : new int[] {1, 16, ErrorFlyweight.PROOF_LENGTH - 1, ErrorFlyweight.PROOF_LENGTH + 1, 64})
        {
            final int length = plain + change;
            fixtures.resize(0, length);
            fixtures.verify(0, length, MessageType.ERROR);
            assertRejected(Reason.LENGTH_MISMATCH, () -> error.decode(fixtures.buffer, 0, length));
        }
        fixtures.resize(0, plain - 1);
        assertRejected(Reason.LENGTH_MISMATCH, () -> error.decode(fixtures.buffer, 0, plain - 1));
    }

    @Test
    void shouldRejectAProvenErrorWhoseMessageIsMalformed()
    {
        final ErrorFlyweight signed =
            new ErrorFlyweight().wrap(fixtures.buffer, 0).code(ErrorCode.DIVERGED).message("ok").withProof();
        final int length = signed.seal();
        fixtures.putByte(0, length, ErrorFlyweight.MESSAGE_OFFSET + 1, 0xFF);
        assertRejected(Reason.BAD_FIELD, () -> error.decode(fixtures.buffer, 0, length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "C0 80", "C1 BF", "E0 80 80", "ED A0 80", "F0 80 80 80", "F4 90 80 80", "F5 80 80 80",
        "FF", "E2 82", "C3", "F0 9F 9A", "C3 28", "E2 28 A1"})
    void shouldRejectMalformedUtf8(final String hex)
    {
        final String[] parts = hex.split(" ");
        final byte[] bytes = new byte[parts.length + 2];
        bytes[0] = 'o';
        for (int i = 0; i < parts.length; i++)
        {
            bytes[i + 1] = (byte)Integer.parseInt(parts[i], 16);
        }
        bytes[bytes.length - 1] = 'k';

        final int errorLength = error.encode(fixtures.buffer, 0, ErrorCode.PROTOCOL, "x".repeat(bytes.length));
        MemorySegment.copy(
            bytes, 0, fixtures.buffer, ValueLayout.JAVA_BYTE, ErrorFlyweight.MESSAGE_OFFSET,
            bytes.length);
        fixtures.reseal(0, errorLength);
        assertRejected(Reason.BAD_FIELD, () -> error.decode(fixtures.buffer, 0, errorLength));

        final int responseLength = fixtures.statusResponse(statusResponse, 0, "x".repeat(bytes.length));
        MemorySegment.copy(
            bytes, 0, fixtures.buffer, ValueLayout.JAVA_BYTE, StatusResponseFlyweight.JSON_OFFSET,
            bytes.length);
        fixtures.reseal(0, responseLength);
        assertRejected(Reason.BAD_FIELD, () -> statusResponse.decode(fixtures.buffer, 0, responseLength));
    }

    @ParameterizedTest
    @ValueSource(strings = {"é", "€", "🚢", "\uFFFD", "\u07FF\u0800\uD7FF\uE000\uFFFF", "\uDBFF\uDFFF"})
    void shouldAcceptWellFormedUtf8AtTheEdges(final String text)
    {
        final int length = error.encode(fixtures.buffer, 0, ErrorCode.PROTOCOL, text);
        assertEquals(ErrorFlyweight.length(text.getBytes(StandardCharsets.UTF_8).length), length);
        assertEquals(text, error.decode(fixtures.buffer, 0, length).message());
    }

    @Test
    void shouldRejectStatusJsonLengthPastTheFrame()
    {
        final int length = fixtures.statusResponse(statusResponse, 0, "{}");
        fixtures.buffer.set(INT_LE, StatusResponseFlyweight.JSON_LENGTH_OFFSET, 3);
        fixtures.reseal(0, length);
        fixtures.verify(0, length, MessageType.STATUS_RESPONSE);
        assertRejected(Reason.LENGTH_MISMATCH, () -> statusResponse.decode(fixtures.buffer, 0, length));

        fixtures.buffer.set(INT_LE, StatusResponseFlyweight.JSON_LENGTH_OFFSET, -1);
        fixtures.reseal(0, length);
        assertRejected(Reason.LENGTH_MISMATCH, () -> statusResponse.decode(fixtures.buffer, 0, length));

        fixtures.buffer.set(INT_LE, StatusResponseFlyweight.JSON_LENGTH_OFFSET, 1);
        fixtures.reseal(0, length);
        assertRejected(Reason.LENGTH_MISMATCH, () -> statusResponse.decode(fixtures.buffer, 0, length));

        // a version 2 response (no part numbers, no proof) of the same document is too short or mismatched
        assertRejected(Reason.TOO_SHORT, () -> statusResponse.decode(fixtures.buffer, 0, 18));
        assertRejected(Reason.TOO_SHORT, () -> statusResponse.decode(fixtures.buffer, 0, 51));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1/1", "0/0", "2/1", "5/3", "65535/65535", "65535/0", "1/0"})
    void shouldRejectAStatusPartOutsideItsParts(final String partOfParts)
    {
        final String[] numbers = partOfParts.split("/");
        final int length = fixtures.statusResponse(statusResponse, 0, "{}");
        fixtures.buffer.set(SHORT_LE, StatusResponseFlyweight.PART_OFFSET, (short)Integer.parseInt(numbers[0]));
        fixtures.buffer.set(SHORT_LE, StatusResponseFlyweight.PARTS_OFFSET, (short)Integer.parseInt(numbers[1]));
        fixtures.reseal(0, length);
        fixtures.verify(0, length, MessageType.STATUS_RESPONSE);
        final FrameException ex =
            assertRejected(Reason.BAD_FIELD, () -> statusResponse.decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/1", "0/2", "1/2", "65534/65535", "0/65535"})
    void shouldAcceptAStatusPartInsideItsParts(final String partOfParts)
    {
        final String[] numbers = partOfParts.split("/");
        final byte[] json = {'{', '}'};
        final int length = statusResponse.part(fixtures.buffer, 0, Integer.parseInt(numbers[0]),
            Integer.parseInt(numbers[1]), json, 0, json.length).seal();
        fixtures.verify(0, length, MessageType.STATUS_RESPONSE);
        final StatusResponseFlyweight decoded = statusResponse.decode(fixtures.buffer, 0, length);
        assertEquals(Integer.parseInt(numbers[0]), decoded.part());
        assertEquals(Integer.parseInt(numbers[1]), decoded.parts());
    }

    @Test
    void shouldCutStatusPartsThatFitTheFrame()
    {
        final int maxFrameBytes = 4096;
        final int room = maxFrameBytes - StatusResponseFlyweight.MIN_LENGTH;
        final byte[] ascii = "x".repeat(3 * room + 7).getBytes(StandardCharsets.US_ASCII);
        assertEquals(room, StatusResponseFlyweight.partLength(ascii, 0, maxFrameBytes));
        assertEquals(room, StatusResponseFlyweight.partLength(ascii, 2 * room, maxFrameBytes));
        assertEquals(7, StatusResponseFlyweight.partLength(ascii, 3 * room, maxFrameBytes));
        assertEquals(0, StatusResponseFlyweight.partLength(ascii, ascii.length, maxFrameBytes));

        // a character that would straddle the end of a part starts the next one instead
        final byte[] straddling = ("x".repeat(room - 1) + "é").getBytes(StandardCharsets.UTF_8);
        assertEquals(room - 1, StatusResponseFlyweight.partLength(straddling, 0, maxFrameBytes));
        final byte[] ending = ("x".repeat(room - 2) + "é" + "x").getBytes(StandardCharsets.UTF_8);
        assertEquals(room, StatusResponseFlyweight.partLength(ending, 0, maxFrameBytes));
        final byte[] ship = ("x".repeat(room - 3) + "🚢").getBytes(StandardCharsets.UTF_8);
        assertEquals(room - 3, StatusResponseFlyweight.partLength(ship, 0, maxFrameBytes));
        assertEquals(4, StatusResponseFlyweight.partLength(ship, room - 3, maxFrameBytes));

        // the smallest frame it allows still fits the widest character
        final byte[] ships = "🚢🚢".getBytes(StandardCharsets.UTF_8);
        assertEquals(4, StatusResponseFlyweight.partLength(ships, 0, (int)StatusResponseFlyweight.length(4)));
        assertEquals(4, StatusResponseFlyweight.partLength(ships, 0, (int)StatusResponseFlyweight.length(7)));
        assertEquals(8, StatusResponseFlyweight.partLength(ships, 0, (int)StatusResponseFlyweight.length(8)));
    }

    /** A chunk of bytes {@code [100, 100 + 10)} of a 200-byte snapshot, as they are: 10 bytes of data. */
    private int encodeChunk()
    {
        chunk.header(fixtures.buffer, 0, 500, 200, 0x1234, Codec.NONE, 100, 10, 0x5678, 10);
        fixtures.buffer.asSlice(SnapshotChunkFlyweight.DATA_OFFSET, 10).fill((byte)'s');
        return chunk.seal();
    }

    private void assertChunkRejected(final Reason reason, final int length)
    {
        fixtures.verify(0, length, MessageType.SNAPSHOT_CHUNK);
        final FrameException ex =
            assertRejected(reason, () -> new SnapshotChunkFlyweight().decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
    }

    /** Sets one field of {@link #encodeChunk()}'s frame, reseals it, and expects it refused. */
    private void assertChunkFieldRejected(final Reason reason, final Consumer<MemorySegment> field)
    {
        final int length = encodeChunk();
        field.accept(fixtures.buffer);
        fixtures.reseal(0, length);
        assertChunkRejected(reason, length);
    }

    @Test
    void shouldAcceptSnapshotChunksAtTheirBounds()
    {
        final int length = encodeChunk();
        assertEquals(110, chunk.decode(fixtures.buffer, 0, length).byteOffset() + chunk.rawLength());

        // ending exactly at totalBytes
        fixtures.buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, 110L);
        fixtures.reseal(0, length);
        assertEquals(110, chunk.decode(fixtures.buffer, 0, length).totalBytes());
        fixtures.buffer.set(LONG_LE, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET, Long.MAX_VALUE - 10);
        fixtures.buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, Long.MAX_VALUE);
        fixtures.buffer.set(LONG_LE, SnapshotChunkFlyweight.SNAPSHOT_OFFSET_OFFSET, Long.MAX_VALUE);
        fixtures.reseal(0, length);
        assertEquals(Long.MAX_VALUE - 10, chunk.decode(fixtures.buffer, 0, length).byteOffset());

        // compressed data of any length: decompression, not the frame, decides whether it gives rawLength bytes
        for (final Codec codec : new Codec[] {Codec.SNAPPY, Codec.ZSTD})
        {
            chunk.header(fixtures.buffer, 0, 0, 1L << 30, 0, codec, 0, SnapshotChunkFlyweight.MAX_RAW_LENGTH, 0, 1);
            final int compressed = chunk.seal();
            assertEquals(SnapshotChunkFlyweight.MIN_LENGTH, compressed);
            fixtures.verify(0, compressed, MessageType.SNAPSHOT_CHUNK);
            assertEquals(codec, chunk.decode(fixtures.buffer, 0, compressed).codec());
            assertEquals(1, chunk.dataLength());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {109, 100, 10, 0})
    void shouldRejectASnapshotChunkPastTotalBytes(final long totalBytes)
    {
        // byteOffset + rawLength is 110
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, totalBytes));
    }

    @ParameterizedTest
    @ValueSource(longs = {191, 195, 200, 201, Long.MAX_VALUE - 9, Long.MAX_VALUE})
    void shouldRejectASnapshotChunkStartingTooLate(final long byteOffset)
    {
        // 10 bytes from byteOffset do not fit in totalBytes = 200
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(LONG_LE, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET, byteOffset));
    }

    @Test
    void shouldRejectASnapshotChunkWhoseEndOverflows()
    {
        assertChunkFieldRejected(Reason.BAD_FIELD, buffer ->
        {
            buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, Long.MAX_VALUE);
            buffer.set(LONG_LE, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET, Long.MAX_VALUE - 9);
        });
        assertChunkFieldRejected(Reason.BAD_FIELD, buffer ->
        {
            buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, Long.MAX_VALUE);
            buffer.set(LONG_LE, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET, Long.MAX_VALUE);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, SnapshotChunkFlyweight.MAX_RAW_LENGTH + 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE})
    void shouldRejectASnapshotChunkRawLengthOutOfRange(final int rawLength)
    {
        for (final Codec codec : Codec.values())
        {
            assertChunkFieldRejected(Reason.BAD_FIELD, buffer ->
            {
                buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, Long.MAX_VALUE);
                buffer.set(BYTE, SnapshotChunkFlyweight.CODEC_OFFSET, (byte)codec.id());
                buffer.set(INT_LE, SnapshotChunkFlyweight.RAW_LENGTH_OFFSET, rawLength);
            });
        }
    }

    @Test
    void shouldRejectAnUncompressedSnapshotChunkWhoseDataIsNotRawLength()
    {
        assertChunkFieldRejected(Reason.LENGTH_MISMATCH,
            buffer -> buffer.set(INT_LE, SnapshotChunkFlyweight.RAW_LENGTH_OFFSET, 11));
        assertChunkFieldRejected(Reason.LENGTH_MISMATCH,
            buffer -> buffer.set(INT_LE, SnapshotChunkFlyweight.RAW_LENGTH_OFFSET, 9));

        final int length = encodeChunk();
        fixtures.resize(0, length + 1);
        assertChunkRejected(Reason.LENGTH_MISMATCH, length + 1);
        encodeChunk();
        fixtures.resize(0, length - 1);
        assertChunkRejected(Reason.LENGTH_MISMATCH, length - 1);
    }

    @Test
    void shouldRejectASnapshotChunkWithoutData()
    {
        chunk.header(fixtures.buffer, 0, 0, 100, 0, Codec.ZSTD, 0, 10, 0, 0);
        final int length = chunk.seal();
        assertEquals(SnapshotChunkFlyweight.DATA_OFFSET, length);
        assertChunkRejected(Reason.TOO_SHORT, length);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 0x7F, 0xFF})
    void shouldRejectASnapshotChunkOfAnUnknownCodec(final int codec)
    {
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(BYTE, SnapshotChunkFlyweight.CODEC_OFFSET, (byte)codec));
    }

    @Test
    void shouldRejectASnapshotChunkWithReservedBytesSet()
    {
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(BYTE, SnapshotChunkFlyweight.RESERVED_BYTE_OFFSET, (byte)1));
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(SHORT_LE, SnapshotChunkFlyweight.RESERVED_OFFSET, (short)0x100));
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(SHORT_LE, SnapshotChunkFlyweight.RESERVED_OFFSET, (short)-1));
    }

    @Test
    void shouldRejectNegativeSnapshotChunkFields()
    {
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(LONG_LE, SnapshotChunkFlyweight.SNAPSHOT_OFFSET_OFFSET, -1L));
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET, Long.MIN_VALUE));
        assertChunkFieldRejected(Reason.BAD_FIELD,
            buffer -> buffer.set(LONG_LE, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET, -10L));
    }

    @ParameterizedTest
    @ValueSource(ints = {-20, -1, 1, 8, 32})
    void shouldRejectASnapshotEndOfTheWrongLength(final int change)
    {
        end.encode(fixtures.buffer, 0, 500, 200, 0x1234);
        final int length = SnapshotEndFlyweight.LENGTH + change;
        fixtures.resize(0, length);
        fixtures.verify(0, length, MessageType.SNAPSHOT_END);
        final FrameException ex = assertRejected(change < 0 ? Reason.TOO_SHORT : Reason.LENGTH_MISMATCH,
            () -> end.decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
    }

    @Test
    void shouldRejectNegativeSnapshotEndFields()
    {
        end.encode(fixtures.buffer, 0, -1, 200, 0);
        assertRejected(Reason.BAD_FIELD, () -> end.decode(fixtures.buffer, 0, SnapshotEndFlyweight.LENGTH));
        end.encode(fixtures.buffer, 0, 500, Long.MIN_VALUE, 0);
        assertRejected(Reason.BAD_FIELD, () -> end.decode(fixtures.buffer, 0, SnapshotEndFlyweight.LENGTH));
        end.encode(fixtures.buffer, 0, Long.MAX_VALUE, Long.MAX_VALUE, -1);
        assertEquals(Long.MAX_VALUE, end.decode(fixtures.buffer, 0, SnapshotEndFlyweight.LENGTH).totalBytes());
    }

    @Test
    void shouldRejectSnapshotFramesOfAnotherType()
    {
        final int chunkLength = encodeChunk();
        assertRejected(Reason.UNKNOWN_TYPE, () -> end.decode(fixtures.buffer, 0, chunkLength));
        final int endLength = end.encode(fixtures.buffer, 0, 500, 200, 0x1234);
        assertRejected(Reason.TOO_SHORT, () -> chunk.decode(fixtures.buffer, 0, endLength));
        fixtures.putByte(0, endLength, FrameHeader.TYPE_OFFSET, MessageType.HEARTBEAT.value());
        assertRejected(Reason.UNKNOWN_TYPE, () -> end.decode(fixtures.buffer, 0, endLength));
    }
}
