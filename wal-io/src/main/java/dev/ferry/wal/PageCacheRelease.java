package dev.ferry.wal;

import net.openhft.chronicle.bytes.MappedBytesStore;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Drops from the page cache the part of the file being written that every cursor has read: {@code madvise(DONTNEED)}
 * on the appender's mapping, then {@code posix_fadvise(POSIX_FADV_DONTNEED)} on the file. The pages go back to the
 * kernel's free lists, and the pages the WAL writes next are taken from there.
 * <p>
 * Why, measured on this project's 2-core VM: a page of memory the guest never used (or that its balloon handed back to
 * the host) costs a host-side fault on its first use. Writing a file through a mapping cost 4.6–4.9 µs per 4 KiB page
 * on such memory and 1.3–1.5 µs on pages freed a moment before (a C program writing 64 MiB slices, with and without
 * dropping each slice after an {@code msync}). A WAL that keeps everything cached takes a new page for every 46 entries
 * of 64 B, on each node, for as long as the machine has free memory. Dropping the read part, replication as
 * {@code ferry primary}/{@code ferry replica} run it cost 25% less CPU per entry. PostgreSQL drops its WAL segments
 * from the cache in the same way once nothing will read them.
 * <p>
 * What is released: only what a sync made clean (dropping a dirty page would start its write-back on the calling
 * thread); under {@link SyncPolicy#NONE}, only what is 64 MiB behind the writer (the kernel writes it back on its own by then, or soon).
 * What stays cached: everything at or after the slowest cursor that {@linkplain WalCursor#holdsCache holds the cache}
 * (with a margin), and the bytes Chronicle will write again ({@link WriteLayout}), so neither a reader nor an append
 * waits for a disk read. Earlier roll-cycle files are left as they are. A cursor behind the released part reads it
 * back from disk. Dropping a page never changes a byte: the release is only a cost, never a loss, so it reads the
 * cursors' positions without locks and, where it races, at worst reads a page back. A dirty page is not dropped (the
 * kernel starts its write-back instead), so each range is released a second time once it is further behind.
 * <p>
 * On by default; {@link WalConfig#releaseCache(boolean)} or {@code -Dferry.wal.releaseCache=false} turn it off. Run
 * by the {@link WalPretoucher}, on its thread; not thread-safe.
 */
final class PageCacheRelease implements AutoCloseable
{
    /** The system property that sets {@link WalConfig#releaseCache()}'s default. */
    static final String PROP_NAME = "ferry.wal.releaseCache";

    /** Released in steps of at least this much (64 pages: tens of µs of the calling thread). */
    static final long STEP_BYTES = 256L << 10;
    /**
     * The most released in one call, unless the writer moved further since the last call (a stream faster than the
     * calling thread's cycles: then what it moved, so the release keeps up).
     */
    static final long MAX_STEP_BYTES = 1L << 20;
    /** Kept cached behind the slowest cursor, and behind the write position. */
    static final long MARGIN_BYTES = 2L << 20;
    /** Under {@link SyncPolicy#NONE}, released only this far behind the write position. */
    static final long UNSYNCED_LAG_BYTES = 64L << 20;
    /** A released range is released again once the release is this far past it (its write-back has ended). */
    static final long SECOND_PASS_BYTES = 8L << 20;

    private static final long PAGE = 4096;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final MethodHandle OPEN =
        LinuxCalls.find("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE =
        LinuxCalls.find("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle FADVISE = LinuxCalls.find("posix_fadvise", FunctionDescriptor.of(
        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private final Wal wal;
    private final boolean syncs;
    private File file;
    private int fd = -1;
    private long released; // released up to here in file (first pass)
    private long secondPass; // released a second time up to here
    private long protectedFrom = -1; // the metadata gap kept cached last time
    private long protectedTo = -1;
    private long bytesReleased;
    private long lastPosition; // the write position at the last step

    PageCacheRelease(final Wal wal)
    {
        this.wal = wal;
        this.syncs = wal.config().syncPolicy() != SyncPolicy.NONE;
    }

    /**
     * @return true if this system can release (Linux, with native access).
     */
    static boolean available()
    {
        return OPEN != null && CLOSE != null && FADVISE != null && Madvise.available();
    }

    /**
     * Release the next step, if every cursor is far enough past it.
     *
     * @param mapped   the appender's chunk, reserved by the caller.
     * @param position the write position.
     * @return bytes released in this call.
     */
    long doWork(final MappedBytesStore mapped, final long position)
    {
        final WriteLayout layout = wal.writeLayout();
        if (layout == null || layout.floor() < 0 || !open(layout.file()))
        {
            return 0;
        }
        if (released < layout.floor())
        {
            released = (layout.floor() + PAGE - 1) & -PAGE; // from the first page wholly above it
            secondPass = released;
        }
        if (position - MARGIN_BYTES - released < STEP_BYTES)
        {
            return 0; // the common case: checked before reading any cursor
        }
        long bound = position;
        for (final WalCursor cursor : wal.openCursors())
        {
            bound = Math.min(bound, cursor.heldFrom(layout.cycle()));
        }
        // only clean pages: dropping a dirty one starts its write-back on this thread, in the middle of the
        // replicas' syncs; under SyncPolicy.NONE, far enough behind that the kernel's own write-back is near
        bound = Math.min(bound, syncs ? wal.syncedPosition(layout.cycle()) : position - UNSYNCED_LAG_BYTES);
        bound = (bound - MARGIN_BYTES) & -PAGE;
        if (bound - released < STEP_BYTES)
        {
            return 0;
        }
        final long to = Math.min(bound, released + Math.clamp(position - lastPosition, MAX_STEP_BYTES, 64L << 20));
        lastPosition = position;
        long done = 0;
        if (layout.metaFrom() != protectedFrom)
        {
            // a new index array: the one kept before is complete, Chronicle will not write it again (the file's first
            // metadata, its index-to-index array among it, lies below the floor and is never released)
            if (protectedFrom >= layout.floor() && protectedTo <= released)
            {
                done += release(mapped, protectedFrom & -PAGE, (protectedTo + PAGE - 1) & -PAGE);
            }
            protectedFrom = layout.metaFrom();
            protectedTo = layout.metaTo();
        }
        done += releaseAround(mapped, released, to);
        released = to;
        if (released - secondPass >= SECOND_PASS_BYTES + STEP_BYTES)
        {
            final long again = released - SECOND_PASS_BYTES;
            releaseAround(null, secondPass, again);
            secondPass = again;
        }
        bytesReleased += done;
        return done;
    }

    /**
     * @return bytes released so far (first passes).
     */
    long bytesReleased()
    {
        return bytesReleased;
    }

    /** Release {@code [from, to)} but the live index array's pages (and the ones it shares with its neighbours). */
    private long releaseAround(final MappedBytesStore mapped, final long from, final long to)
    {
        if (protectedFrom >= 0 && protectedFrom < to && protectedTo > from)
        {
            return release(mapped, from, protectedFrom & -PAGE) + release(mapped, (protectedTo + PAGE - 1) & -PAGE, to);
        }
        return release(mapped, from, to);
    }

    /**
     * @param mapped the appender's chunk, whose mapping of the range is dropped first (or the kernel keeps the pages
     *               cached); null for a second pass, which only asks again.
     */
    private long release(final MappedBytesStore mapped, final long from, final long to)
    {
        if (to <= from)
        {
            return 0;
        }
        final long mappedFrom = mapped == null ? to : Math.max(from, (mapped.start() + PAGE - 1) & -PAGE);
        if (to > mappedFrom && mapped.inside(mappedFrom) && mapped.inside(to - 1))
        {
            Madvise.advise(mapped.addressForRead(mappedFrom), to - mappedFrom, Madvise.MADV_DONTNEED);
        }
        fadvise(from, to - from);
        return to - from;
    }

    private void fadvise(final long from, final long length)
    {
        try
        {
            final int ignored = (int)FADVISE.invokeExact(fd, from, length, POSIX_FADV_DONTNEED);
        }
        catch (final Throwable ex)
        {
            // advice only
        }
    }

    /** Open {@code wanted} for the advice, once per file; a new file starts released from its floor. */
    private boolean open(final File wanted)
    {
        if (wanted.equals(file))
        {
            return fd >= 0;
        }
        close();
        file = wanted;
        released = 0;
        secondPass = 0;
        protectedFrom = -1;
        protectedTo = -1;
        try (Arena arena = Arena.ofConfined())
        {
            fd = (int)OPEN.invokeExact(arena.allocateFrom(wanted.getPath()), O_RDONLY_CLOEXEC);
        }
        catch (final Throwable ex)
        {
            fd = -1;
        }
        return fd >= 0;
    }

    /**
     * Close the file descriptor held for the advice. Idempotent.
     */
    @Override
    public void close()
    {
        if (fd >= 0)
        {
            try
            {
                final int ignored = (int)CLOSE.invokeExact(fd);
            }
            catch (final Throwable ex)
            {
                // nothing to do
            }
            fd = -1;
        }
        file = null;
    }
}
