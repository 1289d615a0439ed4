package dev.ferry.engine.serve;

/**
 * The batches a session sent and its replica has not acknowledged yet, oldest first: last offset, first and last
 * entry timestamps, entry bytes. An ACK retires every batch it covers (each one's append-to-ack latency is the ACK
 * time minus its last entry's timestamp); the oldest one left gives the replica's lag in time. Fixed capacity, no
 * allocation; single-threaded (the sender).
 */
public final class InFlightBatches
{
    /** Retires batches: called once per batch an ACK covers. */
    @FunctionalInterface
    public interface Retired
    {
        /**
         * @param lastTimestampNs the timestamp of the batch's last entry.
         */
        void onRetired(long lastTimestampNs);
    }

    private final int mask;
    private final long[] lastOffset;
    private final long[] firstTimestampNs;
    private final long[] lastTimestampNs;
    private final long[] bytes;
    private long head;
    private long tail;
    private long totalBytes;

    /**
     * @param capacity the most batches in flight, a power of two.
     */
    public InFlightBatches(final int capacity)
    {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        mask = capacity - 1;
        lastOffset = new long[capacity];
        firstTimestampNs = new long[capacity];
        lastTimestampNs = new long[capacity];
        bytes = new long[capacity];
    }

    /**
     * @return true if no more batches can be recorded until some are acknowledged.
     */
    public boolean isFull()
    {
        return head - tail > mask;
    }

    /**
     * Record a batch just sent.
     *
     * @param last         its last offset.
     * @param firstTsNs    its first entry's timestamp.
     * @param lastTsNs     its last entry's timestamp.
     * @param entryBytes   its entry bytes (before compression).
     */
    public void sent(final long last, final long firstTsNs, final long lastTsNs, final int entryBytes)
    {
        final int i = (int)(head & mask);
        lastOffset[i] = last;
        firstTimestampNs[i] = firstTsNs;
        lastTimestampNs[i] = lastTsNs;
        bytes[i] = entryBytes;
        totalBytes += entryBytes;
        head++;
    }

    /**
     * Retire every batch wholly below {@code receivedOffset}.
     *
     * @param receivedOffset the replica's acknowledged next offset.
     * @param retired      told of each retired batch.
     */
    public void acknowledged(final long receivedOffset, final Retired retired)
    {
        while (tail != head && lastOffset[(int)(tail & mask)] < receivedOffset)
        {
            final int i = (int)(tail & mask);
            retired.onRetired(lastTimestampNs[i]);
            totalBytes -= bytes[i];
            tail++;
        }
    }

    /**
     * Forget everything (a resend from an earlier offset follows).
     */
    public void clear()
    {
        tail = head;
        totalBytes = 0;
    }

    /**
     * @return the first entry timestamp of the oldest batch in flight, or 0 if none.
     */
    public long oldestFirstTimestampNs()
    {
        return tail != head ? firstTimestampNs[(int)(tail & mask)] : 0;
    }

    /**
     * @return entry bytes in flight.
     */
    public long bytes()
    {
        return totalBytes;
    }
}
