package dev.ferry.engine.serve;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.AuditResponseFlyweight.Result;

import java.util.concurrent.TimeUnit;

/**
 * The primary's side of the background audit of one replica, as pure decisions (no socket, no WAL): which range to
 * ask for next, and what an answer means. A pass walks from the oldest offset both hold up to what the replica made
 * durable, one paced range at a time, then starts again from the oldest. A range the replica holds with other bytes
 * but consistent checksums ({@link Result#DIFFERS}) is narrowed by halves, one request each, to its first differing
 * entry (at most 12 more round trips for a range of 4096); a damaged entry the replica names itself
 * ({@link Result#DAMAGED}). Either way the finding goes to the slot's {@link AuditFigures} and the pass goes on after
 * it. One request at a time. Single-threaded: the serving thread.
 */
final class ReplicaAudit
{
    /** A mismatch already reported is logged again at most this often. */
    private static final long RELOG_NS = TimeUnit.MINUTES.toNanos(1);

    private final AuditPacer pacer;
    private final AuditFigures figures;
    private long position; // the next offset of the pass
    private long floor; // the replica's oldest offset, as it said (NOT_HELD)
    private long windowFrom = -1; // narrowing: the first entry of [windowFrom, windowTo] that differs is wanted
    private long windowTo = -1;
    private long pendingFrom = -1;
    private int pendingCount;
    private long lastLogNs;

    /**
     * @param pacer   the pace.
     * @param figures the replica's figures, whose position the pass resumes from.
     */
    ReplicaAudit(final AuditPacer pacer, final AuditFigures figures)
    {
        this.pacer = pacer;
        this.figures = figures;
        this.position = figures.auditedOffset();
    }

    /**
     * The next range to request, if the pace allows one and none is outstanding.
     *
     * @param nowNs  the time now.
     * @param oldest the primary's oldest retained offset.
     * @param end    the next offset the replica has made durable (and was sent): the range stays below it.
     * @return whether a range was chosen ({@link #pendingFrom()}, {@link #pendingCount()}).
     */
    boolean next(final long nowNs, final long oldest, final long end)
    {
        if (pendingFrom >= 0)
        {
            return false;
        }
        final long start = Math.max(oldest, floor);
        if (windowFrom >= 0 && (windowFrom < start || windowTo >= end))
        {
            endWindow(); // retention, or a truncation, moved under the window
        }
        if (windowFrom >= 0)
        {
            return ask(nowNs, windowFrom, Math.max(1, (windowTo - windowFrom + 1) / 2));
        }
        if (position < start)
        {
            moveTo(start);
        }
        if (position >= end)
        {
            if (position == start || end <= start)
            {
                return false; // nothing to check
            }
            figures.passCompleted();
            moveTo(start);
        }
        return ask(nowNs, position, end - position);
    }

    private boolean ask(final long nowNs, final long from, final long wanted)
    {
        final int count = pacer.grant(nowNs, wanted);
        if (count == 0)
        {
            return false;
        }
        pendingFrom = from;
        pendingCount = count;
        return true;
    }

    /**
     * @return the first offset of the range chosen, or -1 when none is outstanding.
     */
    long pendingFrom()
    {
        return pendingFrom;
    }

    /**
     * @return the number of entries of the range chosen.
     */
    int pendingCount()
    {
        return pendingCount;
    }

    /**
     * The range chosen cannot be asked for after all (the primary's own chain there is gone): choose again later.
     */
    void cancel()
    {
        pendingFrom = -1;
        endWindow();
    }

    /**
     * The replica's answer.
     *
     * @param from   its fromOffset.
     * @param count  its count.
     * @param result its result.
     * @param at     its atOffset.
     * @param nowNs  the time now.
     * @return the offset of a differing entry to report (not reported in the last minute), else -1.
     * @throws FerryException PROTOCOL for an answer to no request, or to another range.
     */
    long onResponse(final long from, final int count, final Result result, final long at, final long nowNs)
    {
        if (pendingFrom < 0 || from != pendingFrom || count != pendingCount)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "an AUDIT_RESPONSE for " + count + " entries from " + from +
                (pendingFrom < 0 ? " answers no request" : " answers none of " + pendingCount + " from " + pendingFrom));
        }
        pendingFrom = -1;
        figures.checked(count, nowNs);
        final long last = from + count - 1;
        return switch (result)
        {
            case MATCH ->
            {
                if (windowFrom >= 0)
                {
                    windowFrom = last + 1;
                    if (windowFrom > windowTo)
                    {
                        moveTo(windowTo + 1); // every half matched: the entries changed under the window; go on after it
                        endWindow();
                    }
                }
                else
                {
                    moveTo(last + 1);
                }
                yield -1;
            }
            case DAMAGED -> found(at, nowNs);
            case DIFFERS ->
            {
                if (count == 1)
                {
                    yield found(from, nowNs);
                }
                windowFrom = from;
                windowTo = last;
                yield -1;
            }
            case NOT_HELD ->
            {
                endWindow();
                if (at > from)
                {
                    floor = at; // the replica's WAL starts there (a snapshot, or its retention)
                    moveTo(Math.max(position, at));
                }
                else
                {
                    moveTo(last + 1);
                }
                yield -1;
            }
        };
    }

    private long found(final long offset, final long nowNs)
    {
        endWindow();
        moveTo(offset + 1);
        final boolean fresh = figures.mismatch(offset);
        if (!fresh && nowNs - lastLogNs < RELOG_NS)
        {
            return -1;
        }
        lastLogNs = nowNs;
        return offset;
    }

    private void endWindow()
    {
        windowFrom = -1;
        windowTo = -1;
    }

    private void moveTo(final long offset)
    {
        position = offset;
        figures.position(offset);
    }
}
