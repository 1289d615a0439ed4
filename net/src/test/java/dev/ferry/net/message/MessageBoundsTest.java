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

import static dev.ferry.net.message.MessageFixtures.assertRejected;
import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    private int encodeHello(final String replicaId)
    {
        return hello.encode(
            fixtures.buffer, 0, 1, HelloFlyweight.codecMask(Codec.ZSTD), 0, 3, 100, 1, 2,
            new byte[HelloFlyweight.NONCE_LENGTH], new byte[HelloFlyweight.PROOF_LENGTH], replicaId);
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

        fixtures.buffer.set(INT_LE, HelloFlyweight.FLAGS_OFFSET, 4);
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

        statusRequest.encode(fixtures.buffer, 0);
        fixtures.resize(0, StatusRequestFlyweight.LENGTH + 1);
        fixtures.verify(0, StatusRequestFlyweight.LENGTH + 1, MessageType.STATUS_REQUEST);
        assertRejected(
            Reason.LENGTH_MISMATCH,
            () -> statusRequest.decode(fixtures.buffer, 0, StatusRequestFlyweight.LENGTH + 1));
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
        assertWelcomeRejected(() -> fixtures.buffer.set(BYTE, WelcomeFlyweight.MODE_OFFSET, (byte)2));
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
    @ValueSource(ints = {0, 14, 255, 65535})
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
    @ValueSource(ints = {0, 14, 1000, 65535})
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

        final int responseLength = statusResponse.encode(fixtures.buffer, 0, "x".repeat(bytes.length), 1024);
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
        final int length = statusResponse.encode(fixtures.buffer, 0, "{}", 1024);
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

        assertRejected(Reason.TOO_SHORT, () -> statusResponse.decode(fixtures.buffer, 0, 15));
    }

    @Test
    void shouldRefuseToEncodeStatusJsonLargerThanTheFrame()
    {
        final int maxFrameBytes = 4096;
        final String fits = "x".repeat(maxFrameBytes - StatusResponseFlyweight.JSON_OFFSET);
        assertEquals(maxFrameBytes, statusResponse.encode(fixtures.buffer, 0, fits, maxFrameBytes));

        final FerryException ex = assertThrows(
            FerryException.class, () -> statusResponse.encode(fixtures.buffer, 0, fits + "é", maxFrameBytes));
        assertEquals(ErrorCode.CONFIGURATION, ex.code());
        assertTrue(ex.getMessage().contains("maxFrameBytes=4096"), ex.getMessage());
    }
}
