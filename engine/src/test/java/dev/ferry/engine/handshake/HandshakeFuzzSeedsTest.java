package dev.ferry.engine.handshake;

import dev.ferry.engine.history.Epoch;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import dev.ferry.wal.frame.SeedCorpus;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.ferry.engine.handshake.HandshakeFuzzTest.HEAD_OFFSET;
import static dev.ferry.engine.handshake.HandshakeFuzzTest.HISTORY;
import static dev.ferry.engine.handshake.HandshakeFuzzTest.OLDEST_OFFSET;
import static dev.ferry.engine.handshake.HandshakeFuzzTest.REPLICA_NEXT_OFFSET;
import static dev.ferry.engine.handshake.HandshakeFuzzTest.REPLICA_NONCE;
import static dev.ferry.engine.handshake.HandshakeFuzzTest.fingerprint;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seed corpus of {@link HandshakeFuzzTest}: {@code HELLO} and {@code WELCOME} frames from the production encoders,
 * one for each row of the decision tables in {@link Resume}, named after the decision they lead to. The test checks
 * the checked-in seeds are what the encoders produce today and that each one leads to the decision it is named after;
 * run as a program (what {@code .ci/fuzz --write-seeds} does) it writes them, e.g. after a protocol change.
 */
class HandshakeFuzzSeedsTest
{
    private static final int EPOCH = 2;

    /**
     * @return engine's seed corpus.
     */
    static SeedCorpus corpus()
    {
        final SeedCorpus corpus = new SeedCorpus(HandshakeFuzzTest.class);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(HandshakeFuzzTest.MAX_FRAME_BYTES);
            final HelloFlyweight hello = new HelloFlyweight();
            final HandshakeAuth auth = new HandshakeAuth(HandshakeFuzzTest.SECRET);
            corpus.add("hello", "stream", hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH, 500, fingerprint(499)));
            corpus.add("hello", "stream-caught-up",
                hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH, HEAD_OFFSET, fingerprint(HEAD_OFFSET - 1)));
            corpus.add("hello", "stream-empty",
                hello(buffer, hello, FrameHeader.VERSION, HelloFlyweight.EMPTY_WAL_FLAG, 0, 0, -1));
            corpus.add("hello", "stream-last-entry-unknown",
                hello(buffer, hello, FrameHeader.VERSION, HelloFlyweight.NO_SYNC_FLAG, EPOCH, OLDEST_OFFSET, -1));
            // epoch 0 ended at 50 here, below the oldest retained (100): the divergence cannot be truncated
            corpus.add("hello", "refuse-retention-diverged-epoch",
                hello(buffer, hello, FrameHeader.VERSION, 0, 0, 500, fingerprint(499)));
            corpus.add("hello", "refuse-protocol", hello(buffer, hello, 1, 0, EPOCH, 500, fingerprint(499)));
            corpus.add("hello", "refuse-fenced", hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH + 1, 500, -1));
            corpus.add("hello", "refuse-retention",
                hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH, OLDEST_OFFSET - 1, -1));
            corpus.add("hello", "refuse-diverged-beyond-head",
                hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH, HEAD_OFFSET + 1, 5L << 32 | 0xBEEFL));
            corpus.add("hello", "refuse-diverged-last-entry",
                hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH, 500, fingerprint(498)));
            hello(buffer, hello, FrameHeader.VERSION, 0, EPOCH, 500, fingerprint(499));
            corpus.add("hello", "refuse-diverged-history", buffer.asSlice(0, hello.historyIdLo(42).seal()));
            final int snapshots = HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG;
            corpus.add("hello", "snapshot-retention",
                hello(buffer, hello, FrameHeader.VERSION, snapshots, EPOCH, OLDEST_OFFSET - 1, -1));
            corpus.add("hello", "snapshot-empty",
                hello(buffer, hello, FrameHeader.VERSION, snapshots | HelloFlyweight.EMPTY_WAL_FLAG, 0, 0, -1));
            corpus.add("hello", "stream-accepts-snapshot",
                hello(buffer, hello, FrameHeader.VERSION, snapshots, EPOCH, 500, fingerprint(499)));
            hello(buffer, hello, FrameHeader.VERSION, snapshots, EPOCH, 500, fingerprint(499));
            corpus.add("hello", "snapshot-history", buffer.asSlice(0, hello.historyIdLo(42).seal()));
            hello(buffer, hello, FrameHeader.VERSION, snapshots, EPOCH, HEAD_OFFSET + 1, -1);
            corpus.add("hello", "snapshot-partial", buffer.asSlice(0, hello.partial(400, 1 << 20, 65_536, 0xC0FFEE).seal()));

            final WelcomeFlyweight welcome = new WelcomeFlyweight();
            final int maxFrameBytes = FrameHeader.MAX_FRAME_BYTES_DEFAULT;
            final long historyIdLo = HISTORY.id().getLeastSignificantBits();
            corpus.add("welcome", "stream",
                welcome(buffer, welcome, maxFrameBytes, REPLICA_NEXT_OFFSET, EPOCH, historyIdLo));
            corpus.add("welcome", "stream-newer-epoch",
                welcome(buffer, welcome, maxFrameBytes, REPLICA_NEXT_OFFSET, EPOCH + 5, historyIdLo));
            final MemorySegment signed = welcome(buffer, welcome, maxFrameBytes, REPLICA_NEXT_OFFSET, EPOCH, historyIdLo);
            auth.signFrame(MessageType.WELCOME, buffer, 0, (int)signed.byteSize(), REPLICA_NONCE,
                HandshakeFuzzTest.PRIMARY_NONCE);
            corpus.add("welcome", "stream-signed", buffer.asSlice(0, welcome.seal()));
            corpus.add("welcome", "refuse-configuration",
                welcome(buffer, welcome, maxFrameBytes + 1, REPLICA_NEXT_OFFSET, EPOCH, historyIdLo));
            corpus.add("welcome", "refuse-diverged",
                welcome(buffer, welcome, maxFrameBytes, REPLICA_NEXT_OFFSET, EPOCH, 42));
            corpus.add("welcome", "refuse-fenced",
                welcome(buffer, welcome, maxFrameBytes, REPLICA_NEXT_OFFSET, EPOCH - 1, historyIdLo));
            corpus.add("welcome", "refuse-sequence-gap",
                welcome(buffer, welcome, maxFrameBytes, REPLICA_NEXT_OFFSET - 1, EPOCH, historyIdLo));
            welcome(buffer, welcome, maxFrameBytes, 300, EPOCH, 42);
            corpus.add("welcome", "snapshot", buffer.asSlice(0, welcome.mode(WelcomeFlyweight.Mode.SNAPSHOT).seal()));
        }
        return corpus;
    }

    @Test
    void shouldMatchTheCheckedInSeeds()
    {
        assertEquals(List.of(), corpus().differences(Path.of("")),
            "the seeds are not what the encoders produce: regenerate them with .ci/fuzz --write-seeds");
    }

    @Test
    void shouldDecideWhatEachSeedIsNamedAfter()
    {
        final Map<String, Map<String, byte[]>> seeds = corpus().seeds();
        try (HandshakeFuzzTest target = new HandshakeFuzzTest())
        {
            for (final Map.Entry<String, byte[]> seed : seeds.get("hello").entrySet())
            {
                final ResumeDecision[] decision = new ResumeDecision[1];
                assertEquals(DecoderContract.Outcome.ACCEPTED, target.hello(seed.getValue(), decision), seed.getKey());
                assertEquals(seed.getKey().replaceFirst("^(stream|snapshot|refuse-[a-z]+).*", "$1"), name(decision[0]),
                    "hello/" + seed.getKey() + ": " + decision[0]);
            }
            for (final Map.Entry<String, byte[]> seed : seeds.get("welcome").entrySet())
            {
                final ResumeDecision[] decisions = new ResumeDecision[2];
                assertEquals(DecoderContract.Outcome.ACCEPTED, target.welcome(seed.getValue(), decisions),
                    seed.getKey());
                assertEquals(seed.getKey().replaceFirst("^(stream|snapshot|refuse-[a-z-]+?)(-signed|-newer-epoch)?$", "$1"),
                    name(decisions[0]), "welcome/" + seed.getKey() + ": " + decisions[0]);
            }
        }
    }

    /**
     * Writes the seeds into the module's test resources.
     *
     * @param args the module directory, or none for the working directory.
     */
    public static void main(final String[] args)
    {
        final SeedCorpus corpus = corpus();
        System.out.println(corpus.write(Path.of(args.length > 0 ? args[0] : "")) + " seeds for " +
            corpus.fuzzTestClass().getSimpleName());
    }

    private static String name(final ResumeDecision decision)
    {
        return switch (decision)
        {
            case ResumeDecision.Stream stream -> "stream";
            case ResumeDecision.Snapshot snapshot -> "snapshot";
            case ResumeDecision.Truncate truncate -> "truncate";
            case ResumeDecision.Refuse refuse ->
                "refuse-" + refuse.code().name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }

    private static MemorySegment hello(
        final MemorySegment buffer,
        final HelloFlyweight hello,
        final int protocolVersion,
        final int flags,
        final long epoch,
        final long nextOffset,
        final long lastEntry)
    {
        final int length = hello.wrap(buffer, 0)
            .protocolVersion(protocolVersion)
            .codecMask(HelloFlyweight.codecMask(Codec.SNAPPY, Codec.ZSTD))
            .flags(flags)
            .epoch(epoch)
            .epochStartOffset(HISTORY.epochs().stream().filter(e -> e.number() == epoch).mapToLong(Epoch::startOffset)
                .findFirst().orElse(0))
            .epochNode(HelloFlyweight.nodeHash(""))
            .nextOffset(nextOffset)
            .lastChain(lastEntry)
            .historyIdHi(HISTORY.id().getMostSignificantBits())
            .historyIdLo(HISTORY.id().getLeastSignificantBits())
            .nonce(REPLICA_NONCE)
            .replicaId("replica-1")
            .seal();
        return buffer.asSlice(0, length);
    }

    private static MemorySegment welcome(
        final MemorySegment buffer,
        final WelcomeFlyweight welcome,
        final int maxFrameBytes,
        final long startOffset,
        final long epoch,
        final long historyIdLo)
    {
        final int length = welcome.encode(buffer, 0, Codec.ZSTD, WelcomeFlyweight.Mode.STREAM, maxFrameBytes,
            startOffset, HEAD_OFFSET, epoch, HISTORY.id().getMostSignificantBits(), historyIdLo,
            new byte[WelcomeFlyweight.PROOF_LENGTH]);
        return buffer.asSlice(0, length);
    }
}
