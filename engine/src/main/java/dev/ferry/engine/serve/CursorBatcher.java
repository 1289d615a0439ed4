package dev.ferry.engine.serve;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.EntryHandler;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalEntry;
import dev.ferry.wal.WalException;
import dev.ferry.wal.frame.BatchEncoder;

/**
 * The sender's half of replication: fills a {@link BatchEncoder} from a {@link WalCursor}, zero-copy from the mapped
 * WAL into the frame, up to a byte budget, and remembers the first and last entry timestamps of the batch (for lag
 * and append-to-ack latency). One per session; single-threaded; allocation-free.
 */
public final class CursorBatcher
{
    private final int maxBatchBytes;
    private final EntryHandler fill = this::fill;
    private BatchEncoder encoder;
    private long firstTimestampNs;
    private long lastTimestampNs;
    private boolean verifyCrc;

    /**
     * @param maxBatchBytes the entry bytes after which a batch is closed (a single larger entry still goes alone).
     */
    public CursorBatcher(final int maxBatchBytes)
    {
        if (maxBatchBytes <= 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "maxBatchBytes must be > 0, was " + maxBatchBytes);
        }
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * Move the entries available at the cursor into the wrapped encoder.
     *
     * @param cursor  the replica's cursor.
     * @param encoder an encoder wrapped over the send buffer, its first offset set to the cursor's next offset.
     * @return entries added (0 when the cursor is caught up).
     */
    public int fill(final WalCursor cursor, final BatchEncoder encoder)
    {
        return fill(cursor, encoder, Integer.MAX_VALUE);
    }

    /**
     * {@link #fill(WalCursor, BatchEncoder)} with at most {@code maxEntries} entries.
     *
     * @param cursor     the replica's cursor.
     * @param encoder    an encoder wrapped over the send buffer, its first offset set to the cursor's next offset.
     * @param maxEntries the most entries in this batch.
     * @return entries added.
     */
    public int fill(final WalCursor cursor, final BatchEncoder encoder, final int maxEntries)
    {
        this.encoder = encoder;
        try
        {
            return cursor.poll(fill, maxEntries);
        }
        finally
        {
            this.encoder = null;
        }
    }

    /**
     * @param verify true to check each entry's CRC32C against its payload before it is sent (after a replica reported
     *               a damaged batch: is the damage in this WAL?); off on the normal path, where the replica checks.
     */
    public void verifyCrc(final boolean verify)
    {
        this.verifyCrc = verify;
    }

    private boolean fill(final WalEntry entry)
    {
        if (verifyCrc && !entry.crcMatches())
        {
            throw new FerryException(ErrorCode.STORAGE, "entry " + entry.offset() + " in this WAL is corrupt (its " +
                "CRC32C does not match its payload), so no replica can be given it: restore the WAL from a replica");
        }
        final BatchEncoder encoder = this.encoder;
        if (encoder.count() > 0 && encoder.encodedLength() + entry.length() > maxBatchBytes)
        {
            return false;
        }
        if (!encoder.tryAppend(entry))
        {
            return false;
        }
        final long ts = entry.timestampNs();
        if (encoder.count() == 1)
        {
            firstTimestampNs = ts;
        }
        lastTimestampNs = ts;
        return true;
    }

    /**
     * @return the timestamp of the first entry of the last batch filled.
     */
    public long firstTimestampNs()
    {
        return firstTimestampNs;
    }

    /**
     * @return the timestamp of the last entry of the last batch filled.
     */
    public long lastTimestampNs()
    {
        return lastTimestampNs;
    }
}
