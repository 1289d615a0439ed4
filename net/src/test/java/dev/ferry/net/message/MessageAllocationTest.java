package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encoding and decoding every control message allocates nothing in steady state, apart from the string accessors
 * (not called here). Measured with the thread's allocation counter, after a warm-up, with a bound far below one
 * object per call.
 */
class MessageAllocationTest
{
    private static final int WARM_UP = 20_000;
    private static final int ITERATIONS = 20_000;
    private static final long ALLOWED_BYTES = 64 * 1024;

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
    private final byte[] nonce = new byte[HelloFlyweight.NONCE_LENGTH];
    private final byte[] proof = new byte[HelloFlyweight.PROOF_LENGTH];
    private final String replicaId = "replica-1";
    private final String message = "the replica is too far behind — résumé";
    private final byte[] json = "{\"head\":42,\"lag\":\"0 µs\"}".getBytes(StandardCharsets.UTF_8);

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    private long roundTrips(final int iterations)
    {
        long sum = 0;
        for (int i = 0; i < iterations; i++)
        {
            final int helloLength = hello.encode(
                fixtures.buffer, 0, FrameHeader.VERSION, 3, 0, i, i, 1, 2, nonce, replicaId);
            fixtures.frameDecoder.verify(fixtures.buffer, 0, helloLength);
            sum += hello.decode(fixtures.buffer, 0, helloLength).nextOffset();

            final int welcomeLength = welcome.encode(
                fixtures.buffer, 256, Codec.NONE, WelcomeFlyweight.Mode.STREAM, 4096, i, i, 1, 1, 2, proof);
            sum += welcome.decode(fixtures.buffer, 256, welcomeLength).startOffset();

            final int ackLength = ack.encode(fixtures.buffer, 512, i, i, i, i);
            fixtures.frameDecoder.verify(fixtures.buffer, 512, ackLength);
            sum += ack.decode(fixtures.buffer, 512, ackLength).durableOffset();

            final int nackLength = nack.encode(fixtures.buffer, 600, i, ErrorCode.CHECKSUM);
            sum += nack.decode(fixtures.buffer, 600, nackLength).reason().value();

            final int heartbeatLength = heartbeat.encode(fixtures.buffer, 700, i, i);
            sum += heartbeat.decode(fixtures.buffer, 700, heartbeatLength).headOffset();

            final int errorLength = error.encode(fixtures.buffer, 800, ErrorCode.RETENTION, message);
            sum += error.decode(fixtures.buffer, 800, errorLength).messageLength();

            final int provenLength =
                error.wrap(fixtures.buffer, 800).code(ErrorCode.DIVERGED).message(message).withProof().seal();
            sum += error.decode(fixtures.buffer, 800, provenLength).hasProof() ? 1 : 0;

            final int requestLength = statusRequest.encode(fixtures.buffer, 2000, nonce);
            statusRequest.decode(fixtures.buffer, 2000, requestLength).copyNonceTo(nonce);

            final int count = StatusResponseFlyweight.partLength(json, 0, 4096);
            final int responseLength = statusResponse.part(fixtures.buffer, 2100, 0, 1, json, 0, count).seal();
            sum += statusResponse.decode(fixtures.buffer, 2100, responseLength).jsonLength();

            final int challengeLength = challenge.encode(fixtures.buffer, 2300, nonce);
            challenge.decode(fixtures.buffer, 2300, challengeLength).copyNonceTo(nonce);

            final int authLength = auth.encode(fixtures.buffer, 2400, proof);
            sum += auth.decode(fixtures.buffer, 2400, authLength).copyProofTo(proof).length;
        }
        return sum;
    }

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        roundTrips(WARM_UP);

        final long before = threads.getThreadAllocatedBytes(threadId);
        final long sum = roundTrips(ITERATIONS);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(sum > 0);
        assertTrue(allocated < ALLOWED_BYTES, allocated + " bytes allocated over " + ITERATIONS + " round trips");
    }
}
