package dev.ferry.engine.handshake;

import dev.ferry.engine.history.Epoch;
import dev.ferry.engine.history.History;
import dev.ferry.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumeTest
{
    private static final int VERSION = 2;
    private static final long ENTRY = 0xCAFEL;
    private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final UUID OTHER = UUID.fromString("00000000-0000-0000-0000-0000000000bb");
    private static final History HISTORY = History.of(ID, List.of(new Epoch(0, 0), new Epoch(2, 50)));
    private static final ServingLog SERVING = new ServingLog(VERSION, HISTORY, 100, 1_000, ENTRY);

    private static ReplicaHello hello(final boolean empty, final UUID history, final long epoch, final long next)
    {
        return hello(empty, history, epoch, next, empty ? -1 : ENTRY);
    }

    private static ReplicaHello hello(final boolean empty, final UUID history, final long epoch, final long next,
        final long chain)
    {
        return new ReplicaHello("r1", VERSION, empty, history, epoch, epoch == 2 ? 50 : 0, ReplicaHello.nodeHash(""),
            next, chain);
    }

    /** The replica's own chains: {@link #ENTRY} before every offset. */
    private static final java.util.function.LongUnaryOperator CHAINS = offset -> ENTRY;

    private static void assertRefused(final ErrorCode code, final ResumeDecision decision)
    {
        final ResumeDecision.Refuse refuse = assertInstanceOf(ResumeDecision.Refuse.class, decision);
        assertEquals(code, refuse.code(), refuse.reason());
        assertTrue(refuse.reason().contains("r1"), "the reason names the replica: " + refuse.reason());
    }

    @Test
    void shouldStreamFromTheReplicasNextOffsetWithinTheWal()
    {
        assertEquals(new ResumeDecision.Stream(500), Resume.decide(hello(false, ID, 2, 500), SERVING));
        assertEquals(new ResumeDecision.Stream(100), Resume.decide(hello(false, ID, 2, 100), SERVING), "the oldest");
    }

    @Test
    void shouldStreamACaughtUpReplicaFromTheHead()
    {
        assertEquals(new ResumeDecision.Stream(1_000), Resume.decide(hello(false, ID, 2, 1_000), SERVING));
    }

    @Test
    void shouldStreamAnEmptyReplicaFromTheOldestRetainedWhateverItsHistory()
    {
        assertEquals(new ResumeDecision.Stream(100), Resume.decide(hello(true, new UUID(0, 0), 0, 0), SERVING));
        assertEquals(new ResumeDecision.Stream(100), Resume.decide(hello(true, OTHER, 0, 7), SERVING));
    }

    @Test
    void shouldRefuseAnotherProtocolVersion()
    {
        assertRefused(ErrorCode.PROTOCOL, Resume.decide(new ReplicaHello("r1", 1, false, ID, 2, 50, ReplicaHello.nodeHash(""), 500, ENTRY), SERVING));
    }

    @Test
    void shouldRefuseAnotherHistoryWithDiverged()
    {
        assertRefused(ErrorCode.DIVERGED, Resume.decide(hello(false, OTHER, 2, 500), SERVING));
    }

    @Test
    void shouldRefuseANewerEpochWithFenced()
    {
        assertRefused(ErrorCode.FENCED, Resume.decide(hello(false, ID, 3, 500), SERVING));
        // an empty replica holds nothing of this history to prove a newer epoch: it fences nobody (review of issue 17)
        assertEquals(new ResumeDecision.Stream(100), Resume.decide(hello(true, ID, 3, 0), SERVING));
        assertEquals(new ResumeDecision.Stream(100), Resume.decide(hello(true, OTHER, Long.MAX_VALUE, 0), SERVING));
    }

    @Test
    void shouldRefuseAnOffsetDeletedByRetention()
    {
        assertRefused(ErrorCode.RETENTION, Resume.decide(hello(false, ID, 2, 99), SERVING));
    }

    @Test
    void shouldRefuseAnOffsetBeyondTheHeadWithDiverged()
    {
        assertRefused(ErrorCode.DIVERGED, Resume.decide(hello(false, ID, 2, 1_001), SERVING));
    }

    @Test
    void shouldRefuseAReplicaWhoseLastEntryIsNotThePrimarysEntryThereWithDiverged()
    {
        // same history id, same offsets, another entry: a primary that lost its unsynced tail and appended again
        final ReplicaHello other = hello(false, ID, 2, 500, 0xBEEFL);
        assertRefused(ErrorCode.DIVERGED, Resume.decide(other, SERVING));
        final ReplicaHello longer = hello(false, ID, 2, 500, 0xCAFFL);
        assertRefused(ErrorCode.DIVERGED, Resume.decide(longer, SERVING));
    }

    @Test
    void shouldStreamWhenTheLastEntryCannotBeComparedOnEitherSide()
    {
        final ReplicaHello unknown = hello(false, ID, 2, 500, -1);
        assertEquals(new ResumeDecision.Stream(500), Resume.decide(unknown, SERVING));
        final ServingLog deleted = new ServingLog(VERSION, HISTORY, 100, 1_000, -1); // retention took it
        assertEquals(new ResumeDecision.Stream(100), Resume.decide(hello(false, ID, 2, 100), deleted));
    }

    private static PrimaryWelcome welcome(final UUID id, final long epoch, final long start)
    {
        return new PrimaryWelcome(id, epoch, start, 1 << 20);
    }

    @Test
    void shouldAcceptAWelcomeThatContinuesTheReplicasWal()
    {
        assertEquals(new ResumeDecision.Stream(500), Resume.checkWelcome(HISTORY, false, 500, 1 << 20, false, CHAINS, welcome(ID, 2, 500)));
        assertEquals(new ResumeDecision.Stream(500), Resume.checkWelcome(HISTORY, false, 500, 1 << 20, false, CHAINS, welcome(ID, 3, 500)),
            "a newer epoch is followed");
        assertEquals(new ResumeDecision.Stream(100), Resume.checkWelcome(null, true, 0, 1 << 20, false, CHAINS, welcome(OTHER, 0, 100)),
            "empty: any");
    }

    @Test
    void shouldRefuseAWelcomeFromAnotherHistoryOrWithAGap()
    {
        final ResumeDecision other = Resume.checkWelcome(HISTORY, false, 500, 1 << 20, false, CHAINS, welcome(OTHER, 2, 500));
        assertEquals(ErrorCode.DIVERGED, assertInstanceOf(ResumeDecision.Refuse.class, other).code());
        final ResumeDecision none = Resume.checkWelcome(null, false, 500, 1 << 20, false, CHAINS, welcome(ID, 2, 500));
        assertEquals(ErrorCode.DIVERGED, assertInstanceOf(ResumeDecision.Refuse.class, none).code());
        final ResumeDecision gap = Resume.checkWelcome(HISTORY, false, 500, 1 << 20, false, CHAINS, welcome(ID, 2, 400));
        assertEquals(ErrorCode.SEQUENCE_GAP, assertInstanceOf(ResumeDecision.Refuse.class, gap).code());
    }

    /** Issue 15, finding 7: a lower epoch in WELCOME was followed, and saved to the replica's history file. */
    @Test
    void shouldRefuseAWelcomeFromAnOlderEpochAsFenced()
    {
        final ResumeDecision stale = Resume.checkWelcome(HISTORY, false, 500, 1 << 20, false, CHAINS, welcome(ID, 1, 500));
        final ResumeDecision.Refuse refuse = assertInstanceOf(ResumeDecision.Refuse.class, stale);
        assertEquals(ErrorCode.FENCED, refuse.code());
        assertTrue(refuse.reason().contains("epoch 1") && refuse.reason().contains("epoch 2"), refuse.reason());
    }

    /** Issue 15, finding 7: a WELCOME with a larger frame limit than the replica's made it reconnect forever. */
    @Test
    void shouldRefuseAWelcomeWhoseFramesTheReplicaCannotTake()
    {
        final ResumeDecision big = Resume.checkWelcome(null, true, 0, 64 << 10, false, CHAINS, welcome(ID, 0, 0));
        final ResumeDecision.Refuse refuse = assertInstanceOf(ResumeDecision.Refuse.class, big);
        assertEquals(ErrorCode.CONFIGURATION, refuse.code());
        assertTrue(refuse.reason().contains("1048576") && refuse.reason().contains("65536"), refuse.reason());
    }

    @Test
    void shouldTruncateAReplicaWhoseEpochEndedEarlierOnThePrimary()
    {
        // epoch 0 ended at 50 here (epoch 2 began): a replica of epoch 0 holding 0..79 diverged at 50
        final ServingLog all = new ServingLog(VERSION, HISTORY, 0, 1_000, ENTRY);
        assertEquals(50, assertInstanceOf(ResumeDecision.Truncate.class,
            Resume.decide(hello(false, ID, 0, 80), all)).fromOffset());
        assertEquals(new ResumeDecision.Stream(50), Resume.decide(hello(false, ID, 0, 50), all), "nothing beyond its end");
        assertEquals(new ResumeDecision.Stream(30), Resume.decide(hello(false, ID, 0, 30), all), "behind: a prefix");
        assertRefused(ErrorCode.RETENTION, Resume.decide(hello(false, ID, 0, 80), SERVING));
    }

    @Test
    void shouldNotMatchAnEpochOfTheSameNumberFromAnotherNode()
    {
        final ReplicaHello otherNode = new ReplicaHello("r1", VERSION, false, ID, 2, 50, ReplicaHello.nodeHash("r9"),
            500, ENTRY);
        assertRefused(ErrorCode.DIVERGED, Resume.decide(otherNode, SERVING));
        final ReplicaHello otherStart = new ReplicaHello("r1", VERSION, false, ID, 2, 60, ReplicaHello.nodeHash(""),
            500, ENTRY);
        assertRefused(ErrorCode.DIVERGED, Resume.decide(otherStart, SERVING));
        final ServingLog snapshots = new ServingLog(VERSION, HISTORY, 100, 1_000, ENTRY, true);
        final ReplicaHello accepting = new ReplicaHello("r1", VERSION, false, ID, 2, 50, ReplicaHello.nodeHash("r9"),
            500, ENTRY, true, null);
        assertInstanceOf(ResumeDecision.Snapshot.class, Resume.decide(accepting, snapshots));
    }

    @Test
    void shouldTruncateOnlyWhereTheChainsAgree()
    {
        final PrimaryWelcome truncate = new PrimaryWelcome(ID, new Epoch(2, 50), 50, 1 << 20,
            dev.ferry.net.message.WelcomeFlyweight.Mode.TRUNCATE, ENTRY);
        assertEquals(new ResumeDecision.Truncate(50, "the primary's epochs end this replica's epoch at offset 50"),
            Resume.checkWelcome(HISTORY, false, 80, 1 << 20, false, CHAINS, truncate));
        final ResumeDecision.Truncate everything = assertInstanceOf(ResumeDecision.Truncate.class,
            Resume.checkWelcome(HISTORY, false, 80, 1 << 20, false, offset -> 0xBEEFL, truncate));
        assertEquals(-1, everything.fromOffset(), everything.reason());
    }
}
