package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.agent.Agent;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalEntry;
import dev.ferry.wal.WalException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Ships a WAL to an archive (Litestream's replication loop): new entries as segments (cut by size or time), the node's
 * state snapshots on a schedule, and retention of what is older than the archive must keep. Reads the WAL as any
 * reader beside its node does (read-only, in this process or another), so it never slows the node's append path.
 * <p>
 * <b>Continuity.</b> At start it resumes the newest generation if that generation is a copy of this WAL's history and
 * epoch and the WAL still holds the entry after its last one with the same chained checksum; otherwise (a new history,
 * an epoch change, a gap because retention passed it, a WAL restored or wiped) it begins a new generation from the
 * newest state snapshot the WAL can replay from (or its oldest entry). While running, a change of the WAL's history or
 * epoch, or a gap, ends the generation and begins another. Objects are written whole, and a segment is named by its
 * range only once uploaded, so a crash at any point resumes with no gap and no duplicate.
 * <p>
 * An agent: one duty cycle ships what is ready. Single-threaded; {@link #status()} may be read from any thread.
 */
public final class Shipper implements Agent
{
    private static final long HISTORY_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long RETRY_NS = TimeUnit.SECONDS.toNanos(1);

    private final ArchiveContext context;
    private final ArchiveStore store;
    private final EventLog log;
    private final LongConsumer onArchived;

    private Wal wal;
    private WalCursor cursor;
    private SegmentFormat.Writer segment;
    private History history;
    private String restoredId = "";
    private String generation;
    private long generationStart;
    private long segmentOpenedNs;
    private boolean full;
    private byte[] pending;
    private String pendingKey;
    private long retryAtNs;
    private long nextHistoryCheckNs;
    private long lastSnapshotOffset = -1;
    private long nextSnapshotAtMillis;
    private long nextRetentionAtMillis;
    private FerryException lastError;
    private volatile Status status = new Status(null, -1, -1, 0, 0, 0, 0, null);

    /**
     * What the shipper has done, for status.
     *
     * @param generation      the generation it writes, or null before the first.
     * @param archivedNext    the next offset to archive: every entry below it (in this generation) is archived.
     * @param walNext         the WAL's next offset when last looked at.
     * @param lagEntries      entries written but not yet archived.
     * @param lagMillis       how old the oldest entry not yet archived is (0 when caught up).
     * @param segments        segments uploaded since start.
     * @param bytes           bytes uploaded since start.
     * @param lastError       the last error (retried), or null.
     */
    public record Status(String generation, long archivedNext, long walNext, long lagEntries, long lagMillis,
                         long segments, long bytes, String lastError)
    {
    }

    /**
     * @param context    the settings (concluded here).
     * @param onArchived told the next offset to archive whenever a segment is uploaded (e.g. to move the retention
     *                   slot the shipper holds on its node), or null.
     */
    public Shipper(final ArchiveContext context, final LongConsumer onArchived)
    {
        this.context = context.conclude();
        this.store = context.store();
        this.log = context.log();
        this.onArchived = onArchived;
    }

    @Override
    public String roleName()
    {
        return "ferry-archive";
    }

    /**
     * @return what it has done so far.
     */
    public Status status()
    {
        return status;
    }

    /**
     * @return the generation it writes, or null before it opened.
     */
    public String generation()
    {
        return generation;
    }

    @Override
    public int doWork(final long nowNs)
    {
        if (nowNs < retryAtNs)
        {
            return 0;
        }
        try
        {
            final int work = cycle(nowNs);
            lastError = null;
            return work;
        }
        catch (final FerryException | IOException ex)
        {
            final FerryException error = ex instanceof FerryException f ? f :
                new FerryException(ErrorCode.STORAGE, "the archive " + store.uri() + " failed: " + ex.getMessage(), ex);
            if (lastError == null || !String.valueOf(lastError.getMessage()).equals(error.getMessage()))
            {
                log.log("archive: " + error.getMessage() + " (retried every second)");
            }
            lastError = error;
            publish(nowNs);
            retryAtNs = nowNs + RETRY_NS;
            return 0;
        }
    }

    private int cycle(final long nowNs) throws IOException
    {
        if (wal == null && !open())
        {
            return 0;
        }
        if (pending != null)
        {
            upload();
        }
        int work = 0;
        if (nowNs >= nextHistoryCheckNs)
        {
            nextHistoryCheckNs = nowNs + HISTORY_CHECK_NS;
            final String changed = historyChange();
            if (changed != null)
            {
                finishSegment();
                reopen(changed);
                return 1;
            }
        }
        try
        {
            final int read = cursor.poll(this::add, 4096);
            work += read;
            if (read == 0 && !full)
            {
                wal.refresh();
            }
        }
        catch (final WalException ex)
        {
            if (ex.code() != ErrorCode.RETENTION)
            {
                throw ex;
            }
            finishSegment();
            reopen("gap: retention removed offset " + segment.next() + " before it was archived");
            return 1;
        }
        catch (final FerryException ex)
        {
            if (ex.code() != ErrorCode.DIVERGED)
            {
                throw ex;
            }
            finishSegment(); // what followed is archived; the rest is another generation's
            reopen(ex.getMessage());
            return 1;
        }
        if (full || (segment.count() > 0 && nowNs - segmentOpenedNs >= context.segmentIntervalNs()))
        {
            finishSegment();
            work++;
        }
        final long nowMillis = context.clockMillis().getAsLong();
        if (nowMillis >= nextSnapshotAtMillis)
        {
            nextSnapshotAtMillis = nowMillis + context.snapshotIntervalMillis();
            work += shipSnapshot(false) ? 1 : 0;
        }
        if (nowMillis >= nextRetentionAtMillis)
        {
            nextRetentionAtMillis = nowMillis + context.retentionCheckMillis();
            work += Retention.apply(store, generation, nowMillis - context.retentionMillis(), log);
        }
        publish(nowNs);
        if (onArchived != null && archivedNext >= 0)
        {
            onArchived.accept(archivedNext); // a holder sends it when it moved, and as a heartbeat
        }
        return work;
    }

    private boolean add(final WalEntry entry)
    {
        if (segment.count() == 0)
        {
            segmentOpenedNs = System.nanoTime();
        }
        if (!segment.add(entry))
        {
            full = true;
            return false;
        }
        return true;
    }

    /** Upload the segment being built, if it holds anything, and begin the next. */
    private void finishSegment() throws IOException
    {
        full = false;
        if (segment.count() == 0)
        {
            return;
        }
        pendingKey = ArchiveLayout.segmentKey(generation, segment.first(), segment.last(),
            TimeUnit.NANOSECONDS.toMillis(segment.firstNs()), TimeUnit.NANOSECONDS.toMillis(segment.lastNs()));
        pending = segment.finish();
        final long next = segment.next();
        final int chain = segment.chainAfter();
        segment.begin(next, chain);
        upload();
    }

    private void upload() throws IOException
    {
        store.put(pendingKey, pending);
        segmentsShipped++;
        bytesShipped += pending.length;
        pending = null;
        archivedNext = segment.first();
        if (onArchived != null)
        {
            onArchived.accept(archivedNext);
        }
    }

    private long segmentsShipped;
    private long bytesShipped;
    private long archivedNext = -1;

    private void publish(final long nowNs)
    {
        final long walNext = wal == null ? -1 : wal.nextOffset();
        final long lagEntries = archivedNext < 0 || walNext < 0 ? 0 : Math.max(0, walNext - archivedNext);
        final long lagMillis = lagEntries == 0 ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(
            segment != null && segment.count() > 0 ? nowNs - segmentOpenedNs : 0));
        status = new Status(generation, archivedNext, walNext, lagEntries, lagMillis, segmentsShipped, bytesShipped,
            lastError == null ? null : lastError.getMessage());
    }

    /** @return why the WAL's history no longer matches the generation's, or null if it does. */
    private String historyChange()
    {
        final History now;
        try
        {
            now = History.load(context.walDirectory());
        }
        catch (final FerryException ex)
        {
            return null; // being replaced: looked at again next time
        }
        if (now == null)
        {
            return null;
        }
        if (!now.id().equals(history.id()))
        {
            return "another history " + now.id() + " (was " + history.id() + ")";
        }
        if (now.epoch() != history.epoch())
        {
            return "epoch " + now.epoch() + " began at offset " + now.current().startOffset();
        }
        if (!restoredId.equals(Restore.restoredId(context.walDirectory())))
        {
            return "restored WAL";
        }
        return null;
    }

    /**
     * Open the WAL and decide the generation: resume the newest, or begin one.
     *
     * @return false if the WAL has no history yet (its node has not started): tried again later.
     */
    private boolean open() throws IOException
    {
        final Path directory = context.walDirectory();
        if (!Files.isDirectory(directory))
        {
            throw new FerryException(ErrorCode.STORAGE, "no WAL directory " + directory);
        }
        history = History.load(directory);
        if (history == null)
        {
            retryAtNs = System.nanoTime() + RETRY_NS;
            return false;
        }
        restoredId = Restore.restoredId(directory);
        wal = Wal.open(new WalConfig().directory(directory).readOnly(true));
        wal.refresh();
        cursor = wal.cursor();
        if (segment == null)
        {
            segment = new SegmentFormat.Writer(context.codec(), wal.config().maxPayloadBytes(), context.segmentBytes());
        }
        if (store instanceof DirectoryStore directoryStore)
        {
            final int removed = directoryStore.removeTemporary();
            if (removed > 0)
            {
                log.log("archive: removed " + removed + " temporary file(s) an interrupted upload left");
            }
        }
        final String why = resume();
        if (why != null)
        {
            begin(why);
        }
        return true;
    }

    private void reopen(final String why) throws IOException
    {
        closeWal();
        history = History.load(context.walDirectory());
        restoredId = Restore.restoredId(context.walDirectory());
        wal = Wal.open(new WalConfig().directory(context.walDirectory()).readOnly(true));
        wal.refresh();
        cursor = wal.cursor();
        begin(why);
    }

    /** @return null if the newest generation was resumed, or why a new one must begin. */
    private String resume() throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        if (generations.isEmpty())
        {
            return "first";
        }
        final ArchiveLayout.Listing newest = generations.getLast();
        final GenerationMeta meta;
        try
        {
            meta = GenerationMeta.load(store, newest.name());
        }
        catch (final NoSuchFileException | FerryException ex)
        {
            return "the newest generation " + newest.name() + " has no readable meta";
        }
        if (!meta.history().id().equals(history.id()))
        {
            return "another history";
        }
        if (meta.history().epoch() != history.epoch())
        {
            return "epoch " + history.epoch() + " (the archive has " + meta.history().epoch() + ")";
        }
        if (!meta.restoredId().equals(restoredId))
        {
            return "restored WAL";
        }
        final long next;
        final int chain;
        if (newest.segments().isEmpty())
        {
            next = meta.startOffset();
            chain = meta.chainBefore();
        }
        else
        {
            final ArchiveLayout.Segment last = newest.segments().getLast();
            final byte[] object = SegmentFormat.load(store, last.key());
            final SegmentFormat.Header header = SegmentFormat.header(object, last.key());
            next = header.last() + 1;
            chain = header.chainAfter();
        }
        if (next < wal.oldestOffset() || next > wal.nextOffset())
        {
            return "gap: the archive ends at offset " + (next - 1) + ", the WAL holds " + wal.oldestOffset() + " to " +
                (wal.nextOffset() - 1);
        }
        if (wal.chainBefore(next) != Integer.toUnsignedLong(chain))
        {
            return "the WAL's entries up to offset " + (next - 1) + " differ from the archive's";
        }
        generation = newest.name();
        generationStart = meta.startOffset();
        for (final ArchiveLayout.Snapshot snapshot : newest.snapshots())
        {
            lastSnapshotOffset = Math.max(lastSnapshotOffset, snapshot.offset());
        }
        seek(next, chain);
        archivedNext = next;
        log.log("archive: resuming generation " + generation + " at offset " + next + " in " + store.uri());
        return null;
    }

    /** Begin a generation: its meta, its first snapshot (if the node has one), then segments from its start. */
    private void begin(final String why) throws IOException
    {
        final StateStore states = new StateStore(context.walDirectory());
        final long snapshot = newestReplayableSnapshot(states);
        // from the WAL's first entry when it holds every entry (a restore then equals the source from offset 0, and
        // its state replays from the snapshot); otherwise from the newest snapshot, which the state needs
        final long start = wal.oldestOffset() == 0 || snapshot < 0 ? wal.oldestOffset() : snapshot;
        final long chain = wal.chainBefore(start);
        if (chain < 0)
        {
            throw new FerryException(ErrorCode.STORAGE, "the WAL " + context.walDirectory() +
                " does not know its chain before offset " + start);
        }
        final long nowMillis = context.clockMillis().getAsLong();
        generation = ArchiveLayout.newGeneration(nowMillis);
        generationStart = start;
        lastSnapshotOffset = -1;
        store.put(ArchiveLayout.generationKey(generation),
            new GenerationMeta(history, start, (int)chain, nowMillis, why, restoredId).bytes());
        log.log("archive: generation " + generation + " begins at offset " + start + " (" + why + ") in " + store.uri());
        if (snapshot >= 0)
        {
            shipSnapshot(true);
        }
        seek(start, (int)chain);
        archivedNext = start;
        if (onArchived != null)
        {
            onArchived.accept(start);
        }
    }

    /**
     * The snapshot a new generation starts from: the newest at or below where the archive ended (so that the entries
     * after the previous generation's last are in the new one, as far as the node kept a snapshot before them), else
     * the newest the WAL can replay from.
     */
    private long newestReplayableSnapshot(final StateStore states)
    {
        Path chosen = archivedNext >= 0 ? states.newestAtOrBelow(Math.min(archivedNext, wal.nextOffset()),
            wal.oldestOffset()) : null;
        if (chosen == null)
        {
            chosen = states.newestAtOrBelow(wal.nextOffset(), wal.oldestOffset());
        }
        return chosen == null ? -1 : StateStore.offsetOf(chosen);
    }

    private void seek(final long next, final int chain)
    {
        final SeekResult result = cursor.seek(next);
        if (result == SeekResult.TOO_OLD)
        {
            throw new WalException(ErrorCode.RETENTION, "offset " + next + " was removed by retention");
        }
        segment.begin(next, chain);
        full = false;
    }

    /**
     * Upload the node's newest state snapshot if it is newer than the archive's newest in this generation.
     *
     * @param first whether it is the generation's first (it must be uploaded).
     * @return whether one was uploaded.
     */
    private boolean shipSnapshot(final boolean first) throws IOException
    {
        final StateStore states = new StateStore(context.walDirectory());
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final Path file = states.newestAtOrBelow(wal.nextOffset(), first ? generationStart : wal.oldestOffset());
            if (file == null)
            {
                return false;
            }
            final long offset = StateStore.offsetOf(file);
            if (offset <= lastSnapshotOffset || offset < generationStart)
            {
                return false;
            }
            final long chain = states.chainBefore(offset) >= 0 ? states.chainBefore(offset) : wal.chainBefore(offset);
            if (chain < 0)
            {
                return false;
            }
            final Path object = Files.createTempFile("ferry-archive-", ".snapshot");
            try
            {
                final long timeNs = timeOf(offset);
                SnapshotFormat.write(file, new SnapshotFormat.Header((int)chain, offset, timeNs, Files.size(file)),
                    object);
                store.put(ArchiveLayout.snapshotKey(generation, offset, TimeUnit.NANOSECONDS.toMillis(timeNs)), object);
                lastSnapshotOffset = offset;
                log.log("archive: snapshot at offset " + offset + " uploaded (" + Files.size(object) + " bytes)");
                return true;
            }
            catch (final NoSuchFileException removed)
            {
                // the node replaced it meanwhile: take its newer one
            }
            finally
            {
                Files.deleteIfExists(object);
            }
        }
        return false;
    }

    /** The time a snapshot at {@code offset} stands at: its last entry's, or (not retained) its next entry's. */
    private long timeOf(final long offset)
    {
        try (WalCursor reader = wal.cursor())
        {
            final long[] time = {-1};
            for (final long at : new long[] {offset - 1, offset})
            {
                if (at >= 0 && reader.seek(at) == SeekResult.FOUND && reader.poll(e ->
                {
                    time[0] = e.timestampNs();
                    return true;
                }, 1) == 1)
                {
                    return time[0];
                }
            }
        }
        return TimeUnit.MILLISECONDS.toNanos(context.clockMillis().getAsLong());
    }

    /**
     * Upload what is built and stop: what a clean stop does, so nothing written before it is left unarchived.
     *
     * @throws IOException if the upload fails.
     */
    public void flush() throws IOException
    {
        if (wal == null)
        {
            return;
        }
        if (pending != null)
        {
            upload();
        }
        wal.refresh();
        while (true)
        {
            final int read = cursor.poll(this::add, 4096);
            if (full)
            {
                finishSegment();
            }
            else if (read == 0)
            {
                break;
            }
        }
        finishSegment();
        publish(System.nanoTime());
    }

    private void closeWal()
    {
        if (cursor != null)
        {
            cursor.close();
            cursor = null;
        }
        if (wal != null)
        {
            wal.close();
            wal = null;
        }
    }

    @Override
    public void close()
    {
        closeWal();
        if (segment != null)
        {
            segment.close();
            segment = null;
        }
    }
}
