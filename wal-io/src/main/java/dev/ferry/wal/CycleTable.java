package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

import static dev.ferry.wal.WalEntry.ALL;
import static dev.ferry.wal.WalEntry.CHAIN_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.CRC_FIELD_OFFSET;
import static dev.ferry.wal.WalEntry.HEADER_LENGTH;
import static dev.ferry.wal.WalEntry.INT_LE;
import static dev.ferry.wal.WalEntry.LONG_LE;
import static dev.ferry.wal.WalEntry.OFFSET_FIELD_OFFSET;

/**
 * Offset to Chronicle index: within a roll cycle Chronicle's sequence numbers are dense, so
 * {@code index = toIndex(cycle, offset - first(cycle))} and only the first offset of each cycle is looked up, by a
 * probe tailer, once, then cached (the writer records the first offset of each cycle it starts). The probe also reads
 * the WAL's edges (oldest and last offsets).
 * <p>
 * The probe is used by any thread: every method touching it is {@code synchronized} on this table, which a caller may
 * also hold to make several calls one step.
 */
final class CycleTable
{
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final Path directory;
    private final ExcerptTailer probe;
    private final ConcurrentHashMap<Integer, Long> firstOffsetByCycle = new ConcurrentHashMap<>();
    private Long[] listedCycles;
    private long[] listedFirstOffsets;
    private int listedFirstCycle;
    private int listedLastCycle;

    CycleTable(final SingleChronicleQueue queue, final Path directory)
    {
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.directory = directory;
        this.probe = queue.createTailer();
        this.probe.singleThreadedCheckDisabled(true); // used by any thread, serialised by this table's monitor
    }

    /** The writer started {@code cycle} with {@code firstOffset}: no probe needed to find it. */
    void cycleStarted(final int cycle, final long firstOffset)
    {
        firstOffsetByCycle.put(cycle, firstOffset);
    }

    /**
     * The Chronicle index of an offset in [oldest, next), or -1 if its cycle cannot be found (deleted meanwhile).
     */
    synchronized long indexOf(final long offset)
    {
        final Long[] cycles = cycles();
        int lo = 0;
        int hi = cycles.length - 1;
        int found = -1;
        long foundFirst = -1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            final long first = firstOffsetOf(cycles, mid);
            if (first < 0 || first > offset)
            {
                hi = mid - 1;
            }
            else
            {
                found = mid;
                foundFirst = first;
                lo = mid + 1;
            }
        }
        if (found < 0)
        {
            return -1;
        }
        return rollCycle.toIndex(cycles[found].intValue(), offset - foundFirst);
    }

    /**
     * The stored payload length and CRC32C of the entry at {@code offset}, packed by {@link #entry(long, int)}
     * (allocation-free, for appendAt's repeat check); -1 if it cannot be found (deleted meanwhile).
     *
     * @throws WalException INTERNAL if the entry there holds another offset (the files are not dense).
     */
    synchronized long storedEntry(final long offset)
    {
        return stored(offset, false);
    }

    /**
     * The stored chained checksum of the entry at {@code offset} ({@link Chain}), as {@link Chain#unsigned}; -1 if it
     * cannot be found (deleted meanwhile).
     *
     * @throws WalException INTERNAL if the entry there holds another offset (the files are not dense).
     */
    synchronized long storedChain(final long offset)
    {
        return stored(offset, true);
    }

    private long stored(final long offset, final boolean chain)
    {
        final long index = indexOf(offset);
        if (index < 0 || !probe.moveToIndex(index))
        {
            return -1;
        }
        try (DocumentContext dc = probe.readingDocument())
        {
            if (!dc.isPresent())
            {
                return -1;
            }
            final long address = header(dc);
            final long found = ALL.get(LONG_LE, address + OFFSET_FIELD_OFFSET);
            if (found != offset)
            {
                throw new WalException(ErrorCode.INTERNAL, "WAL " + directory + " is not dense: offset " + offset +
                    " maps to index " + Long.toHexString(index) + " holding offset " + found);
            }
            if (chain)
            {
                return Chain.unsigned(ALL.get(INT_LE, address + CHAIN_FIELD_OFFSET));
            }
            final long payloadLength = dc.wire().bytes().readRemaining() - HEADER_LENGTH;
            return entry(payloadLength, ALL.get(INT_LE, address + CRC_FIELD_OFFSET));
        }
    }

    /**
     * @return a payload length and CRC32C in one long: {@code length << 32 | crc32c} (unsigned), never negative.
     */
    static long entry(final long payloadLength, final int crc32c)
    {
        return payloadLength << 32 | (crc32c & 0xFFFF_FFFFL);
    }

    /** The cached or probed first offset of one cycle; -1 if empty. */
    synchronized long firstOffsetOfCycle(final int cycle)
    {
        return firstOffsetOf(new Long[] {(long)cycle}, 0);
    }

    /**
     * Forget deleted cycles and list the files again.
     *
     * @return the oldest offset left, or -1 if none.
     */
    synchronized long cyclesDeleted(final Iterable<Integer> cycles)
    {
        for (final Integer cycle : cycles)
        {
            firstOffsetByCycle.remove(cycle);
        }
        listedCycles = null;
        queue.refreshDirectoryListing();
        return edgeOffset(TailerDirection.FORWARD);
    }

    /** List the files again (another process may be writing them). */
    synchronized void relist()
    {
        queue.refreshDirectoryListing();
    }

    /**
     * @param direction FORWARD for the oldest entry, BACKWARD for the last.
     * @return the offset of the entry at that edge, or -1 if the WAL is empty.
     */
    synchronized long edgeOffset(final TailerDirection direction)
    {
        probe.direction(direction);
        try
        {
            if (direction == TailerDirection.BACKWARD)
            {
                probe.toEnd();
            }
            else
            {
                probe.toStart();
            }
            return readOffset(probe);
        }
        finally
        {
            probe.direction(TailerDirection.FORWARD);
        }
    }

    /**
     * What a power loss may leave at the end of a WAL: documents whose header reached the disk but whose entry did not
     * (a zeroed page: the CRC32C fails, or the stored offset is not the one its Chronicle index gives). Scans back
     * from the last document to the first intact entry, with a tailer of its own (the probe answers
     * {@link #indexOf}). Holes before an intact entry are not looked for here: every reader checks CRCs.
     *
     * @return {@code {torn, lastIntactOffset}}: how many documents at the end are torn (0 for an intact tail) and the
     *         offset of the last intact entry, or -1 if no entry is intact (or the WAL is empty).
     */
    synchronized long[] tornTail()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            long torn = 0;
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return new long[] {torn, -1};
                    }
                    final long offset = intactOffset(dc);
                    if (offset >= 0)
                    {
                        return new long[] {torn, offset};
                    }
                    torn++;
                }
            }
        }
    }

    /** @return the entry's offset if its CRC32C holds and its offset maps to its index, else -1. */
    private long intactOffset(final DocumentContext dc)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long length = bytes.readRemaining();
        if (length < HEADER_LENGTH || length > Integer.MAX_VALUE)
        {
            return -1;
        }
        final long address = bytes.addressForRead(bytes.readPosition(), (int)length);
        final long offset = ALL.get(LONG_LE, address + OFFSET_FIELD_OFFSET);
        final int crc = ALL.get(INT_LE, address + CRC_FIELD_OFFSET);
        if (offset < 0 || crc != Crc32c.compute(ALL, address + HEADER_LENGTH, length - HEADER_LENGTH))
        {
            return -1;
        }
        return indexOf(offset) == dc.index() ? offset : -1;
    }

    synchronized void close()
    {
        probe.close();
    }

    /**
     * The queue's cycles, listed again only when the first or last cycle changed (a roll, retention): seeking
     * allocates nothing in between.
     */
    private Long[] cycles()
    {
        final int first = queue.firstCycle();
        final int last = queue.lastCycle();
        if (first != listedFirstCycle || last != listedLastCycle || listedCycles == null)
        {
            listedCycles = queue.listCyclesBetween(first, last).toArray(new Long[0]);
            listedFirstOffsets = new long[listedCycles.length];
            Arrays.fill(listedFirstOffsets, -1);
            listedFirstCycle = first;
            listedLastCycle = last;
        }
        return listedCycles;
    }

    /** First offset of the cycle at {@code cycles[i]}, or of the next non-empty cycle after it; -1 if none. */
    private long firstOffsetOf(final Long[] cycles, final int i)
    {
        for (int j = i; j < cycles.length; j++)
        {
            if (cycles == listedCycles && listedFirstOffsets[j] >= 0)
            {
                return listedFirstOffsets[j];
            }
            final int cycle = cycles[j].intValue();
            final Long cached = firstOffsetByCycle.get(cycle);
            if (cached != null)
            {
                remember(cycles, j, cached);
                return cached;
            }
            if (probe.moveToIndex(rollCycle.toIndex(cycle, 0)))
            {
                final long firstOffset = readOffset(probe);
                if (firstOffset >= 0)
                {
                    firstOffsetByCycle.put(cycle, firstOffset);
                    remember(cycles, j, firstOffset);
                    return firstOffset;
                }
            }
        }
        return -1;
    }

    private void remember(final Long[] cycles, final int j, final long firstOffset)
    {
        if (cycles == listedCycles)
        {
            listedFirstOffsets[j] = firstOffset;
        }
    }

    private long readOffset(final ExcerptTailer tailer)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return -1;
            }
            return ALL.get(LONG_LE, header(dc) + OFFSET_FIELD_OFFSET);
        }
    }

    /** @return the address of the open document's entry header. */
    private long header(final DocumentContext dc)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        if (bytes.readRemaining() < HEADER_LENGTH)
        {
            throw new WalException(ErrorCode.INTERNAL, "entry at index " + Long.toHexString(dc.index()) + " in " +
                directory + " is " + bytes.readRemaining() + " bytes, shorter than the entry header");
        }
        return bytes.addressForRead(bytes.readPosition(), HEADER_LENGTH);
    }
}
