package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The write-ahead log: entries at dense, monotonic 64-bit offsets in a Chronicle Queue, which is also the
 * retention store (the WAL is the replication backlog; there is no second copy in memory).
 * <p>
 * <b>Offsets.</b> The first entry of an empty WAL gets {@link WalConfig#firstOffset()} (or, through
 * {@link #appendAt}, the primary's offset); each append is +1, across roll cycles and restarts. Each entry stores
 * its offset ({@link WalEntry}); seeking derives the Chronicle index from the offset with a small cycle table:
 * within a roll cycle Chronicle's sequence numbers are dense, so {@code index = toIndex(cycle, offset - first(cycle))}
 * and only the first offset of each cycle is looked up (once, then cached).
 * <p>
 * <b>Threads.</b> {@link #append} and {@link #appendAt} are safe from any number of threads of one process, serialised
 * by a lock of Ferry's own on top of Chronicle's write lock; with {@link WalConfig#singleWriter(boolean)} one thread
 * owns them and Chronicle's is the only lock an append takes. One process at a time may open a WAL for writing (a
 * file lock says so clearly to the second). {@link #nextOffset()}, {@link #oldestOffset()} and {@link #isEmpty()}
 * are volatile reads. Cursors are single-threaded. {@link #open} with
 * {@link WalConfig#readOnly(boolean)} reads a WAL another process is writing.
 * <p>
 * <b>Durability.</b> See {@link SyncPolicy}: a returned append survives {@code kill -9}; what was synced survives
 * power loss.
 * <p>
 * <b>Parts.</b> This class is the facade; one package-private class
 * does each job behind it: {@link WalFiles} (directory, lock file, torn-file repair, free space, the queue),
 * {@link Sequencer} (the head; the two append modes, {@link AppendLock} or {@link SingleWriter}; appendAt's checks),
 * {@link EntryWriter} (one entry into a document, clock sharing, pretoucher position), {@link Syncer} (the sync
 * policy), {@link CycleTable} (offset to index), {@link Retention} and {@link Truncation}.
 */
public final class Wal implements AutoCloseable
{
    /**
     * The longest name {@link #cursor(String)} takes. Room for a 64-character replica id behind a role prefix such as
     * {@code "replica-"}: every valid id makes a valid cursor name.
     */
    public static final int MAX_CURSOR_NAME_LENGTH = 128;
    /** {@link #appendAt} result: the entry was written. 1, so that a caller can add results up to count writes. */
    public static final int APPENDED = 1;
    /** {@link #appendAt} result: the WAL already held this entry at this offset; nothing was written. */
    public static final int DUPLICATE = 0;

    private final WalConfig config;
    private final Path directory;
    private final MonotonicCycleClock cycleClock;
    private final WalFiles files;
    private final CycleTable table;
    private final EntryWriter writer; // null if read-only
    private final Sequencer sequencer;
    private final AtomicInteger openCursors = new AtomicInteger();
    private volatile WalCursor[] cursors = new WalCursor[0]; // copied on open and close, read without a lock

    private long tornEntriesRemoved;
    private boolean repairing;

    private Wal(final WalConfig config)
    {
        this.config = config;
        this.directory = config.directory().toAbsolutePath();
        // the default clocks share one reading per append (see MonotonicCycleClock); a test's own clocks stay apart
        this.cycleClock = config.clockNs() instanceof WalConfig.EpochNanoClock &&
            config.cycleClock() == SystemTimeProvider.INSTANCE ?
            MonotonicCycleClock.sharing(config.clockNs()) : new MonotonicCycleClock(config.cycleClock());
        this.files = new WalFiles(config, directory, cycleClock);
        final SingleChronicleQueue queue = files.queue();
        this.table = new CycleTable(queue, directory);
        this.writer = config.readOnly() ? null : new EntryWriter(config, directory, queue, files, table, cycleClock);
        this.sequencer = new Sequencer(config, directory, table, writer);
        if (!sequencer.isEmpty())
        {
            final int lastCycle = queue.lastCycle();
            if (writer != null)
            {
                writer.lastCycleAtOpen(lastCycle);
            }
            cycleClock.floorMillis(queue.epoch() + (long)lastCycle * queue.rollCycle().lengthInMillis());
        }
    }

    /**
     * Open (creating if needed, unless read-only) the WAL in {@code config.directory()}.
     *
     * @param config the settings, validated here.
     * @return the open WAL.
     * @throws WalException STORAGE for a missing, unwritable or locked directory; CONFIGURATION for bad settings.
     */
    public static Wal open(final WalConfig config)
    {
        final WalConfig concluded = config.conclude();
        WalFormat.prepare(concluded);
        final Wal wal = new Wal(concluded).repairTornTail(true);
        if (!concluded.readOnly())
        {
            WalFormat.mark(wal.directory);
        }
        return wal;
    }

    /**
     * A writable WAL whose last documents a power loss tore (their entry never reached the disk: the CRC32C fails or
     * the stored offset is not the one the index gives) would take a wrong next offset from them: they are removed by
     * a truncation after the last intact entry (a copy of the WAL, as {@link #truncateAfter}; only after a power loss).
     *
     * @throws WalException STORAGE if no entry of the WAL is intact (restore it, or empty it to resync).
     */
    private Wal repairTornTail(final boolean allowed)
    {
        if (writer == null || sequencer.isEmpty())
        {
            return this;
        }
        final long[] tail = table.tornTail();
        final long torn = tail[0];
        final long lastIntact = tail[1];
        if (torn == 0)
        {
            return this;
        }
        if (lastIntact < 0 || !allowed)
        {
            close();
            throw new WalException(ErrorCode.STORAGE, (lastIntact < 0 ? "no intact entry in WAL " :
                "torn entries left after a repair of WAL ") + directory + " (" + torn +
                " torn documents at the end): restore it from a copy, or empty it and let the replica resync");
        }
        sequencer.tornTail(lastIntact, torn);
        repairing = true;
        final Wal repaired = truncateAfter(lastIntact);
        repaired.tornEntriesRemoved = torn;
        return repaired;
    }

    /**
     * @return how many torn entries at the end of the WAL were removed when it was opened (0 unless a power loss tore
     *         them: see {@link #open}); the caller may report it.
     */
    public long tornEntriesRemoved()
    {
        return tornEntriesRemoved;
    }

    /**
     * Re-read the head and the oldest entry from the files: needed only by a read-only WAL whose writer is another
     * process (a writer's own view is always current).
     */
    public void refresh()
    {
        sequencer.refresh();
    }

    /**
     * Append an entry stamped with the configured clock.
     *
     * @param payload the payload, copied into the mapped WAL.
     * @return the entry's offset.
     * @throws WalException CONFIGURATION if the payload exceeds {@link WalConfig#maxPayloadBytes()}; STORAGE if the
     *                      disk is nearly full or the WAL is read-only or closed.
     */
    public long append(final MemorySegment payload)
    {
        return sequencer.append(payload);
    }

    /**
     * Append an entry from a byte array.
     *
     * @param payload the payload.
     * @return the entry's offset.
     */
    public long append(final byte[] payload)
    {
        return append(MemorySegment.ofArray(payload));
    }

    /**
     * Append an entry at an offset a primary chose, for a replica; idempotent, like Chronicle's
     * {@code InternalAppender.writeBytes(index, bytes)}:
     * <ul>
     *   <li>{@link #nextOffset()}, or any offset if the WAL is empty (a history may start anywhere): written,
     *       {@link #APPENDED};</li>
     *   <li>an offset the WAL holds, with the stored entry's CRC32C and length (a resend): nothing written,
     *       {@link #DUPLICATE} (the timestamp is not compared; the stored one stays);</li>
     *   <li>an offset the WAL holds with a different CRC32C or length: {@code DIVERGED}; beyond the next offset:
     *       {@code SEQUENCE_GAP}; below the oldest retained offset (deleted, so it cannot be compared):
     *       {@code RETENTION}. Nothing is written.</li>
     * </ul>
     * The repeat check reads the stored entry's header (no allocation, no exception); the next offset needs none.
     *
     * @param offset      the primary's offset for this entry.
     * @param timestampNs the primary's append time.
     * @param crc32c      the payload's CRC32C, already verified by the caller (stored as given).
     * @param payload     the payload.
     * @return {@link #APPENDED} or {@link #DUPLICATE}.
     * @throws WalException SEQUENCE_GAP, DIVERGED or RETENTION as above (nothing is written), CONFIGURATION on a bad
     *                      argument.
     */
    public int appendAt(final long offset, final long timestampNs, final int crc32c, final MemorySegment payload)
    {
        return appendAt(offset, timestampNs, crc32c, payload, 0, payload.byteSize());
    }

    /**
     * {@link #appendAt(long, long, int, MemorySegment)} for a payload at {@code [payloadOffset, payloadOffset + length)}
     * of {@code memory}: the form a receiver uses to copy straight from a frame without a slice object.
     *
     * @param offset        the primary's offset for this entry.
     * @param timestampNs   the primary's append time.
     * @param crc32c        the payload's CRC32C, already verified by the caller (stored as given).
     * @param memory        memory holding the payload.
     * @param payloadOffset where the payload starts.
     * @param payloadLength the payload length.
     * @return {@link #APPENDED} or {@link #DUPLICATE}.
     * @throws WalException SEQUENCE_GAP, DIVERGED or RETENTION (nothing is written), CONFIGURATION on a bad argument.
     */
    public int appendAt(
        final long offset, final long timestampNs, final int crc32c, final MemorySegment memory, final long payloadOffset,
        final long payloadLength)
    {
        return sequencer.appendAt(offset, timestampNs, crc32c, memory, payloadOffset, payloadLength);
    }

    /**
     * Apply the sync policy at the end of a batch: {@link SyncPolicy#PER_BATCH} syncs, {@link SyncPolicy#INTERVAL}
     * syncs if the interval has passed, {@link SyncPolicy#NONE} does nothing.
     *
     * @return true if a sync happened.
     */
    public boolean flush()
    {
        return sequencer.flush();
    }

    /**
     * Force every appended entry to the storage device ({@code msync}), whatever the policy.
     */
    public void sync()
    {
        sequencer.sync();
    }

    /**
     * @return the next offset to be appended (the head): one past the last entry.
     */
    public long nextOffset()
    {
        return sequencer.nextOffset();
    }

    /**
     * @return the oldest retained offset; equal to {@link #nextOffset()} when the WAL is empty.
     */
    public long oldestOffset()
    {
        return sequencer.oldestOffset();
    }

    /**
     * @return the last offset forced to storage by {@link #sync()}, or -1.
     */
    public long syncedOffset()
    {
        return sequencer.syncedOffset();
    }

    /**
     * @return true if the WAL has no entries.
     */
    public boolean isEmpty()
    {
        return sequencer.isEmpty();
    }

    /**
     * @return the WAL's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the settings the WAL was opened with.
     */
    public WalConfig config()
    {
        return config;
    }

    /**
     * Open an anonymous cursor positioned at the oldest entry.
     *
     * @return a cursor; close it when done.
     */
    public WalCursor cursor()
    {
        sequencer.checkOpen();
        return new WalCursor(this, files.queue().createTailer(), null);
    }

    /**
     * Open a named cursor: its position is stored in the WAL and survives restarts (a Chronicle named tailer).
     *
     * @param name the cursor's name: letters, digits, '-', '_', '.', at most {@link #MAX_CURSOR_NAME_LENGTH} chars.
     * @return a cursor at its stored position (the oldest entry the first time); close it when done.
     */
    public WalCursor cursor(final String name)
    {
        sequencer.checkOpen();
        if (name == null || name.isEmpty() || name.length() > MAX_CURSOR_NAME_LENGTH || !name.matches("[A-Za-z0-9._-]+"))
        {
            throw new WalException(ErrorCode.CONFIGURATION,
                "cursor name must be 1-" + MAX_CURSOR_NAME_LENGTH + " of [A-Za-z0-9._-], was '" + name + "'");
        }
        if (config.readOnly())
        {
            throw new WalException(ErrorCode.CONFIGURATION, "named cursors need a writable WAL (" + directory + " is read-only)");
        }
        return new WalCursor(this, files.queue().createTailer(name), name);
    }

    /**
     * Delete whole roll-cycle files as the policy allows, never the current cycle and never one holding an offset
     * at or above {@code floorOffset}. Files are deleted oldest first, so the retained entries stay contiguous.
     *
     * @param policy      what may be deleted.
     * @param floorOffset the lowest offset still needed (the slowest replica's next offset); {@link Long#MAX_VALUE}
     *                    for no floor.
     * @param nowMillis   the current time, epoch milliseconds.
     * @return what was deleted and the oldest offset now retained.
     */
    public RetentionResult retain(final RetentionPolicy policy, final long floorOffset, final long nowMillis)
    {
        return retain(policy, floorOffset, nowMillis, () -> { });
    }

    /**
     * {@link #retain(RetentionPolicy, long, long)} that runs {@code beforeDelete} once, just before the first file
     * is deleted, and not at all when nothing is: where the caller must persist what the floor was computed from
     * (a primary's replica slots) without an {@code fsync} on every pass.
     *
     * @param policy       what may be deleted.
     * @param floorOffset  the lowest offset still needed (e.g. the slowest replica's); cycles holding it are kept.
     * @param nowMillis    the wall clock, for the age limit.
     * @param beforeDelete run once before the first deletion; if it throws, nothing is deleted.
     * @return what was deleted and the oldest offset left.
     */
    public RetentionResult retain(
        final RetentionPolicy policy, final long floorOffset, final long nowMillis, final Runnable beforeDelete)
    {
        return Retention.apply(this, policy, floorOffset, nowMillis, beforeDelete);
    }

    /**
     * Remove every entry after {@code offset}, for divergence repair: afterwards {@link #nextOffset()} is
     * {@code offset + 1}.
     * <p>
     * Cost: Chronicle files are append-only, so the entries from the oldest up to {@code offset} are copied,
     * index for index, into a fresh queue beside this one, which then replaces it (O(bytes retained), one extra
     * copy of them on disk while it runs). Named cursor positions are not carried over (they restart at the
     * oldest entry). No cursor may be open. A crash mid-way leaves either the old WAL or the new one in place.
     *
     * @param offset the last offset to keep; {@code oldestOffset() - 1} empties the WAL.
     * @return a new, open WAL with the same settings; this instance is closed.
     * @throws WalException CONFIGURATION if cursors are open or the offset is out of range.
     */
    public Wal truncateAfter(final long offset)
    {
        // the chain the kept entries end with: what the WAL chains from if it is left empty (a truncation of all it
        // holds must not forget the chain it started from)
        final long chain = chainBefore(offset + 1);
        if (!sequencer.copyPrefix(this, offset, openCursors.get()))
        {
            return this;
        }
        close();
        Truncation.swapIn(directory);
        // a repair's copy holds no torn entry: one found there again is an error, not another repair
        return new Wal(config.copy().firstOffset(offset + 1).firstChain(chain < 0 ? config.firstChain() : (int)chain)
            .conclude()).repairTornTail(!repairing);
    }

    /**
     * Close the WAL; open cursors become unusable. Idempotent. In single-writer mode call it from the writer, or once
     * the writer has stopped appending: there is no lock to make an append in flight wait for it.
     */
    @Override
    public void close()
    {
        sequencer.close(files);
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return sequencer.isClosed();
    }

    @Override
    public String toString()
    {
        return "Wal{" + directory + ", oldest=" + oldestOffset() + ", next=" + nextOffset() + '}';
    }

    // package-private plumbing for the cursor, retention, truncation, the pretoucher and tests

    void cursorOpened(final WalCursor cursor)
    {
        openCursors.incrementAndGet();
        synchronized (openCursors)
        {
            final WalCursor[] before = cursors;
            final WalCursor[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = cursor;
            cursors = after;
        }
    }

    void cursorClosed(final WalCursor cursor)
    {
        openCursors.decrementAndGet();
        synchronized (openCursors)
        {
            final WalCursor[] before = cursors;
            final WalCursor[] after = new WalCursor[Math.max(0, before.length - 1)];
            int n = 0;
            for (final WalCursor c : before)
            {
                if (c != cursor && n < after.length)
                {
                    after[n++] = c;
                }
            }
            cursors = n == after.length ? after : before;
        }
    }

    /**
     * @return the open cursors (for a {@link PageCacheRelease}: it keeps cached what they have not read yet).
     */
    WalCursor[] openCursors()
    {
        return cursors;
    }

    /**
     * @param cycle the cycle being written.
     * @return how far the last sync covered its file, or -1 (see {@link EntryWriter#syncedPosition(int)}).
     */
    long syncedPosition(final int cycle)
    {
        return writer == null ? -1 : writer.syncedPosition(cycle);
    }

    /**
     * @return where Chronicle will write again in the file being written, or null before the first append.
     */
    WriteLayout writeLayout()
    {
        return writer == null ? null : writer.layout();
    }

    WalFiles files()
    {
        return files;
    }

    /** For tests: the head's owner, to run one step of an operation. */
    Sequencer sequencer()
    {
        return sequencer;
    }

    CycleTable table()
    {
        return table;
    }

    /** Retention deleted these cycles. */
    void afterCyclesDeleted(final Iterable<Integer> cycles)
    {
        sequencer.cyclesDeleted(cycles);
    }

    /**
     * @return the clock Chronicle picks this WAL's roll cycles with (for a staging queue that must agree with it).
     */
    MonotonicCycleClock cycleClock()
    {
        return cycleClock;
    }

    /**
     * @return appends stamped with the reading Chronicle took to pick their cycle (for a test).
     */
    long sharedReadings()
    {
        return sequencer.sharedReadings();
    }

    /**
     * @return the roll-cycle file the last append went to, or null before the first append (for a pretoucher).
     */
    File writeFile()
    {
        return writer == null ? null : writer.writeFile();
    }

    /**
     * @return the file position just after the last append (for a pretoucher).
     */
    long writePosition()
    {
        return writer == null ? 0 : writer.writePosition();
    }

    /**
     * @return Chronicle's mapped chunk the last append went to, or null before the first append (for a pretoucher).
     */
    BytesStore<?, ?> writeStore()
    {
        return writer == null ? null : writer.writeStore();
    }

    /**
     * The chained checksum stored with the entry at {@code offset} ({@link Chain}): it stands for every entry up to
     * it, so two WALs whose chains agree at an offset hold the same payloads up to there. O(1): one index lookup.
     *
     * @param offset an offset.
     * @return its chain as {@link Chain#unsigned}, or -1 if this WAL does not hold that offset.
     */
    public long chain(final long offset)
    {
        sequencer.checkOpen();
        if (offset < oldestOffset() || offset >= nextOffset())
        {
            return -1;
        }
        return table.storedChain(offset);
    }

    /**
     * The chained checksum the entry at {@code offset} folds in: the chain at {@code offset - 1}, which this WAL knows
     * for every offset from its oldest retained one to its head (at the oldest, undone from the oldest entry with
     * {@link Chain#previous}; in an empty WAL, the chain it starts from).
     *
     * @param offset an offset in {@code [oldestOffset, nextOffset]}.
     * @return the chain as {@link Chain#unsigned}, or -1 outside that range.
     */
    public long chainBefore(final long offset)
    {
        sequencer.checkOpen();
        final long oldest = oldestOffset();
        if (offset < oldest || offset > nextOffset())
        {
            return -1;
        }
        if (offset > oldest)
        {
            return table.storedChain(offset - 1);
        }
        if (isEmpty())
        {
            return Chain.unsigned(sequencer.chainBeforeFirst());
        }
        final long entry = table.storedEntry(oldest);
        final long chain = table.storedChain(oldest);
        return entry < 0 || chain < 0 ? -1 : Chain.unsigned(Chain.previous((int)chain, (int)entry, (int)(entry >>> 32)));
    }

    /**
     * Set the chained checksum the first entry of this empty WAL folds in: a replica that starts from a primary's
     * oldest retained offset (not 0) takes the primary's chain before it, so that both chains agree from there.
     *
     * @param chain the chain, as {@link Chain#unsigned} or as the int.
     * @throws WalException CONFIGURATION if the WAL holds an entry.
     */
    public void seedChain(final int chain)
    {
        sequencer.seedChain(chain);
    }

    /**
     * Check the chained checksum of the entries {@code [from, head)}: each entry's payload against its CRC32C, and its
     * chain against the one before it folded with its CRC32C and length. Reads every entry in the range.
     *
     * @param from the first offset checked (the oldest retained if below it).
     * @return the first offset whose entry or chain is wrong, or -1 if all hold.
     */
    public long verifyChain(final long from)
    {
        final long start = Math.max(from, oldestOffset());
        final long head = nextOffset();
        if (start >= head)
        {
            return -1;
        }
        final long before = chainBefore(start);
        final int[] chain = {(int)before};
        final long[] bad = {before < 0 ? start : -1};
        final long[] seen = {start};
        try (WalCursor cursor = cursor())
        {
            if (bad[0] < 0 && cursor.seek(start) != SeekResult.FOUND)
            {
                bad[0] = start;
            }
            if (bad[0] < 0)
            {
                while (bad[0] < 0 && seen[0] < head && cursor.poll(e ->
                {
                    final int expected = Chain.next(chain[0], e.crc32c(), e.length());
                    if (e.offset() != seen[0] || !e.crcMatches() || e.chain() != expected)
                    {
                        bad[0] = seen[0];
                        return false;
                    }
                    chain[0] = expected;
                    seen[0]++;
                    return true;
                }, 4096) > 0)
                {
                    // the handler does the work
                }
            }
        }
        catch (final WalException ex)
        {
            return seen[0]; // an entry that holds another offset, or an impossible length: damaged there
        }
        return bad[0] >= 0 ? bad[0] : seen[0] < head ? seen[0] : -1;
    }

    /**
     * @return the disk space left above the free-space reserve, for a pretoucher (see {@link WalFiles}).
     */
    long spaceAboveReserve()
    {
        return files.spaceAboveReserve();
    }
}
