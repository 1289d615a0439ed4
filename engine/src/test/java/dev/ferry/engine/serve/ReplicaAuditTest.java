package dev.ferry.engine.serve;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.AuditResponseFlyweight.Result;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary's audit decisions without a socket: passes from the oldest to the durable offset and round again,
 * narrowing a range that differs to its first differing entry, a damaged entry the replica names, a replica whose
 * WAL starts later, and answers that match no request. The replica is simulated: it holds other bytes from one offset.
 */
class ReplicaAuditTest
{
    private static final long SECOND = 1_000_000_000L;

    private final AuditFigures figures = new AuditFigures();
    private long now = SECOND;

    /** A replica that differs from the primary at {@code differsAt} (-1: nowhere), self-consistently. */
    private static Result answer(final long from, final int count, final long differsAt)
    {
        return differsAt >= from && differsAt < from + count ? Result.DIFFERS : Result.MATCH;
    }

    /** Runs requests until none is chosen (the pace) or {@code max} were answered; returns the offset reported. */
    private long run(final ReplicaAudit audit, final long oldest, final long end, final long differsAt, final int max)
    {
        for (int i = 0; i < max; i++)
        {
            now += SECOND; // a full bucket each time
            if (!audit.next(now, oldest, end))
            {
                break;
            }
            final long from = audit.pendingFrom();
            final int count = audit.pendingCount();
            assertTrue(from >= oldest && from + count <= end, from + "+" + count + " outside [" + oldest + ", " + end + ")");
            final long found = audit.onResponse(from, count, answer(from, count, differsAt), -1, now);
            if (found >= 0)
            {
                return found;
            }
        }
        return -1;
    }

    @Test
    void shouldWalkFromTheOldestToTheEndAndStartAgain()
    {
        final ReplicaAudit audit = new ReplicaAudit(new AuditPacer(10_000, now), figures);
        assertEquals(-1, run(audit, 100, 20_100, -1, 3));
        assertEquals(100 + 3 * 4096, figures.auditedOffset());
        assertEquals(3, figures.audits());
        assertEquals(3 * 4096, figures.auditedEntries());
        run(audit, 100, 20_100, -1, 2);
        assertEquals(20_100, figures.auditedOffset(), "the last range is what is left");
        run(audit, 100, 20_100, -1, 1);
        assertEquals(100 + 4096, figures.auditedOffset(), "a new pass from the oldest");
        assertEquals(0, figures.mismatches());
        assertEquals(-1, figures.firstMismatchOffset());
        assertFalse(new ReplicaAudit(new AuditPacer(10_000, now), new AuditFigures()).next(now, 5, 5), "nothing to check");
    }

    @Test
    void shouldNarrowARangeThatDiffersToItsFirstEntry()
    {
        for (final long differsAt : new long[] {0, 1, 2047, 2048, 4095, 4096, 5000, 9999})
        {
            final AuditFigures each = new AuditFigures();
            final ReplicaAudit audit = new ReplicaAudit(new AuditPacer(10_000, now), each);
            final long before = each.audits();
            assertEquals(differsAt, run(audit, 0, 10_000, differsAt, 40), "differs at " + differsAt);
            assertEquals(differsAt, each.firstMismatchOffset());
            assertEquals(1, each.mismatches());
            assertTrue(each.audits() - before <= 3 + 13 + 1, each.audits() + " requests");
        }
    }

    @Test
    void shouldReportADamagedEntryAndGoOnAfterIt()
    {
        final ReplicaAudit audit = new ReplicaAudit(new AuditPacer(10_000, now), figures);
        now += SECOND;
        assertTrue(audit.next(now, 0, 10_000));
        assertEquals(321, audit.onResponse(0, 4096, Result.DAMAGED, 321, now));
        assertEquals(1, figures.mismatches());
        assertEquals(321, figures.firstMismatchOffset());
        now += SECOND;
        assertTrue(audit.next(now, 0, 10_000));
        assertEquals(322, audit.pendingFrom(), "the pass goes on after it");
        assertEquals(-1, audit.onResponse(322, 4096, Result.MATCH, -1, now));

        // the next pass finds it again: counted, not logged again within the minute, still reported
        run(audit, 0, 10_000, -1, 2);
        now += SECOND;
        assertTrue(audit.next(now, 0, 10_000));
        assertEquals(0, audit.pendingFrom(), "a new pass");
        assertEquals(-1, audit.onResponse(0, 4096, Result.DAMAGED, 321, now));
        assertEquals(2, figures.mismatches());
        assertEquals(321, figures.firstMismatchOffset());

        // resynced: a whole clean pass clears it
        run(audit, 0, 10_000, -1, 10);
        assertEquals(-1, figures.firstMismatchOffset());
        assertEquals(2, figures.mismatches(), "a counter");
    }

    @Test
    void shouldStartWhereTheReplicasWalStarts()
    {
        final ReplicaAudit audit = new ReplicaAudit(new AuditPacer(10_000, now), figures);
        now += SECOND;
        assertTrue(audit.next(now, 0, 10_000));
        audit.onResponse(0, 4096, Result.NOT_HELD, 6_000, now);
        now += SECOND;
        assertTrue(audit.next(now, 0, 10_000));
        assertEquals(6_000, audit.pendingFrom());
        assertEquals(4000, audit.pendingCount());
        audit.onResponse(6_000, 4000, Result.MATCH, -1, now);
        now += SECOND;
        assertTrue(audit.next(now, 0, 10_000));
        assertEquals(6_000, audit.pendingFrom(), "a new pass starts there too");
    }

    @Test
    void shouldRefuseAnAnswerToNoRequestOrAnotherRange()
    {
        final ReplicaAudit audit = new ReplicaAudit(new AuditPacer(10_000, now), figures);
        assertEquals(ErrorCode.PROTOCOL, assertThrows(FerryException.class,
            () -> audit.onResponse(0, 10, Result.MATCH, -1, now)).code());
        assertTrue(audit.next(now, 0, 100));
        assertFalse(audit.next(now, 0, 100), "one at a time");
        assertEquals(ErrorCode.PROTOCOL, assertThrows(FerryException.class,
            () -> audit.onResponse(0, 99, Result.MATCH, -1, now)).code());
        assertEquals(ErrorCode.PROTOCOL, assertThrows(FerryException.class,
            () -> audit.onResponse(1, 100, Result.MATCH, -1, now)).code());
        assertEquals(-1, audit.onResponse(0, 100, Result.MATCH, -1, now));
    }

    @Test
    void shouldResumeAPassWhereTheLastConnectionLeftIt()
    {
        run(new ReplicaAudit(new AuditPacer(10_000, now), figures), 0, 100_000, -1, 2);
        final ReplicaAudit again = new ReplicaAudit(new AuditPacer(10_000, now), figures);
        now += SECOND;
        assertTrue(again.next(now, 0, 100_000));
        assertEquals(2 * 4096, again.pendingFrom());
    }
}
