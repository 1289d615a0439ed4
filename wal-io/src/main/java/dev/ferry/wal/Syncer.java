package dev.ferry.wal;

/**
 * The {@link SyncPolicy}: whether a {@link Wal#flush()} syncs, and what the last sync covered. Used under the
 * append lock or by the single writer; {@link #syncedOffset()} is a volatile read from any thread.
 */
final class Syncer
{
    private final SyncPolicy policy;
    private final long intervalNs;
    private long lastSyncNs;
    private volatile long syncedOffset = -1;

    Syncer(final WalConfig config)
    {
        this.policy = config.syncPolicy();
        this.intervalNs = config.syncIntervalNs();
        this.lastSyncNs = System.nanoTime();
    }

    /**
     * @return true if a flush at the end of a batch must sync: always under {@link SyncPolicy#PER_BATCH}, once the
     *         interval has passed under {@link SyncPolicy#INTERVAL}, never under {@link SyncPolicy#NONE}.
     */
    boolean due()
    {
        return switch (policy)
        {
            case PER_BATCH -> true;
            case INTERVAL -> System.nanoTime() - lastSyncNs >= intervalNs;
            case NONE -> false;
        };
    }

    /**
     * Force the entries up to {@code lastOffset} to storage unless an earlier sync did ({@link EntryWriter#sync()}:
     * every file written since the last sync, whole, and the directory after a new file), then report them synced.
     *
     * @param writer     the WAL's writer.
     * @param lastOffset the last offset appended; ignored if {@code empty}.
     * @param empty      true if the WAL has no entries.
     */
    void sync(final EntryWriter writer, final long lastOffset, final boolean empty)
    {
        if (!empty && lastOffset > syncedOffset)
        {
            writer.sync();
            syncedOffset = lastOffset;
        }
        lastSyncNs = System.nanoTime();
    }

    /**
     * @return the last offset forced to storage, or -1.
     */
    long syncedOffset()
    {
        return syncedOffset;
    }
}
