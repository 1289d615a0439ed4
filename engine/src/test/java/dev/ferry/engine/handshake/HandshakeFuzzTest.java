package dev.ferry.engine.handshake;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.engine.history.Epoch;
import dev.ferry.engine.history.History;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.FuzzFrame;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.ferry.wal.frame.DecoderContract.require;

/**
 * Coverage-guided fuzzing (Jazzer) of the handshake from its bytes, one target per side:
 * <ul>
 *   <li>{@link #hello}: a {@code HELLO} as a primary takes it (the frame checks, the decode, the proof check with and
 *       without a secret, then {@link Resume#decide} against the fixed serving log below, as
 *       {@code DownstreamSession.onHello} does);</li>
 *   <li>{@link #welcome}: a {@code WELCOME} as a replica takes it (the decode, the proof check, then
 *       {@link Resume#checkWelcome} for a replica with entries and for an empty one, and the history it then keeps,
 *       as {@code FollowAgent.startStreaming} does).</li>
 * </ul>
 * Each decision must follow the table in {@link Resume} (net/PROTOCOL.md section 6.3): a stream only from where the
 * table allows, a refusal only with one of its codes and a reason naming the replica. The frame header is made valid
 * over the input, as in {@code ControlMessageFuzzTest}. A handshake message added later (CHALLENGE, AUTH) is one more
 * {@code @FuzzTest} here, run between the two steps it sits between.
 * <p>
 * {@code mvn verify} replays {@code HandshakeFuzzTestInputs/<side>} (seeds from {@link HandshakeFuzzSeedsTest}, and
 * findings kept as regression inputs); {@code .ci/fuzz} fuzzes (net/PROTOCOL.md section 11).
 */
class HandshakeFuzzTest implements AutoCloseable
{
    /** The limit a primary reads a replica's frames with, and a replica reads WELCOME with (PROTOCOL.md section 2). */
    static final int MAX_FRAME_BYTES = 4096;
    /** The serving WAL's, and the following replica's, history: epoch 2 since offset 50. */
    static final History HISTORY = History.of(
        new UUID(0x0123456789ABCDEFL, 0x7EDCBA9876543210L), List.of(new Epoch(0, 0), new Epoch(2, 50)));
    /** The oldest offset the serving WAL retains. */
    static final long OLDEST_OFFSET = 100;
    /** The serving WAL's next offset (its head). */
    static final long HEAD_OFFSET = 1_000;
    /** The following replica's next offset. */
    static final long REPLICA_NEXT_OFFSET = 700;
    /** The largest frame the following replica accepts. */
    static final int REPLICA_MAX_FRAME_BYTES = FrameHeader.MAX_FRAME_BYTES_DEFAULT;
    /** The nonce the following replica sent in its HELLO. */
    static final byte[] REPLICA_NONCE = new byte[HelloFlyweight.NONCE_LENGTH];
    /** The nonce of the primary's CHALLENGE. */
    static final byte[] PRIMARY_NONCE = new byte[HelloFlyweight.NONCE_LENGTH];
    /** The proof of the AUTH that answers it, fixed: what the fuzzer cannot forge. */
    static final byte[] AUTH_PROOF = new byte[HandshakeAuth.PROOF_LENGTH];
    /** The secret of the side that has one. */
    static final Secret SECRET = Secret.of("the shared secret of the fuzz test".getBytes(StandardCharsets.US_ASCII));

    private static final Set<ErrorCode> DECIDE_REFUSALS =
        Set.of(ErrorCode.PROTOCOL, ErrorCode.DIVERGED, ErrorCode.FENCED, ErrorCode.RETENTION);
    private static final Set<ErrorCode> WELCOME_REFUSALS =
        Set.of(ErrorCode.CONFIGURATION, ErrorCode.DIVERGED, ErrorCode.FENCED, ErrorCode.SEQUENCE_GAP, ErrorCode.PROTOCOL);

    private final FuzzFrame input = new FuzzFrame(MAX_FRAME_BYTES);
    private final FrameDecoder frameDecoder = new FrameDecoder(MAX_FRAME_BYTES);
    private final HelloFlyweight hello = new HelloFlyweight();
    private final WelcomeFlyweight welcome = new WelcomeFlyweight();
    private final HandshakeAuth open = new HandshakeAuth(Secret.NONE);
    private final HandshakeAuth secured = new HandshakeAuth(SECRET);
    private final byte[] proof = new byte[HandshakeAuth.PROOF_LENGTH];
    private final byte[] expectedProof = new byte[HandshakeAuth.PROOF_LENGTH];

    @AfterEach
    @Override
    public void close()
    {
        input.close();
    }

    @FuzzTest
    void hello(final byte[] frame)
    {
        hello(frame, null);
    }

    @FuzzTest
    void welcome(final byte[] frame)
    {
        welcome(frame, null);
    }

    /**
     * @param offset an offset of the serving WAL.
     * @return a stand-in for the chain before it ({@code Wal#chainBefore}), -1 outside {@code [oldest, head)}.
     */
    static long fingerprint(final long offset)
    {
        if (offset < OLDEST_OFFSET || offset >= HEAD_OFFSET)
        {
            return -1;
        }
        return (offset % 97 + 1) << 32 | (offset * 0x9E3779B1L & 0xFFFFFFFFL);
    }

    /**
     * The primary's side: decodes {@code bytes} as a {@code HELLO} and decides.
     *
     * @param bytes    the frame; its header is made valid.
     * @param decision receives the decision, if one is reached (for the seeds' test), or null.
     * @return whether the {@code HELLO} was decoded (whatever the decision).
     */
    DecoderContract.Outcome hello(final byte[] bytes, final ResumeDecision[] decision)
    {
        final MemorySegment frame = input.sealed(bytes, MessageType.HELLO);
        return DecoderContract.check(() ->
        {
            verify(frame, MessageType.HELLO);
            hello.decode(frame);
            // the AUTH that answers the CHALLENGE covers this HELLO as received: a fixed proof is refused, unless it is
            // exactly the secret's over these bytes and the primary's nonce
            final int length = (int)frame.byteSize();
            checkProof(() -> secured.verifyClientProof(MessageType.HELLO, frame, 0, length, PRIMARY_NONCE, AUTH_PROOF,
                "fuzz"), AUTH_PROOF, () -> secured.clientProof(MessageType.HELLO, frame, 0, length, PRIMARY_NONCE,
                expectedProof));
            open.verifyClientProof(MessageType.HELLO, frame, 0, length, PRIMARY_NONCE, AUTH_PROOF, "fuzz");

            // as DownstreamSession.onHello does, against a fixed serving WAL
            final ReplicaHello replica = ReplicaHello.of(hello);
            final long replicasLast =
                hello.emptyWal() || hello.nextOffset() == 0 ? -1 : fingerprint(hello.nextOffset() - 1);
            final ResumeDecision decided = Resume.decide(
                replica, new ServingLog(FrameHeader.VERSION, HISTORY, OLDEST_OFFSET, HEAD_OFFSET, replicasLast, true));
            checkDecide(replica, replicasLast, decided);
            if (null != decision)
            {
                decision[0] = decided;
            }
        });
    }

    /**
     * The replica's side: decodes {@code bytes} as a {@code WELCOME} and checks it as a replica with entries would,
     * and as an empty one would.
     *
     * @param bytes     the frame; its header is made valid.
     * @param decisions receives the two decisions, if reached (for the seeds' test), or null.
     * @return whether the {@code WELCOME} was decoded (whatever the decisions).
     */
    DecoderContract.Outcome welcome(final byte[] bytes, final ResumeDecision[] decisions)
    {
        final MemorySegment frame = input.sealed(bytes, MessageType.WELCOME);
        return DecoderContract.check(() ->
        {
            verify(frame, MessageType.WELCOME);
            welcome.decode(frame);
            final int length = (int)frame.byteSize();
            checkProof(() -> secured.verifyFrame(MessageType.WELCOME, frame, 0, length, REPLICA_NONCE, PRIMARY_NONCE,
                "fuzz"), welcome.copyProofTo(proof), () -> expectedWelcomeProof(frame, length));
            open.verifyFrame(MessageType.WELCOME, frame, 0, length, REPLICA_NONCE, PRIMARY_NONCE, "fuzz");

            // as FollowAgent.startStreaming does
            final PrimaryWelcome primary = PrimaryWelcome.of(welcome);
            final ResumeDecision withEntries =
                Resume.checkWelcome(HISTORY, false, REPLICA_NEXT_OFFSET, REPLICA_MAX_FRAME_BYTES, true,
                    HandshakeFuzzTest::fingerprint, primary);
            checkWelcome(HISTORY, primary, withEntries, true);
            final ResumeDecision empty = Resume.checkWelcome(null, true, 0, REPLICA_MAX_FRAME_BYTES, false,
                HandshakeFuzzTest::fingerprint, primary);
            checkWelcome(null, primary, empty, false);
            if (null != decisions)
            {
                decisions[0] = withEntries;
                decisions[1] = empty;
            }
        });
    }

    /** The proof the secret gives this WELCOME's bytes: signed on a copy, read back from its last 32 bytes. */
    private void expectedWelcomeProof(final MemorySegment frame, final int length)
    {
        final MemorySegment copy = MemorySegment.ofArray(frame.toArray(ValueLayout.JAVA_BYTE));
        secured.signFrame(MessageType.WELCOME, copy, 0, length, REPLICA_NONCE, PRIMARY_NONCE);
        MemorySegment.copy(copy, length - HandshakeAuth.PROOF_LENGTH, MemorySegment.ofArray(expectedProof), 0,
            HandshakeAuth.PROOF_LENGTH);
    }

    private void verify(final MemorySegment frame, final MessageType type)
    {
        if (frame.byteSize() >= FrameHeader.HEADER_LENGTH)
        {
            require(type == frameDecoder.verify(frame), "a sealed frame verified as another type");
        }
    }

    /**
     * A side with a secret refuses a proof with AUTHENTICATION, or accepts exactly the proof it computes itself.
     */
    private void checkProof(final Runnable verify, final byte[] received, final Runnable expected)
    {
        try
        {
            verify.run();
        }
        catch (final FerryException ex)
        {
            require(ErrorCode.AUTHENTICATION == ex.code(), "a proof refused with " + ex.code());
            return;
        }
        expected.run();
        require(Arrays.equals(received, expectedProof) && !Arrays.equals(received, new byte[received.length]),
            "a proof accepted that is not the secret's");
    }

    private static void checkDecide(final ReplicaHello replica, final long replicasLast, final ResumeDecision decision)
    {
        switch (decision)
        {
            case ResumeDecision.Snapshot snapshot ->
            {
                require(replica.acceptsSnapshot(), "a snapshot for a replica that runs no state machine");
                require(replica.protocolVersion() == FrameHeader.VERSION, "a snapshot to protocol " +
                    replica.protocolVersion());
                // epochs compare within one history only: a replica of another history is sent a snapshot whatever
                // its epoch (what it held is moved aside, never mixed)
                require(!replica.historyId().equals(HISTORY.id()) || replica.emptyWal() ||
                    replica.epoch() <= HISTORY.epoch(), "a snapshot to a replica of a newer epoch " + replica.epoch());
                final int epoch = HISTORY.indexOf(replica.epoch(), replica.epochNode(), ReplicaHello::nodeHash);
                final boolean epochHolds = epoch >= 0 && HISTORY.epochs().get(epoch).startOffset() ==
                    replica.epochStart() && replica.nextOffset() <= HISTORY.endOf(epoch);
                final boolean streamable = replica.needsSnapshot() ? false : replica.emptyWal() ? OLDEST_OFFSET == 0 :
                    replica.historyId().equals(HISTORY.id()) && epochHolds && replica.nextOffset() >= OLDEST_OFFSET &&
                        replica.nextOffset() <= HEAD_OFFSET &&
                        (replica.lastChain() < 0 || replicasLast < 0 || replica.lastChain() == replicasLast);
                require(!streamable, "a snapshot for a replica that could stream");
                require(snapshot.reason().contains(replica.replicaId()), "a reason not naming the replica: " +
                    snapshot.reason());
            }
            case ResumeDecision.Stream stream ->
            {
                final long from = stream.fromOffset();
                require(replica.protocolVersion() == FrameHeader.VERSION, "streams to protocol " +
                    replica.protocolVersion());
                // an empty replica's epoch proves nothing (it holds no entry of this history): it is streamed to
                require(replica.emptyWal() || replica.epoch() <= HISTORY.epoch(), "streams to a replica of a newer " +
                    "epoch " + replica.epoch());
                require(from >= OLDEST_OFFSET && from <= HEAD_OFFSET, "streams from " + from + " outside [" +
                    OLDEST_OFFSET + ", " + HEAD_OFFSET + "]");
                if (replica.emptyWal())
                {
                    require(from == OLDEST_OFFSET, "streams an empty replica from " + from);
                }
                else
                {
                    require(from == replica.nextOffset(), "streams from " + from + " to a replica at " +
                        replica.nextOffset());
                    require(replica.historyId().equals(HISTORY.id()), "streams to another history");
                    require(replica.lastChain() < 0 || replicasLast < 0 || replica.lastChain() == replicasLast,
                        "streams on top of an entry the primary does not hold");
                }
            }
            case ResumeDecision.Truncate truncate ->
            {
                require(!replica.emptyWal() && replica.historyId().equals(HISTORY.id()), "truncates " + replica);
                require(truncate.fromOffset() < replica.nextOffset() && truncate.fromOffset() >= OLDEST_OFFSET &&
                    truncate.fromOffset() <= HEAD_OFFSET, "truncates to " + truncate.fromOffset() + ": " + replica);
                require(HISTORY.epochs().stream().anyMatch(e -> e.startOffset() == truncate.fromOffset()),
                    "truncates to " + truncate.fromOffset() + ", which no epoch of the primary starts at");
            }
            case ResumeDecision.Refuse refuse ->
            {
                require(DECIDE_REFUSALS.contains(refuse.code()), "refused with " + refuse.code());
                require(refuse.reason().contains(replica.replicaId()), "a reason not naming the replica: " +
                    refuse.reason());
            }
        }
    }

    private static void checkWelcome(final History own, final PrimaryWelcome primary, final ResumeDecision decision,
        final boolean acceptsSnapshot)
    {
        switch (decision)
        {
            case ResumeDecision.Snapshot snapshot ->
            {
                require(primary.snapshot() && acceptsSnapshot, "a snapshot taken that was not offered or asked for");
                require(primary.maxFrameBytes() <= REPLICA_MAX_FRAME_BYTES, "takes frames of up to " +
                    primary.maxFrameBytes());
                require(null == own || !primary.historyId().equals(own.id()) || primary.epoch().number() >= own.epoch(),
                    "takes a snapshot from a deposed primary");
            }
            case ResumeDecision.Stream stream ->
            {
                require(!primary.snapshot(), "streams after a WELCOME that announced a snapshot");
                require(stream.fromOffset() == primary.startOffset(), "streams from " + stream.fromOffset() +
                    " after a WELCOME starting at " + primary.startOffset());
                require(primary.maxFrameBytes() <= REPLICA_MAX_FRAME_BYTES, "takes frames of up to " +
                    primary.maxFrameBytes());
                if (null != own)
                {
                    require(primary.historyId().equals(own.id()), "follows another history");
                    require(primary.epoch().number() >= own.epoch(), "follows an older epoch " + primary.epoch());
                    require(primary.startOffset() == REPLICA_NEXT_OFFSET, "leaves a gap");
                }
                // the history the replica keeps from now on
                final History followed = History.follow(own, primary.historyId(), primary.epoch());
                require(followed.id().equals(primary.historyId()) && followed.epoch() == primary.epoch().number(),
                    "follows into " + followed);
            }
            case ResumeDecision.Truncate truncate ->
            {
                require(primary.mode() == dev.ferry.net.message.WelcomeFlyweight.Mode.TRUNCATE, "truncates after " +
                    primary.mode());
                require(truncate.fromOffset() == -1 || (null != own && truncate.fromOffset() == primary.startOffset() &&
                    fingerprint(primary.startOffset()) == primary.chainBefore()),
                    "truncates to " + truncate.fromOffset() + " where the chains do not agree");
            }
            case ResumeDecision.Refuse refuse ->
            {
                require(WELCOME_REFUSALS.contains(refuse.code()), "refused with " + refuse.code());
                require(!refuse.reason().isEmpty(), "no reason");
            }
        }
    }
}
