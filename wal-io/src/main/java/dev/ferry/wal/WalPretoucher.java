package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.core.OS;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;

/**
 * Takes page faults off the append path: touches the pages just ahead of the WAL's write position, so the kernel
 * allocates and zero-fills them here instead of inside {@link Wal#append}. Measured on a 2-core machine, zero-filling
 * fresh mapped pages was the largest single cost of appending (38% of CPU at 64 B, 75% at 1 KiB).
 * <p>
 * It maps the current roll-cycle file itself (its own {@code MAP_SHARED} mapping: the page cache is shared with
 * Chronicle's) and writes each page's first int with a compare-and-set of 0 to 0, which faults the page in for
 * writing but can never change a byte the appender wrote. It only touches within the file's current length
 * (Chronicle extends files itself) and never behind the write position.
 * <p>
 * A duty-cycle object, not a thread (wal-io has none): call {@link #doWork()} from a thread that is not the
 * appender's — Ferry's primary and replica call it from their network thread between messages. Single-threaded.
 */
public final class WalPretoucher implements AutoCloseable
{
    private static final BooleanSupplier NEVER = () -> false;

    /** Default distance ahead of the write position kept touched. */
    public static final long DEFAULT_AHEAD_BYTES = 8L << 20;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final int PAGES_PER_CALL = 64;
    private static final long WINDOW_BYTES = 64L << 20; // few remaps: each munmap costs every core a TLB shootdown

    private final Wal wal;
    private final long aheadBytes;
    private final long pageSize = OS.pageSize();
    private File file;
    private FileChannel channel;
    private long fileSize;
    private Arena arena;
    private MemorySegment window;
    private long windowStart;
    private long touchedUpTo;
    private long pagesTouched;
    private boolean adviceTaken;

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
        final File current = wal.writeFile();
        if (current == null || wal.isClosed())
        {
            return 0;
        }
        final long position = wal.writePosition();
        try
        {
            if (!current.equals(file))
            {
                open(current);
            }
            final long from = (position + pageSize - 1) & -pageSize;
            if (touchedUpTo < from)
            {
                touchedUpTo = from; // never behind the writer
            }
            final long target = position + aheadBytes;
            int touched = 0;
            while (touched < maxPages && touchedUpTo < target)
            {
                if (touched > 0 && workWaiting.getAsBoolean())
                {
                    break;
                }
                if (touchedUpTo + Integer.BYTES > fileSize)
                {
                    fileSize = channel.size();
                    if (touchedUpTo + Integer.BYTES > fileSize)
                    {
                        break; // Chronicle has not extended the file this far yet
                    }
                }
                if (window == null || touchedUpTo < windowStart || touchedUpTo + Integer.BYTES > windowStart + window.byteSize())
                {
                    map(touchedUpTo);
                }
                INT.compareAndSet(window, touchedUpTo - windowStart, 0, 0);
                touchedUpTo += pageSize;
                touched++;
            }
            pagesTouched += touched;
            return touched;
        }
        catch (final IOException | RuntimeException ex)
        {
            release(); // best effort: the file may have been rolled or deleted meanwhile; retried on the next call
            return 0;
        }
    }

    /**
     * @return pages touched since creation.
     */
    public long pagesTouched()
    {
        return pagesTouched;
    }

    private void open(final File current) throws IOException
    {
        release();
        channel = FileChannel.open(current.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        file = current;
        fileSize = channel.size();
        touchedUpTo = 0;
    }

    private void map(final long position) throws IOException
    {
        if (arena != null)
        {
            arena.close();
        }
        arena = Arenas.ofConfined();
        windowStart = position & -pageSize;
        final long length = Math.min(WINDOW_BYTES, fileSize - windowStart);
        window = channel.map(FileChannel.MapMode.READ_WRITE, windowStart, length, arena);
        adviceTaken = Madvise.advise(window, Madvise.MADV_RANDOM); // one page per fault: see Madvise
    }

    private void release()
    {
        if (arena != null)
        {
            arena.close();
            arena = null;
        }
        window = null;
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // only a read/write handle for touching pages; nothing was written through it
            }
            channel = null;
        }
        file = null;
    }

    /**
     * @return true if the current window took {@code MADV_RANDOM} (one page per fault, no read-around).
     */
    public boolean readAroundDisabled()
    {
        return adviceTaken;
    }

    /**
     * Unmap and close.
     */
    @Override
    public void close()
    {
        release();
    }
}
