package dev.ferry.wal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code madvise(2)} through Panama, for the advice the WAL gives: {@code MADV_RANDOM} on Chronicle's chunks
 * ({@link ChunkAdvisor}), and {@code MADV_DONTNEED} on what a {@link PageCacheRelease} drops.
 * <p>
 * Why: a page fault on a not-yet-cached page of a shared file mapping triggers the kernel's mmap "read-around",
 * which reads {@code read_ahead_kb} around the faulting page in one go. On a sparse WAL file that is a zero-fill of
 * the whole window inside one fault, without a preemption point: measured here ({@code read_ahead_kb} = 8192 on the
 * VM's disk), a 40–50 ms run of {@code memset} in {@code ext4_mpage_readpages} about once a second at 100k entries/s,
 * which starved the other threads on a 2-core machine and set the replicated p99. With {@code MADV_RANDOM} each fault
 * brings in one page, so the cost is spread evenly over the pretoucher's calls.
 * <p>
 * Best effort: where the symbol is missing (not Linux, or no native access) advice is a no-op returning false.
 */
final class Madvise
{
    /** {@code MADV_RANDOM} on Linux: no read-ahead or read-around for faults in the range. */
    static final int MADV_RANDOM = 1;
    /** {@code MADV_DONTNEED} on Linux: unmap the range; a shared file mapping's pages stay in the page cache. */
    static final int MADV_DONTNEED = 4;

    private static final MethodHandle MADVISE = lookup();

    private Madvise()
    {
    }

    /**
     * @param segment a mapped segment (page-aligned, as {@code FileChannel.map} returns).
     * @param advice  the advice, e.g. {@link #MADV_RANDOM}.
     * @return true if the kernel accepted the advice.
     */
    static boolean advise(final MemorySegment segment, final int advice)
    {
        if (MADVISE == null || segment.byteSize() == 0)
        {
            return false;
        }
        try
        {
            return (int)MADVISE.invokeExact(segment, segment.byteSize(), advice) == 0;
        }
        catch (final Throwable ex)
        {
            return false; // advice only: the pretoucher still works, just with the kernel's default read-around
        }
    }

    /**
     * @param address page-aligned start of a mapping.
     * @param length  bytes.
     * @param advice  the advice, e.g. {@link #MADV_RANDOM}.
     * @return true if the kernel accepted the advice.
     */
    static boolean advise(final long address, final long length, final int advice)
    {
        return advise(WalEntry.ALL.asSlice(address, length), advice);
    }

    /**
     * @return true if {@code madvise} was found and can be called.
     */
    static boolean available()
    {
        return MADVISE != null;
    }

    private static MethodHandle lookup()
    {
        // int madvise(void *addr, size_t length, int advice); null where it cannot be called: advice becomes a no-op
        return LinuxCalls.find("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }
}
