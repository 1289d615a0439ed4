package dev.ferry.engine.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How an archive's objects are named, so that {@code archive ls} and restore find what they need from a listing
 * alone, never reading every object (Litestream's layout, with the offset and time ranges in the names):
 * <pre>
 *   generations/&lt;generation&gt;/generation                          what the generation is a copy of (written first)
 *   generations/&lt;generation&gt;/snapshots/&lt;offset&gt;-&lt;ms&gt;.snapshot      the state consistent at offset (every entry below it)
 *   generations/&lt;generation&gt;/segments/&lt;first&gt;-&lt;last&gt;-&lt;ms&gt;-&lt;ms&gt;.segment   entries first..last, their time range
 * </pre>
 * A generation is {@code <creation time in ms, 13 digits>-<8 random hex digits>}, so that key order is creation order.
 * Offsets are 20 digits, times 13 (milliseconds since the epoch), zero-padded, so that key order is offset order. A
 * snapshot's time is the timestamp of the last entry it holds (0 for none). A new generation begins whenever
 * continuity with the previous one breaks: another history, an epoch change, a gap, a restore.
 */
public final class ArchiveLayout
{
    /** The prefix of every generation's objects. */
    public static final String GENERATIONS = "generations/";
    static final String GENERATION_FILE = "generation";
    static final String SNAPSHOTS = "snapshots/";
    static final String SEGMENTS = "segments/";
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String SEGMENT_SUFFIX = ".segment";

    private ArchiveLayout()
    {
    }

    /**
     * @param nowMillis the creation time.
     * @return a new generation's name.
     */
    static String newGeneration(final long nowMillis)
    {
        return String.format(Locale.ROOT, "%013d-%08x", nowMillis, ThreadLocalRandom.current().nextInt());
    }

    /**
     * @param name a generation's name.
     * @return whether it is one.
     */
    static boolean isGeneration(final String name)
    {
        return name.matches("[0-9]{13}-[0-9a-f]{8}");
    }

    static String generationKey(final String generation)
    {
        return GENERATIONS + generation + "/" + GENERATION_FILE;
    }

    static String snapshotKey(final String generation, final long offset, final long timeMillis)
    {
        return String.format(Locale.ROOT, "%s%s/%s%020d-%013d%s", GENERATIONS, generation, SNAPSHOTS, offset,
            Math.max(0, timeMillis), SNAPSHOT_SUFFIX);
    }

    static String segmentKey(final String generation, final long first, final long last, final long firstMillis,
        final long lastMillis)
    {
        return String.format(Locale.ROOT, "%s%s/%s%020d-%020d-%013d-%013d%s", GENERATIONS, generation, SEGMENTS, first,
            last, Math.max(0, firstMillis), Math.max(0, lastMillis), SEGMENT_SUFFIX);
    }

    /**
     * A snapshot, from its key.
     *
     * @param key        its key.
     * @param generation its generation.
     * @param offset     the offset it stands at: it holds every entry below.
     * @param timeMillis the timestamp of the last entry it holds, 0 if none.
     * @param size       its size in bytes.
     */
    public record Snapshot(String key, String generation, long offset, long timeMillis, long size)
    {
    }

    /**
     * A segment, from its key.
     *
     * @param key         its key.
     * @param generation  its generation.
     * @param first       its first offset.
     * @param last        its last offset.
     * @param firstMillis its first entry's timestamp.
     * @param lastMillis  its last entry's timestamp.
     * @param size        its size in bytes.
     */
    public record Segment(String key, String generation, long first, long last, long firstMillis, long lastMillis,
                          long size)
    {
        /**
         * @return how many entries it holds.
         */
        public long count()
        {
            return last - first + 1;
        }
    }

    /**
     * What a listing of one generation shows.
     *
     * @param name      the generation's name.
     * @param snapshots its snapshots in offset order.
     * @param segments  its segments in offset order.
     * @param hasMeta   whether its {@value #GENERATION_FILE} object is there.
     */
    public record Listing(String name, List<Snapshot> snapshots, List<Segment> segments, boolean hasMeta)
    {
        /**
         * @return the last offset its segments hold, or -1.
         */
        public long lastOffset()
        {
            return segments.isEmpty() ? -1 : segments.getLast().last();
        }

        /**
         * @return the newest time any of its objects stands at, in milliseconds.
         */
        public long lastMillis()
        {
            long last = 0;
            for (final Segment segment : segments)
            {
                last = Math.max(last, segment.lastMillis());
            }
            for (final Snapshot snapshot : snapshots)
            {
                last = Math.max(last, snapshot.timeMillis());
            }
            return last;
        }

        /**
         * @return the bytes its objects take.
         */
        public long bytes()
        {
            long bytes = 0;
            for (final Segment segment : segments)
            {
                bytes += segment.size();
            }
            for (final Snapshot snapshot : snapshots)
            {
                bytes += snapshot.size();
            }
            return bytes;
        }
    }

    /**
     * Group a listing of {@value #GENERATIONS} by generation. Keys that are not the layout's are ignored.
     *
     * @param objects the objects under {@value #GENERATIONS}, in key order.
     * @return the generations, oldest first.
     */
    static List<Listing> parse(final List<ArchiveStore.ObjectInfo> objects)
    {
        final List<Listing> generations = new ArrayList<>();
        String current = null;
        List<Snapshot> snapshots = null;
        List<Segment> segments = null;
        boolean meta = false;
        for (final ArchiveStore.ObjectInfo object : objects)
        {
            final String key = object.key();
            if (!key.startsWith(GENERATIONS))
            {
                continue;
            }
            final String rest = key.substring(GENERATIONS.length());
            final int slash = rest.indexOf('/');
            if (slash < 0 || !isGeneration(rest.substring(0, slash)))
            {
                continue;
            }
            final String generation = rest.substring(0, slash);
            if (!generation.equals(current))
            {
                if (current != null)
                {
                    generations.add(new Listing(current, snapshots, segments, meta));
                }
                current = generation;
                snapshots = new ArrayList<>();
                segments = new ArrayList<>();
                meta = false;
            }
            final String name = rest.substring(slash + 1);
            if (name.equals(GENERATION_FILE))
            {
                meta = true;
            }
            else if (name.startsWith(SNAPSHOTS) && name.endsWith(SNAPSHOT_SUFFIX))
            {
                final long[] parts = numbers(name.substring(SNAPSHOTS.length(), name.length() - SNAPSHOT_SUFFIX.length()), 2);
                if (parts != null)
                {
                    snapshots.add(new Snapshot(key, generation, parts[0], parts[1], object.size()));
                }
            }
            else if (name.startsWith(SEGMENTS) && name.endsWith(SEGMENT_SUFFIX))
            {
                final long[] parts = numbers(name.substring(SEGMENTS.length(), name.length() - SEGMENT_SUFFIX.length()), 4);
                if (parts != null && parts[1] >= parts[0])
                {
                    segments.add(new Segment(key, generation, parts[0], parts[1], parts[2], parts[3], object.size()));
                }
            }
        }
        if (current != null)
        {
            generations.add(new Listing(current, snapshots, segments, meta));
        }
        return generations;
    }

    private static long[] numbers(final String name, final int count)
    {
        final String[] parts = name.split("-");
        if (parts.length != count)
        {
            return null;
        }
        final long[] numbers = new long[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                numbers[i] = Long.parseLong(parts[i]);
                if (numbers[i] < 0)
                {
                    return null;
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
        return numbers;
    }
}
