package dev.ferry.engine.serve;

/**
 * What the background audit found on one replica, kept in its slot across its connections: how far the current pass
 * has got, ranges and entries checked, mismatches found and the first differing offset. Written by the primary's
 * serving thread ({@link ReplicaAudit}), read by any thread.
 */
public final class AuditFigures
{
    private volatile long auditedOffset;
    private volatile long audits;
    private volatile long auditedEntries;
    private volatile long mismatches;
    private volatile long passMismatch = -1; // the lowest differing offset found in the current pass
    private volatile long lastPassMismatch = -1; // the same, of the last complete pass
    private volatile long lastAuditNs;

    /**
     * @return the next offset the current audit pass checks: every offset from the pass's start up to it was checked.
     */
    public long auditedOffset()
    {
        return auditedOffset;
    }

    /**
     * @return ranges checked (one request and response each) since this primary started.
     */
    public long audits()
    {
        return audits;
    }

    /**
     * @return entries checked since this primary started (an entry is counted once per pass, and again when a range
     *         is narrowed to find where it differs).
     */
    public long auditedEntries()
    {
        return auditedEntries;
    }

    /**
     * @return differing entries found since this primary started (the same entry is found again in each pass).
     */
    public long mismatches()
    {
        return mismatches;
    }

    /**
     * @return the first offset at which the replica holds other bytes than this primary: the lowest found in the
     *         current pass, else in the last complete pass; -1 when neither found any (a replica resynced since is
     *         clean again after one pass).
     */
    public long firstMismatchOffset()
    {
        final long current = passMismatch;
        return current >= 0 ? current : lastPassMismatch;
    }

    /**
     * @param nowNs {@link System#nanoTime()} now.
     * @return milliseconds since the last range was checked, or -1 if none was.
     */
    public long lastAuditMillisAgo(final long nowNs)
    {
        final long last = lastAuditNs;
        return last == 0 ? -1 : Math.max(0, (nowNs - last) / 1_000_000);
    }

    void position(final long offset)
    {
        auditedOffset = offset;
    }

    void checked(final int count, final long nowNs)
    {
        audits++;
        auditedEntries += count;
        lastAuditNs = nowNs == 0 ? 1 : nowNs;
    }

    /**
     * @return whether the offset is new: it was not the first mismatch reported before.
     */
    boolean mismatch(final long offset)
    {
        final boolean known = offset == firstMismatchOffset();
        mismatches++;
        if (passMismatch < 0 || offset < passMismatch)
        {
            passMismatch = offset;
        }
        return !known;
    }

    void passCompleted()
    {
        lastPassMismatch = passMismatch;
        passMismatch = -1;
    }
}
