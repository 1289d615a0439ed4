package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.agent.Agent;
import dev.ferry.engine.follow.WalAside;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.StateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.FrameHeader;

import java.io.IOException;
import java.io.StringReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A standby that follows an archive instead of a primary (PostgreSQL's log-shipping standby): it restores the newest
 * point once, then keeps appending the segments shipped after it, at their offsets, and applies them to its state. When
 * the archive moves to a new generation of the same history whose entries continue (or repeat, byte for byte) what it
 * holds, it follows that one; when continuity breaks (another history, entries that differ, a gap that retention left)
 * it moves its WAL aside, never deleting it, and restores the newest point again.
 * <p>
 * An agent: each duty cycle applies what was appended, and every poll interval lists the archive for new segments.
 * Single-threaded; the figures may be read from any thread.
 */
public final class ArchiveFollower implements Agent
{
    private final ArchiveStore store;
    private final WalConfig walConfig;
    private final Supplier<StateMachine> stateMachines;
    private final long snapshotEveryEntries;
    private final long pollIntervalNs;
    private final EventLog log;

    private Wal wal;
    private Applier applier;
    private String generation;
    private History history;
    private long nextPollNs;
    private String lastProblem;
    private BatchDecoder decoder;
    private Arena arena;
    private MemorySegment scratch;
    private volatile long nextOffset = -1;
    private volatile long appliedOffset = -1;
    private volatile long segmentsApplied;
    private volatile long resyncs;

    /**
     * @param store                the archive.
     * @param walConfig            this standby's WAL settings.
     * @param stateMachines        makes an empty state machine, or null for none.
     * @param snapshotEveryEntries save a state snapshot after this many entries applied.
     * @param pollIntervalNs       how often the archive is listed.
     * @param log                  told of what happens.
     */
    public ArchiveFollower(final ArchiveStore store, final WalConfig walConfig, final Supplier<StateMachine> stateMachines,
        final long snapshotEveryEntries, final long pollIntervalNs, final EventLog log)
    {
        this.store = store;
        this.walConfig = walConfig;
        this.stateMachines = stateMachines;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.pollIntervalNs = pollIntervalNs;
        this.log = log;
    }

    @Override
    public String roleName()
    {
        return "ferry-archive-standby";
    }

    /**
     * @return the next offset its WAL takes, or -1 before it restored.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * @return the next offset to apply, or -1.
     */
    public long appliedOffset()
    {
        return appliedOffset;
    }

    /**
     * @return the generation it follows, or null.
     */
    public String generation()
    {
        return generation;
    }

    /**
     * @return segments appended since start.
     */
    public long segmentsApplied()
    {
        return segmentsApplied;
    }

    /**
     * @return how many times it restored afresh because continuity broke.
     */
    public long resyncs()
    {
        return resyncs;
    }

    @Override
    public int doWork(final long nowNs)
    {
        int work = 0;
        try
        {
            if (nowNs >= nextPollNs)
            {
                nextPollNs = nowNs + pollIntervalNs;
                work += wal == null ? (open() ? 1 : 0) : poll();
                lastProblem = null;
            }
            if (applier != null)
            {
                work += applier.doWork(nowNs);
                appliedOffset = applier.appliedOffset();
            }
        }
        catch (final IOException | FerryException ex)
        {
            final String problem = ex.getMessage();
            if (!problem.equals(lastProblem))
            {
                log.log("archive standby: " + problem + " (tried again every " +
                    TimeUnit.NANOSECONDS.toMillis(pollIntervalNs) + " ms)");
            }
            lastProblem = problem;
        }
        return work;
    }

    /** Restore the newest point into an empty WAL directory, or open the WAL there; then follow. */
    private boolean open() throws IOException
    {
        final Path directory = walConfig.directory();
        if (Restore.isFresh(directory))
        {
            if (ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS)).isEmpty())
            {
                throw new FerryException(ErrorCode.CONFIGURATION, "the archive " + store.uri() + " holds nothing yet");
            }
            final Restore.Result restored = Restore.run(store, directory, Restore.Target.NEWEST, log);
            log.log("archive standby: restored generation " + restored.generation() + " up to offset " + restored.last() +
                " from " + store.uri());
        }
        generation = markerGeneration(directory);
        history = History.load(directory);
        wal = Wal.open(StateStore.startingAtSnapshot(walConfig, stateMachines != null));
        applier = stateMachines == null ? null : Applier.open(wal, stateMachines.get(), snapshotEveryEntries, log);
        decoder = new BatchDecoder(FrameHeader.MAX_FRAME_BYTES_MAX);
        arena = Arena.ofShared();
        scratch = arena.allocate(BatchDecoder.scratchLength(FrameHeader.MAX_FRAME_BYTES_MAX));
        nextOffset = wal.nextOffset();
        return true;
    }

    /** Append the segments shipped since the last poll, in this generation or a continuing one. */
    private int poll() throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        int work = 0;
        ArchiveLayout.Listing current = null;
        for (final ArchiveLayout.Listing g : generations)
        {
            if (g.name().equals(generation))
            {
                current = g;
            }
        }
        if (current != null)
        {
            work += append(current);
        }
        if (generations.isEmpty() || generations.getLast().name().equals(generation) ||
            !generations.getLast().hasMeta())
        {
            return work;
        }
        // a newer generation: follow it if it continues this WAL, otherwise start over from its newest point
        final ArchiveLayout.Listing newer = generations.getLast();
        final GenerationMeta meta = GenerationMeta.load(store, newer.name());
        final String broken = continues(newer, meta);
        if (broken == null)
        {
            log.log("archive standby: following generation " + newer.name() + " (" + meta.reason() + ")");
            generation = newer.name();
            if (!meta.history().equals(history))
            {
                history = meta.history();
                history.save(walConfig.directory());
            }
            return work + 1 + append(newer);
        }
        if (newer.segments().isEmpty() && newer.snapshots().isEmpty())
        {
            return work; // nothing to restore from yet
        }
        log.log("archive standby: generation " + newer.name() + " does not continue this WAL (" + broken +
            "): moving it aside and restoring the newest point");
        resync();
        return work + 1;
    }

    /** @return null if the generation's entries continue this WAL (same history, a segment covering its next offset). */
    private String continues(final ArchiveLayout.Listing newer, final GenerationMeta meta)
    {
        if (history == null || !meta.history().id().equals(history.id()))
        {
            return "another history";
        }
        final long next = wal.nextOffset();
        for (final ArchiveLayout.Segment segment : newer.segments())
        {
            if (segment.first() <= next && segment.last() >= next - 1 && segment.first() >= wal.oldestOffset())
            {
                return null; // the entries before next are checked equal as they are appended again
            }
        }
        return newer.segments().isEmpty() ? "no segment yet" : "no segment covering offset " + next;
    }

    private int append(final ArchiveLayout.Listing listing) throws IOException
    {
        int appended = 0;
        for (final ArchiveLayout.Segment segment : listing.segments())
        {
            final long next = wal.nextOffset();
            if (segment.last() < next)
            {
                continue;
            }
            if (segment.first() > next)
            {
                log.log("archive standby: the archive has no segment for offset " + next + " (the next starts at " +
                    segment.first() + "): restoring the newest point");
                resync();
                return appended + 1;
            }
            final byte[] object;
            try
            {
                object = SegmentFormat.load(store, segment.key());
            }
            catch (final NoSuchFileException gone)
            {
                return appended; // removed by retention meanwhile: the next poll sees the listing as it is now
            }
            final SegmentFormat.Header header = SegmentFormat.header(object, segment.key());
            if (segment.first() >= wal.oldestOffset() &&
                wal.chainBefore(segment.first()) != Integer.toUnsignedLong(header.chainBefore()))
            {
                // its entries follow other entries than this WAL holds before it (another epoch's suffix): never
                // appended onto them
                log.log("archive standby: segment " + segment.key() + " follows other entries than this WAL holds " +
                    "before offset " + segment.first() + ": restoring the newest point");
                resync();
                return appended + 1;
            }
            try
            {
                SegmentFormat.read(object, segment.key(), decoder, scratch, (offset, timestampNs, crc, memory, at, length) ->
                {
                    if (offset >= wal.oldestOffset())
                    {
                        wal.appendAt(offset, timestampNs, crc, memory, at, length); // one already held is checked equal
                    }
                    return true;
                });
            }
            catch (final FerryException ex)
            {
                if (ex.code() == ErrorCode.DIVERGED)
                {
                    log.log("archive standby: " + ex.getMessage() + ": restoring the newest point");
                    resync();
                    return appended + 1;
                }
                throw ex;
            }
            wal.flush();
            nextOffset = wal.nextOffset();
            segmentsApplied++;
            appended++;
        }
        return appended;
    }

    private void resync() throws IOException
    {
        closeNode();
        WalAside.moveAside(walConfig.directory(), history);
        // moved aside but for the state directory, emptied: gone too, so that the newest point is restored here
        Files.deleteIfExists(walConfig.directory().resolve(StateStore.DIRECTORY));
        resyncs++;
        generation = null;
        wal = null;
        open();
    }

    private static String markerGeneration(final Path directory) throws IOException
    {
        final Path marker = directory.resolve(Restore.MARKER);
        if (!Files.exists(marker))
        {
            return null;
        }
        final Properties props = new Properties();
        props.load(new StringReader(Files.readString(marker, StandardCharsets.UTF_8)));
        return props.getProperty("generation");
    }

    private void closeNode()
    {
        if (applier != null)
        {
            applier.close();
            applier = null;
        }
        if (wal != null)
        {
            wal.close();
        }
        if (decoder != null)
        {
            decoder.close();
            decoder = null;
        }
        if (arena != null)
        {
            arena.close();
            arena = null;
        }
    }

    /**
     * @return the WAL, or null before it opened.
     */
    public Wal wal()
    {
        return wal;
    }

    @Override
    public void close()
    {
        closeNode();
    }
}
