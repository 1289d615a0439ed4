package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;

import java.io.IOException;
import java.util.List;

/**
 * The archive's retention: every point newer than the cutoff stays restorable, and nothing the newest restorable point
 * needs is ever removed. In the generation being written, the newest snapshot at or before the cutoff is the oldest
 * one kept (a point after the cutoff restores from it or a newer one), and only the snapshots and segments before it
 * go. An older generation goes whole once all of it is older than the cutoff, and only once the generation being
 * written holds something restorable. Objects go oldest first and a generation's meta last, so a restore racing a
 * retention meets a missing object (and plans again), never a mixed point.
 */
final class Retention
{
    private Retention()
    {
    }

    /**
     * @param store        the archive.
     * @param current      the generation being written (never removed), or null.
     * @param cutoffMillis points older than this need not stay restorable.
     * @param log          told what was removed.
     * @return how many objects were removed.
     * @throws IOException if the archive cannot be listed or an object cannot be removed.
     */
    static int apply(final ArchiveStore store, final String current, final long cutoffMillis, final EventLog log)
        throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        int removed = 0;
        ArchiveLayout.Listing writing = null;
        for (final ArchiveLayout.Listing generation : generations)
        {
            if (generation.name().equals(current))
            {
                writing = generation;
            }
        }
        if (writing != null)
        {
            ArchiveLayout.Snapshot base = null;
            for (final ArchiveLayout.Snapshot snapshot : writing.snapshots())
            {
                if (snapshot.timeMillis() <= cutoffMillis)
                {
                    base = snapshot;
                }
            }
            if (base != null)
            {
                for (final ArchiveLayout.Segment segment : writing.segments())
                {
                    if (segment.last() < base.offset())
                    {
                        store.delete(segment.key());
                        removed++;
                    }
                }
                for (final ArchiveLayout.Snapshot snapshot : writing.snapshots())
                {
                    if (snapshot.offset() < base.offset())
                    {
                        store.delete(snapshot.key());
                        removed++;
                    }
                }
            }
        }
        final boolean restorable = writing != null && (!writing.segments().isEmpty() || !writing.snapshots().isEmpty());
        for (final ArchiveLayout.Listing generation : generations)
        {
            if (generation == writing || !restorable || createdMillis(generation) > cutoffMillis ||
                generation.lastMillis() > cutoffMillis)
            {
                continue;
            }
            for (final ArchiveLayout.Segment segment : generation.segments())
            {
                store.delete(segment.key());
                removed++;
            }
            for (final ArchiveLayout.Snapshot snapshot : generation.snapshots())
            {
                store.delete(snapshot.key());
                removed++;
            }
            store.delete(ArchiveLayout.generationKey(generation.name()));
            removed++;
            log.log("archive: generation " + generation.name() + " removed by retention (all of it older than the cutoff)");
        }
        return removed;
    }

    private static long createdMillis(final ArchiveLayout.Listing generation)
    {
        return Long.parseLong(generation.name().substring(0, 13));
    }
}
