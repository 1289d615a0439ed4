package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.core.io.ReferenceOwner;

import java.util.function.BooleanSupplier;

/**
 * Takes page faults off the append path: touches the pages just ahead of the WAL's write position, so the kernel
 * allocates and zero-fills them here instead of inside {@link Wal#append}. Measured on a 2-core machine, zero-filling
 * fresh mapped pages was the largest single cost of appending (38% of CPU at 64 B, 75% at 1 KiB).
 * <p>
 * It touches through the mapping the appender writes into (Chronicle's mapped chunk of the current roll-cycle file,
 * reserved while touched so it cannot be unmapped underneath), writing each page's first int with a compare-and-set
 * of 0 to 0: that faults the page in for writing but can never change a byte the appender wrote. So each page is
 * faulted once. (It used to map the file itself; the page cache was shared but the page tables were not, so every
 * page took a second fault in the appender's mapping: 628 faults appending into 500 pretouched pages, issue 21.) It
 * touches within the current chunk only, never behind the write position; the first pages of the next chunk are
 * touched once the appender has mapped it. It touches only while the disk has the WAL's free-space reserve plus the
 * distance ahead free: on a sparse file a touch allocates the page's block, and on a full disk that is a SIGBUS.
 * <p>
 * A duty-cycle object, not a thread (wal-io has none): call {@link #doWork()} from a thread that is not the
 * appender's — Ferry's primary calls it from its network thread between messages — or between its own writes, as a
 * replica's receiver does. Single-threaded.
 */
public final class WalPretoucher implements AutoCloseable
{
    private static final BooleanSupplier NEVER = () -> false;

    /** Default distance ahead of the write position kept touched. */
    public static final long DEFAULT_AHEAD_BYTES = 8L << 20;

    private static final int PAGES_PER_CALL = 64;
    /** Touching goes on for this much past a free-space check before the next (a statfs costs ~2 µs here). */
    private static final long SPACE_CHECK_BYTES = 1L << 20;
    private static final long SPACE_RECHECK_NS = 100_000_000L;

    private final Wal wal;
    private final long aheadBytes;
    private final long pageSize = OS.pageSize();
    private final ReferenceOwner owner = ReferenceOwner.temporary("ferry-pretoucher");
    private BytesStore<?, ?> chunk;
    private long touchedUpTo;
    private long touchAllowedUpTo;
    private long nextSpaceCheckNs;
    private long pagesTouched;
    private final PageCacheRelease release;

    /**
     * @param wal        the WAL whose appends to run ahead of.
     * @param aheadBytes how far ahead of the write position to keep pages touched.
     */
    public WalPretoucher(final Wal wal, final long aheadBytes)
    {
        if (aheadBytes <= 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "pretouch aheadBytes must be > 0, was " + aheadBytes);
        }
        this.wal = wal;
        this.aheadBytes = aheadBytes;
        this.nextSpaceCheckNs = System.nanoTime();
        this.release = wal.config().releaseCache() && PageCacheRelease.available() ? new PageCacheRelease(wal) : null;
    }

    /**
     * Touch up to 64 pages ahead of the write position.
     *
     * @return pages touched (0 when already far enough ahead).
     */
    public int doWork()
    {
        return doWork(PAGES_PER_CALL);
    }

    /**
     * Touch up to {@code maxPages} pages ahead of the write position: a latency-sensitive duty cycle passes a few
     * when busy and more when idle.
     *
     * @param maxPages the most pages to touch in this call.
     * @return pages touched (0 when already far enough ahead).
     */
    public int doWork(final int maxPages)
    {
        return doWork(maxPages, NEVER);
    }

    /**
     * Touch up to {@code maxPages} pages ahead of the write position, stopping early once {@code workWaiting} says
     * the calling thread has something better to do. A page fault on fresh memory costs 3–30 µs on a VM (the host
     * backs the page too), so a duty cycle that touches many pages while idle would otherwise hold a just-arrived
     * append or ack back by up to {@code maxPages} faults; with the check it waits for at most one.
     *
     * @param maxPages    the most pages to touch in this call.
     * @param workWaiting asked before each page after the first (the first is always touched, so the pretoucher keeps
     *                    moving even on a thread that is never idle); must not allocate.
     * @return pages touched (0 when already far enough ahead).
     */
    public int doWork(final int maxPages, final BooleanSupplier workWaiting)
    {
        final BytesStore<?, ?> store = wal.writeStore();
        if (!(store instanceof MappedBytesStore) || wal.isClosed())
        {
            return 0;
        }
        final long position = wal.writePosition();
        final boolean fresh = store != chunk;
        if (fresh)
        {
            chunk = store;
            touchedUpTo = 0; // a new chunk (or file): start again from the write position
            touchAllowedUpTo = 0;
        }
        final MappedBytesStore mapped = (MappedBytesStore)store;
        if (!reserve(mapped))
        {
            return 0; // released meanwhile: the appender has moved on; the next call sees its new chunk
        }
        if (fresh)
        {
            // once per chunk: fault it in by the large folio (a hint), before anything is touched in it
            HugePages.advise(mapped.address, mapped.safeLimit() - mapped.start());
        }
        int touched = 0;
        try
        {
            final long from = (position + pageSize - 1) & -pageSize;
            if (touchedUpTo < from)
            {
                touchedUpTo = from; // never behind the writer
            }
            final long end = Math.min(position + aheadBytes, mapped.safeLimit());
            while (touched < maxPages && touchedUpTo + Integer.BYTES <= end)
            {
                if (touched > 0 && workWaiting.getAsBoolean())
                {
                    break;
                }
                if (!mapped.inside(touchedUpTo, Integer.BYTES))
                {
                    break; // beyond this chunk's mapping: the next chunk is touched once the appender maps it
                }
                if (touchedUpTo >= touchAllowedUpTo && !spaceToTouch())
                {
                    break; // the disk may not back more pages: a touch could SIGBUS; appends will meet the reserve
                }
                mapped.compareAndSwapInt(touchedUpTo, 0, 0);
                touchedUpTo += pageSize;
                touched++;
            }
            if (release != null && (touched < maxPages || !workWaiting.getAsBoolean()))
            {
                release.doWork(mapped, position); // behind: what every cursor has read goes back to the free lists
            }
        }
        catch (final RuntimeException ex)
        {
            touched = 0; // best effort: the chunk may be closing as the file rolls; the next call starts afresh
            chunk = null;
        }
        finally
        {
            mapped.release(owner);
        }
        pagesTouched += touched;
        return touched;
    }

    /**
     * Touching allocates the file's blocks on a sparse file: on a full disk that is a SIGBUS. So pages are touched
     * only while the disk has the reserve plus the distance ahead free, checked every {@value #SPACE_CHECK_BYTES}
     * bytes touched (and at most every 100 ms once refused).
     */
    private boolean spaceToTouch()
    {
        final long now = System.nanoTime();
        if (now - nextSpaceCheckNs < 0)
        {
            return false;
        }
        if (wal.spaceAboveReserve() > aheadBytes + SPACE_CHECK_BYTES)
        {
            touchAllowedUpTo = touchedUpTo + SPACE_CHECK_BYTES;
            return true;
        }
        nextSpaceCheckNs = now + SPACE_RECHECK_NS;
        return false;
    }

    private boolean reserve(final MappedBytesStore mapped)
    {
        try
        {
            return mapped.tryReserve(owner);
        }
        catch (final RuntimeException ex)
        {
            return false; // closed
        }
    }

    /**
     * @return pages touched since creation.
     */
    public long pagesTouched()
    {
        return pagesTouched;
    }

    /**
     * @return bytes of the file being written dropped from the page cache since creation ({@link PageCacheRelease}).
     */
    public long bytesReleased()
    {
        return release == null ? 0 : release.bytesReleased();
    }

    /**
     * Forget the chunk and close the descriptor the page-cache release holds; no mapping is held between calls.
     */
    @Override
    public void close()
    {
        chunk = null;
        if (release != null)
        {
            release.close();
        }
    }
}
