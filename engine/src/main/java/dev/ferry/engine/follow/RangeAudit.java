package dev.ferry.engine.follow;

import dev.ferry.net.message.AuditResponseFlyweight.Result;
import dev.ferry.wal.Chain;
import dev.ferry.wal.EntryHandler;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalEntry;
import dev.ferry.wal.WalException;

/**
 * A replica's side of the background audit: checks one range its primary asked for ({@code AUDIT_REQUEST}) against
 * the bytes on its own disk, a bounded number of entries per duty cycle so that the receiving thread is never held
 * up for long. Each entry's payload is checked against its CRC32C, and the chain is folded from the
 * <em>primary's</em> chain before the range: an entry whose stored chain is not that fold is the first that differs
 * from the primary's ({@link Result#DAMAGED}); a fold at the last entry that is not the primary's chain there means
 * the replica holds other, self-consistent entries somewhere in the range ({@link Result#DIFFERS}: the primary
 * narrows the range). Its cursor is opened by the thread that checks, on the first request. Single-threaded.
 */
final class RangeAudit implements AutoCloseable
{
    private enum Phase
    {
        IDLE,
        CHECKING,
        DONE
    }

    private final Wal wal;
    private final EntryHandler onEntry = this::onEntry;
    private WalCursor cursor;
    private Phase phase = Phase.IDLE;
    private long from;
    private int count;
    private int chainAtLast;
    private int chain;
    private long next; // the next offset to check
    private long end; // from + count
    private Result result;
    private long atOffset;

    RangeAudit(final Wal wal)
    {
        this.wal = wal;
    }

    /**
     * @return whether a request is being checked or its answer waits to be sent.
     */
    boolean busy()
    {
        return phase != Phase.IDLE;
    }

    /**
     * Begin checking a request's range.
     *
     * @param from        its first offset.
     * @param count       its number of entries, at least 1.
     * @param chainBefore the primary's chain at {@code from - 1}.
     * @param chainAtLast the primary's chain at {@code from + count - 1}.
     */
    void start(final long from, final int count, final int chainBefore, final int chainAtLast)
    {
        this.from = from;
        this.count = count;
        this.chainAtLast = chainAtLast;
        this.chain = chainBefore;
        this.next = from;
        this.end = from + count;
        this.phase = Phase.CHECKING;
        final long oldest = wal.oldestOffset();
        if (wal.isEmpty() || from < oldest || end > wal.nextOffset())
        {
            finish(Result.NOT_HELD, oldest > from && !wal.isEmpty() ? oldest : -1);
            return;
        }
        if (cursor == null)
        {
            cursor = wal.cursor().holdsCache(false); // paced and behind: it reads back from disk what it needs
        }
        if (cursor.nextOffset() != from && cursor.seek(from) != SeekResult.FOUND)
        {
            finish(Result.NOT_HELD, -1);
        }
    }

    /**
     * Check up to {@code maxEntries} more entries of the range.
     *
     * @param maxEntries the most entries to read this cycle.
     * @return entries read.
     */
    int doWork(final int maxEntries)
    {
        if (phase != Phase.CHECKING)
        {
            return 0;
        }
        final long before = next;
        try
        {
            cursor.poll(onEntry, (int)Math.min(maxEntries, end - next));
        }
        catch (final WalException ex)
        {
            finish(Result.DAMAGED, next); // an entry that holds another offset, or an impossible length
            return (int)(next - before);
        }
        if (phase == Phase.CHECKING && next == end)
        {
            finish(chain == chainAtLast ? Result.MATCH : Result.DIFFERS, -1);
        }
        else if (phase == Phase.CHECKING && next == before)
        {
            finish(Result.NOT_HELD, -1); // nothing more to read: the WAL was cut under the range
        }
        return (int)(next - before);
    }

    private boolean onEntry(final WalEntry entry)
    {
        if (entry.offset() != next || !entry.crcMatches())
        {
            finish(Result.DAMAGED, next);
            return false;
        }
        chain = Chain.next(chain, entry.crc32c(), entry.length());
        if (chain != entry.chain())
        {
            finish(Result.DAMAGED, next);
            return false;
        }
        next++;
        return true;
    }

    private void finish(final Result result, final long atOffset)
    {
        this.result = result;
        this.atOffset = atOffset;
        this.phase = Phase.DONE;
    }

    /**
     * @return whether the answer is ready to be sent.
     */
    boolean done()
    {
        return phase == Phase.DONE;
    }

    long from()
    {
        return from;
    }

    int count()
    {
        return count;
    }

    Result result()
    {
        return result;
    }

    long atOffset()
    {
        return atOffset;
    }

    /**
     * The answer was sent, or the link closed: ready for the next request.
     */
    void reset()
    {
        phase = Phase.IDLE;
    }

    @Override
    public void close()
    {
        if (cursor != null)
        {
            cursor.close();
            cursor = null;
        }
    }
}
