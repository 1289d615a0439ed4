package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile bytes fed to every message decoder never escape as anything but a {@link FrameException}: random frames,
 * random bodies behind a valid header, and valid frames with random bytes changed.
 */
class MessageFuzzTest
{
    private static final int ITERATIONS = 12_000;
    private static final int MAX_RANDOM_LENGTH = 300;

    /**
     * The control messages, each with a way to encode a valid frame and to decode one.
     */
    enum Message
    {
        HELLO(MessageType.HELLO),
        WELCOME(MessageType.WELCOME),
        ACK(MessageType.ACK),
        NACK(MessageType.NACK),
        HEARTBEAT(MessageType.HEARTBEAT),
        ERROR(MessageType.ERROR),
        ERROR_WITH_PROOF(MessageType.ERROR),
        STATUS_REQUEST(MessageType.STATUS_REQUEST),
        STATUS_RESPONSE(MessageType.STATUS_RESPONSE),
        CHALLENGE(MessageType.CHALLENGE),
        AUTH(MessageType.AUTH);

        final MessageType type;

        Message(final MessageType type)
        {
            this.type = type;
        }
    }

    private final MessageFixtures fixtures = new MessageFixtures();
    private final MemorySegment buffer = fixtures.buffer;
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
    private final byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    private final byte[] proof = new byte[AuthFlyweight.PROOF_LENGTH];
    private final byte[] json = "{\"head\":77,\"é\":\"🚢\"}".getBytes(StandardCharsets.UTF_8);
    private int accepted;
    private int rejected;

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    private IntSupplier encoder(final Message message)
    {
        return switch (message)
        {
            case HELLO -> () -> hello.encode(
                buffer, 0, FrameHeader.VERSION, HelloFlyweight.codecMask(Codec.SNAPPY), 0, 5, 77, 1, 2, nonce,
                "replica-7");
            case WELCOME -> () -> welcome.encode(
                buffer, 0, Codec.SNAPPY, WelcomeFlyweight.Mode.STREAM, 1 << 16, 70, 77, 5, 1, 2,
                new byte[WelcomeFlyweight.PROOF_LENGTH]);
            case ACK -> () -> ack.encode(buffer, 0, 77, 70, 60, 1);
            case NACK -> () -> nack.encode(buffer, 0, 70, ErrorCode.CHECKSUM);
            case HEARTBEAT -> () -> heartbeat.encode(buffer, 0, 77, 1);
            case ERROR -> () -> error.encode(buffer, 0, ErrorCode.RETENTION, "oldest offset is 70 — résumé");
            case ERROR_WITH_PROOF -> () -> error.wrap(buffer, 0).code(ErrorCode.DIVERGED)
                .message("history a, not b — résumé").withProof().seal();
            case STATUS_REQUEST -> () -> statusRequest.encode(buffer, 0, nonce);
            case STATUS_RESPONSE -> () -> statusResponse.part(buffer, 0, 1, 2, json, 0, json.length).seal();
            case CHALLENGE -> () -> challenge.encode(buffer, 0, nonce);
            case AUTH -> () -> auth.encode(buffer, 0, proof);
        };
    }

    private void decode(final Message message, final long length)
    {
        final String text = switch (message)
        {
            case HELLO -> hello.decode(buffer, 0, length).toString();
            case WELCOME -> welcome.decode(buffer, 0, length).toString();
            case ACK -> ack.decode(buffer, 0, length).toString();
            case NACK -> nack.decode(buffer, 0, length).toString();
            case HEARTBEAT -> heartbeat.decode(buffer, 0, length).toString();
            case ERROR, ERROR_WITH_PROOF -> error.decode(buffer, 0, length).toString() + error.hasProof();
            case STATUS_REQUEST -> statusRequest.decode(buffer, 0, length).toString();
            case STATUS_RESPONSE -> statusResponse.decode(buffer, 0, length).toString() + statusResponse.json();
            case CHALLENGE -> challenge.decode(buffer, 0, length).toString();
            case AUTH -> auth.decode(buffer, 0, length).toString();
        };
        assertFalse(text.isEmpty());
    }

    private void receive(final Message message, final int length, final boolean verify, final String context)
    {
        try
        {
            if (verify)
            {
                fixtures.frameDecoder.verify(buffer, 0, length);
            }
            decode(message, length);
            accepted++;
        }
        catch (final FrameException ex)
        {
            rejected++;
        }
        catch (final Throwable ex)
        {
            fail(message + " decoder threw " + ex + " on " + context, ex);
        }
    }

    @ParameterizedTest
    @EnumSource(Message.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldOnlyThrowFrameExceptionOnRandomBytes(final Message message)
    {
        final long seed = 0xFE221L + message.ordinal();
        final Random random = new Random(seed);
        final byte[] bytes = new byte[MAX_RANDOM_LENGTH];
        for (int iteration = 0; iteration < ITERATIONS; iteration++)
        {
            final int length = random.nextInt(MAX_RANDOM_LENGTH + 1);
            random.nextBytes(bytes);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, length);
            final boolean plausible = random.nextBoolean() && length >= FrameHeader.HEADER_LENGTH;
            if (plausible)
            {
                // a valid header of the right type over a random body, so the body reaches the field checks
                buffer.set(INT_LE, FrameHeader.LENGTH_OFFSET, length);
                buffer.set(BYTE, FrameHeader.TYPE_OFFSET, (byte)message.type.value());
                buffer.set(BYTE, FrameHeader.VERSION_OFFSET, (byte)FrameHeader.VERSION);
                buffer.set(SHORT_LE, FrameHeader.FLAGS_OFFSET, (short)0);
                fixtures.reseal(0, length);
            }
            receive(message, length, plausible, "seed " + seed + " iteration " + iteration);
        }
        assertTrue(rejected > ITERATIONS / 2, "rejected " + rejected);
    }

    @ParameterizedTest
    @EnumSource(Message.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldOnlyThrowFrameExceptionOnMutatedFrames(final Message message)
    {
        final long seed = 0xB17F11BL + message.ordinal();
        final Random random = new Random(seed);
        final IntSupplier encoder = encoder(message);
        for (int iteration = 0; iteration < ITERATIONS; iteration++)
        {
            int length = encoder.getAsInt();
            final int changes = 1 + random.nextInt(4);
            for (int i = 0; i < changes && length > FrameHeader.HEADER_LENGTH; i++)
            {
                final int at = FrameHeader.HEADER_LENGTH + random.nextInt(length - FrameHeader.HEADER_LENGTH);
                final int value = random.nextBoolean() ?
                    random.nextInt(256) : (buffer.get(BYTE, at) ^ (1 << random.nextInt(8)));
                buffer.set(BYTE, at, (byte)value);
            }
            if (0 == random.nextInt(4))
            {
                length = Math.max(FrameHeader.HEADER_LENGTH, length + random.nextInt(9) - 4);
                buffer.set(INT_LE, FrameHeader.LENGTH_OFFSET, length);
            }
            fixtures.reseal(0, length);
            receive(message, length, true, "seed " + seed + " iteration " + iteration);
        }
        assertTrue(rejected > 0, "rejected " + rejected); // at least the frames of a changed length
        assertTrue(accepted > 0, "accepted " + accepted);
    }
}
