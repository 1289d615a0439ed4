package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes whole roll-cycle files, oldest first, as a {@link RetentionPolicy} allows and a floor offset permits.
 */
final class Retention
{
    private static final String SUFFIX = SingleChronicleQueue.SUFFIX;

    private Retention()
    {
    }

    static RetentionResult apply(
        final Wal wal, final RetentionPolicy policy, final long floorOffset, final long nowMillis, final Runnable beforeDelete)
    {
        final SingleChronicleQueue queue = wal.files().queue();
        if (policy.maxAge() == null && policy.maxBytes() == 0)
        {
            return new RetentionResult(0, 0, wal.oldestOffset(), false);
        }
        if (wal.config().readOnly())
        {
            queue.refreshDirectoryListing(); // the writer's own listing is current
        }
        final int firstCycle = queue.firstCycle();
        final int lastCycle = queue.lastCycle();
        if (wal.isEmpty() || firstCycle >= lastCycle)
        {
            return new RetentionResult(0, 0, wal.oldestOffset(), false); // empty, or only the current cycle
        }
        final Long[] cycles = queue.listCyclesBetween(firstCycle, lastCycle).toArray(new Long[0]);
        final File[] files = new File[cycles.length];
        final long[] sizes = new long[cycles.length];
        long total = 0;
        for (int i = 0; i < cycles.length; i++)
        {
            files[i] = wal.files().cycleFile(cycles[i].intValue());
            sizes[i] = policy.maxBytes() > 0 ? files[i].length() : -1; // a stat per file only when size matters
            total += Math.max(0, sizes[i]);
        }

        final long lengthMs = queue.rollCycle().lengthInMillis();
        final List<Integer> deleted = new ArrayList<>();
        long bytesDeleted = 0;
        boolean heldByFloor = false;
        for (int i = 0; i < cycles.length - 1; i++) // never the last (current) cycle
        {
            final int cycle = cycles[i].intValue();
            final long cycleEndMs = queue.epoch() + (cycle + 1L) * lengthMs;
            final boolean tooOld = policy.maxAge() != null && cycleEndMs <= nowMillis - policy.maxAge().toMillis();
            final boolean tooBig = policy.maxBytes() > 0 && total > policy.maxBytes();
            if (!tooOld && !tooBig)
            {
                break;
            }
            final long nextFirst = wal.table().firstOffsetOfCycle(cycles[i + 1].intValue());
            if (nextFirst < 0 || Long.compareUnsigned(nextFirst, floorOffset) > 0)
            {
                heldByFloor = nextFirst >= 0;
                break; // this cycle holds entries at or above the floor
            }
            if (sizes[i] < 0)
            {
                sizes[i] = files[i].length();
            }
            if (deleted.isEmpty())
            {
                beforeDelete.run(); // once, and only when something is about to go
            }
            try
            {
                Files.deleteIfExists(files[i].toPath());
            }
            catch (final IOException ex)
            {
                throw new WalException(ErrorCode.STORAGE, "retention could not delete " + files[i] + ": " + ex, ex);
            }
            deleted.add(cycle);
            bytesDeleted += sizes[i];
            total -= sizes[i];
        }
        if (!deleted.isEmpty())
        {
            wal.afterCyclesDeleted(deleted);
        }
        return new RetentionResult(deleted.size(), bytesDeleted, wal.oldestOffset(), heldByFloor);
    }

}
