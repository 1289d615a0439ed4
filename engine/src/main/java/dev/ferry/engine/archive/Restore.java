package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.follow.WalAside;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.AtomicFile;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Rebuild a WAL, and the state snapshot its node loads, from an archive at exactly one point: an offset, a time (the
 * last entry written at or before it), or the newest point (PostgreSQL's {@code recovery_target_lsn} and
 * {@code recovery_target_time}, both inclusive; Litestream's restore).
 * <p>
 * The restored WAL holds the generation's entries from its oldest archived segment to the point, at their offsets,
 * timestamps and chained checksums, so {@code ferry checksum} over a range gives the source's digest; beside it, the
 * newest archived state snapshot within that range, so a node started on it loads the state and replays only the
 * entries after it. Its history is the generation's, cut at the point, and it is marked restored
 * ({@value #MARKER}), so a shipper on it begins a new generation.
 * <p>
 * <b>Failure modes.</b> A segment is checked whole (checksum, then every entry's) before any of its entries is
 * written: a damaged or missing one stops the restore at the last good point before it, never after, with an error
 * naming it. An object removed by the archive's retention while it is read makes the restore plan again from a fresh
 * listing (the WAL written so far is discarded): it never mixes two points.
 */
public final class Restore
{
    /** The file a restore leaves in the WAL directory. */
    public static final String MARKER = "ferry-restored.properties";
    private static final int ATTEMPTS = 5;

    private Restore()
    {
    }

    /**
     * The point to restore to: at most one of the offset and the time.
     *
     * @param toOffset   the last offset restored (inclusive), or null.
     * @param toTimeNs   entries up to the last whose timestamp is at or before it (ns since the epoch), or null.
     * @param generation the generation, or null for the newest that holds the point.
     */
    public record Target(Long toOffset, Long toTimeNs, String generation)
    {
        /** The newest point of the newest generation. */
        public static final Target NEWEST = new Target(null, null, null);
    }

    /**
     * What was restored.
     *
     * @param generation     the generation.
     * @param first          the restored WAL's first offset.
     * @param last           its last offset (first - 1 if it holds none).
     * @param snapshotOffset the state snapshot's offset, or -1 if none was restored.
     * @param lastTimeNs     the last entry's timestamp, or 0.
     * @param segments       segments read.
     */
    public record Result(String generation, long first, long last, long snapshotOffset, long lastTimeNs, int segments)
    {
    }

    /**
     * @param store  the archive.
     * @param wal    the WAL directory to create: missing or empty.
     * @param target the point.
     * @param log    told of progress.
     * @return what was restored.
     * @throws FerryException CONFIGURATION (no such point, a non-empty directory), RETENTION (the point is older than the
     *                        archive keeps), CHECKSUM (a damaged or missing segment: the WAL then holds the entries up
     *                        to the last good point before it, and the message says which).
     */
    public static Result run(final ArchiveStore store, final Path wal, final Target target, final EventLog log)
    {
        if (target.toOffset() != null && target.toTimeNs() != null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "restore to an offset or to a time, not both");
        }
        checkEmpty(wal);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return attempt(store, wal, target, log);
            }
            catch (final NoSuchFileException gone)
            {
                if (attempt == ATTEMPTS)
                {
                    throw new FerryException(ErrorCode.STORAGE, "the archive's objects kept disappearing while they were " +
                        "read (" + gone.getMessage() + "): is its retention removing the point asked for?", gone);
                }
                log.log("restore: " + gone.getMessage() + " was removed while it was read (the archive's retention); " +
                    "planning again");
                wipe(wal);
            }
            catch (final IOException ex)
            {
                throw new FerryException(ErrorCode.STORAGE, "restore from " + store.uri() + " failed: " + ex.getMessage(),
                    ex);
            }
        }
    }

    private static Result attempt(final ArchiveStore store, final Path directory, final Target target,
        final EventLog log) throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        final ArchiveLayout.Listing generation = choose(generations, target, store.uri());
        final GenerationMeta meta = GenerationMeta.load(store, generation.name());
        final long limitOffset = target.toOffset() != null ? target.toOffset() : Long.MAX_VALUE;
        final long limitNs = target.toTimeNs() != null ? target.toTimeNs() : Long.MAX_VALUE;

        // the entries: the generation's segments from its oldest, while they follow each other; with none (retention
        // removed those before its newest snapshot, on a node idle since, or none was shipped yet), the point is the
        // newest snapshot at or before the target
        final List<ArchiveLayout.Segment> segments = generation.segments();
        final long first = segments.isEmpty() ? snapshotOnly(generation, meta, limitOffset) :
            segments.getFirst().first();
        if (target.toOffset() != null && target.toOffset() < first - 1)
        {
            throw new FerryException(ErrorCode.RETENTION, "offset " + target.toOffset() + " is older than generation " +
                generation.name() + " of " + store.uri() + " keeps: it holds offsets from " + first);
        }
        int chainBefore = meta.chainBefore();
        if (!segments.isEmpty())
        {
            try
            {
                chainBefore = SegmentFormat.header(read(store, segments.getFirst().key()), segments.getFirst().key())
                    .chainBefore();
            }
            catch (final FerryException ex)
            {
                throw new FerryException(ErrorCode.CHECKSUM, "nothing restored: the first segment of generation " +
                    generation.name() + " is damaged: " + ex.getMessage(), ex);
            }
        }
        Files.createDirectories(directory);
        final long[] last = {first - 1};
        final long[] lastNs = {0};
        final boolean[] reached = {false};
        FerryException damaged = null;
        int read = 0;
        try (Wal wal = segments.isEmpty() ? null : // no entries: no WAL files (a node opens one at the snapshot)
            Wal.open(new WalConfig().directory(directory).firstOffset(first).firstChain(chainBefore));
            BatchDecoder decoder = new BatchDecoder(FrameHeader.MAX_FRAME_BYTES_MAX);
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment scratch = arena.allocate(BatchDecoder.scratchLength(FrameHeader.MAX_FRAME_BYTES_MAX));
            for (final ArchiveLayout.Segment segment : segments)
            {
                if (reached[0] || last[0] >= limitOffset)
                {
                    break;
                }
                if (segment.first() != last[0] + 1)
                {
                    damaged = new FerryException(ErrorCode.CHECKSUM, "the archive has no segment for offset " +
                        (last[0] + 1) + " in generation " + generation.name() + " (the next starts at " + segment.first() +
                        ")");
                    break;
                }
                try
                {
                    final byte[] object = read(store, segment.key()); // an object too large is damage too
                    SegmentFormat.header(object, segment.key()); // whole before any entry is written
                    SegmentFormat.read(object, segment.key(), decoder, scratch, (offset, timestampNs, crc, memory, at,
                        length) ->
                    {
                        if (offset > limitOffset || timestampNs > limitNs)
                        {
                            reached[0] = true;
                            return false;
                        }
                        wal.appendAt(offset, timestampNs, crc, memory, at, length);
                        last[0] = offset;
                        lastNs[0] = timestampNs;
                        return true;
                    });
                    read++;
                }
                catch (final FerryException ex)
                {
                    damaged = ex;
                    break;
                }
            }
            if (wal != null)
            {
                wal.sync();
            }
        }
        catch (final IOException ex)
        {
            if (ex instanceof NoSuchFileException)
            {
                throw ex; // retention: planned again
            }
            wipe(directory); // no partial WAL without its history and marker
            throw ex;
        }
        if (damaged == null && target.toOffset() != null && last[0] < target.toOffset())
        {
            wipe(directory);
            throw new FerryException(ErrorCode.CONFIGURATION, "offset " + target.toOffset() + " is not in generation " +
                generation.name() + " of " + store.uri() + ": it holds offsets " + first + " to " + last[0] +
                " (ferry archive ls lists them)");
        }
        long snapshot = -1;
        try
        {
            snapshot = restoreSnapshot(store, generation, first, last[0] + 1, directory, log);
        }
        catch (final FerryException ex)
        {
            damaged = damaged != null ? damaged : ex; // the WAL is kept, with its history and marker; the error says
        }
        meta.history().truncatedTo(last[0] + 1).save(directory);
        writeMarker(directory, store.uri(), generation.name(), last[0]);
        final Result result = new Result(generation.name(), first, last[0], snapshot, lastNs[0], read);
        if (damaged != null)
        {
            throw new FerryException(ErrorCode.CHECKSUM, "restore stopped at offset " + last[0] + ", the last good point" +
                " before a damaged or missing part of the archive; " + directory + " holds offsets " + first + " to " +
                last[0] + ": " + damaged.getMessage(), damaged);
        }
        if (snapshot < 0 && first > 0)
        {
            log.log("restore: no state snapshot covers offset " + first + ": the WAL starts there with no state " +
                "(enough for a log without a state machine)");
        }
        return result;
    }

    /**
     * The newest snapshot in [first, next] that is whole, written beside the WAL as its node's state snapshot; a damaged
     * one is reported and the one before it tried.
     *
     * @return its offset, or -1 if none is in range.
     * @throws FerryException CHECKSUM if every one in range is damaged (the last error).
     */
    private static long restoreSnapshot(final ArchiveStore store, final ArchiveLayout.Listing generation,
        final long first, final long next, final Path directory, final EventLog log) throws IOException
    {
        FerryException damaged = null;
        for (final ArchiveLayout.Snapshot candidate : generation.snapshots().reversed())
        {
            if (candidate.offset() < first || candidate.offset() > next || candidate.offset() == 0)
            {
                continue;
            }
            try
            {
                return restoreSnapshot(store, candidate, directory);
            }
            catch (final FerryException ex)
            {
                log.log("restore: " + ex.getMessage() + "; trying an older snapshot");
                damaged = ex;
            }
        }
        if (damaged != null)
        {
            throw damaged;
        }
        return -1;
    }

    private static long restoreSnapshot(final ArchiveStore store, final ArchiveLayout.Snapshot chosen,
        final Path directory) throws IOException
    {
        final StateStore states = new StateStore(directory);
        Files.createDirectories(states.directory());
        final Path object = Files.createTempFile(states.directory(), "archive-", ".download");
        final Path state = states.directory().resolve("archive-" + chosen.offset() + ".incoming");
        try
        {
            SnapshotFormat.download(store.get(chosen.key()), object);
            final SnapshotFormat.Header header = SnapshotFormat.read(object, chosen.key(), state);
            if (header.offset() != chosen.offset())
            {
                throw new FerryException(ErrorCode.CHECKSUM, "archive snapshot " + chosen.key() + " says offset " +
                    header.offset());
            }
            states.chain(header.offset(), Integer.toUnsignedLong(header.chainBefore()));
            Files.move(state, states.file(header.offset()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return header.offset();
        }
        finally
        {
            Files.deleteIfExists(object);
            Files.deleteIfExists(state);
        }
    }

    /** Where a generation without segments restores from: its newest snapshot at or before the target, else its start. */
    private static long snapshotOnly(final ArchiveLayout.Listing generation, final GenerationMeta meta,
        final long limitOffset)
    {
        long first = meta.startOffset();
        for (final ArchiveLayout.Snapshot snapshot : generation.snapshots())
        {
            if (snapshot.offset() <= saturatedNext(limitOffset) && snapshot.offset() > first)
            {
                first = snapshot.offset();
            }
        }
        return first;
    }

    private static long saturatedNext(final long offset)
    {
        return offset == Long.MAX_VALUE ? Long.MAX_VALUE : offset + 1;
    }

    private static ArchiveLayout.Listing choose(final List<ArchiveLayout.Listing> generations, final Target target,
        final String uri)
    {
        if (generations.isEmpty())
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "the archive " + uri + " holds no generation");
        }
        if (target.generation() != null)
        {
            for (final ArchiveLayout.Listing generation : generations)
            {
                if (generation.name().equals(target.generation()))
                {
                    return generation;
                }
            }
            throw new FerryException(ErrorCode.CONFIGURATION, "the archive " + uri + " has no generation " +
                target.generation() + " (ferry archive ls lists them)");
        }
        for (final ArchiveLayout.Listing generation : generations.reversed())
        {
            if (!generation.hasMeta())
            {
                continue;
            }
            final List<ArchiveLayout.Segment> segments = generation.segments();
            if (target.toOffset() != null)
            {
                if (!segments.isEmpty() && segments.getFirst().first() <= saturatedNext(target.toOffset()) &&
                    generation.lastOffset() >= target.toOffset())
                {
                    return generation;
                }
            }
            else if (target.toTimeNs() != null)
            {
                if (!segments.isEmpty() && segments.getFirst().firstMillis() * 1_000_000L <= target.toTimeNs())
                {
                    return generation;
                }
            }
            else if (!segments.isEmpty() || !generation.snapshots().isEmpty())
            {
                return generation;
            }
        }
        for (final ArchiveLayout.Listing generation : generations)
        {
            if (target.toOffset() != null && !generation.segments().isEmpty() &&
                generation.segments().getFirst().first() > saturatedNext(target.toOffset()))
            {
                throw new FerryException(ErrorCode.RETENTION, "offset " + target.toOffset() + " is older than " + uri +
                    " keeps: generation " + generation.name() + " holds offsets from " +
                    generation.segments().getFirst().first() + " (ferry archive ls lists them)");
            }
        }
        throw new FerryException(ErrorCode.CONFIGURATION, "no generation of " + uri + " holds " +
            (target.toOffset() != null ? "offset " + target.toOffset() : target.toTimeNs() != null ?
                "a point at or before " + java.time.Instant.ofEpochSecond(0, target.toTimeNs()) : "any entry") +
            " (ferry archive ls lists them)");
    }

    private static byte[] read(final ArchiveStore store, final String key) throws IOException
    {
        return SegmentFormat.load(store, key);
    }

    private static void checkEmpty(final Path wal)
    {
        if (Files.exists(wal) && !Files.isDirectory(wal))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, wal + " is not a directory");
        }
        if (!isFresh(wal))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "restore writes a new WAL, but " + wal +
                " is not empty: name a new directory");
        }
    }

    /**
     * @param wal a WAL directory.
     * @return whether it holds no WAL: missing, empty, or only what a move aside leaves (its {@code aside} directory
     *         and an empty {@code state} directory, and the running node's address file).
     * @throws FerryException STORAGE if it cannot be read.
     */
    public static boolean isFresh(final Path wal)
    {
        if (!Files.isDirectory(wal))
        {
            return !Files.exists(wal);
        }
        try (Stream<Path> files = Files.list(wal))
        {
            for (final Path file : files.toList())
            {
                final String name = file.getFileName().toString();
                if (name.equals(WalAside.ASIDE) || name.equals(dev.ferry.engine.NodeAddress.FILE))
                {
                    continue;
                }
                if (name.equals(StateStore.DIRECTORY) && Files.isDirectory(file))
                {
                    try (Stream<Path> states = Files.list(file))
                    {
                        if (states.findAny().isEmpty())
                        {
                            continue;
                        }
                    }
                }
                return false;
            }
            return true;
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read " + wal + ": " + ex.getMessage(), ex);
        }
    }

    /** Remove what an attempt wrote (the directory was empty before it, but for what was moved aside). */
    private static void wipe(final Path wal)
    {
        if (!Files.isDirectory(wal))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(wal))
        {
            final List<Path> all = new ArrayList<>(files.toList());
            all.sort(Comparator.reverseOrder());
            for (final Path file : all)
            {
                if (!file.equals(wal) && !file.startsWith(wal.resolve(WalAside.ASIDE)) &&
                    !file.equals(wal.resolve(dev.ferry.engine.NodeAddress.FILE)))
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot clear " + wal + " to restore again: " + ex.getMessage(), ex);
        }
    }

    private static void writeMarker(final Path directory, final String uri, final String generation, final long last)
    {
        final String text = "# written by ferry restore: a shipper on this WAL begins a new generation\n" +
            "restoredId=" + UUID.randomUUID() + "\n" +
            "from=" + uri.replace("\\", "\\\\") + "\n" +
            "generation=" + generation + "\n" +
            "lastOffset=" + last + "\n" +
            "restoredAtMillis=" + System.currentTimeMillis() + "\n";
        AtomicFile.write(directory.resolve(MARKER), text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param walDirectory a WAL directory.
     * @return the id of the restore it came from, or "" if it was not restored.
     */
    public static String restoredId(final Path walDirectory)
    {
        final Path marker = walDirectory.resolve(MARKER);
        try
        {
            final Properties props = new Properties();
            props.load(new StringReader(Files.readString(marker, StandardCharsets.UTF_8)));
            return props.getProperty("restoredId", "");
        }
        catch (final NoSuchFileException ex)
        {
            return "";
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read " + marker + ": " + ex.getMessage(), ex);
        }
    }
}
