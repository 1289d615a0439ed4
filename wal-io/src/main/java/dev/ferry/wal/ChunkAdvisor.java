package dev.ferry.wal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytesStore;

/**
 * Gives each of Chronicle's mapped chunks that the appender writes into {@code MADV_RANDOM}, once, on the first
 * append into it: a page fault then allocates and zero-fills one page instead of a read-around window.
 * <p>
 * Why, measured on this project's 2-core VM (a sparse 512 MiB file written through a shared mapping a few seconds
 * after the last run): with the kernel's read-around ({@code read_ahead_kb} = 8192 there) each 4 KiB page cost
 * 10–30 µs, because the fault allocates large folios from high-order free blocks that the VM's balloon (free page
 * reporting) has handed back to the host, so each of their pages takes a host-side fault as well; with
 * {@code MADV_RANDOM}, 3–4 µs. It also bounds the longest fault an append can take to one page, where a read-around
 * zero-fills up to 8 MiB without a preemption point. On memory the guest reused moments ago the read-around was
 * cheaper (1.5 vs 3 µs per page), so {@link WalConfig#readAround(boolean)} keeps the kernel's default for hosts where
 * that is the common case.
 * <p>
 * The chunk is recognised by its bytes store, not its address: Chronicle releases and maps chunks again, and a new
 * mapping may land at the old address without the advice. The first write into a chunk happens before the advice
 * (Chronicle writes the document header), so that one fault still reads around. One writing thread at a time (the
 * WAL's append lock, or its single writer).
 */
final class ChunkAdvisor
{
    private static final long PAGE_SIZE = 4096; // madvise needs a page-aligned start; 4 KiB divides larger pages' offsets too

    /**
     * Called once per chunk, by the writer, on the first append into it (the writer already tracks the chunk for the
     * pretoucher, so no second copy of that state is kept here).
     *
     * @param bytes   the bytes of the document being written (Chronicle's mapped bytes over the current chunk).
     * @param address where it is being written: the advice starts at its page, so the entries already in the chunk
     *                (a WAL reopened mid-chunk) keep the kernel's read-ahead for cursors reading them (Chronicle's
     *                tailers share the appender's mappings).
     */
    void wrote(final Bytes<?> bytes, final long address)
    {
        if (bytes.bytesStore() instanceof MappedBytesStore mapped)
        {
            final long end = mapped.addressForRead(mapped.start()) + mapped.capacity();
            final long from = address & -PAGE_SIZE;
            Madvise.advise(from, end - from, Madvise.MADV_RANDOM);
        }
    }
}
