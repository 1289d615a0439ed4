package dev.ferry.wal;

/**
 * When the WAL forces written entries from the page cache to the storage device: a sync is an {@code fdatasync} of
 * every roll-cycle file written since the last one (every chunk of it), and of the directory after a new file.
 * <p>
 * Whatever the policy, every entry whose {@code append} returned survives {@code kill -9} of the process: the
 * entry is in the kernel's page cache and the kernel writes it back. Only what was synced survives a power loss
 * or a kernel crash.
 * <ul>
 *   <li>{@link #NONE}: never sync; the kernel writes back on its own schedule (typically within 30 s).</li>
 *   <li>{@link #PER_BATCH}: {@link Wal#flush()} syncs every time; callers flush once per batch.</li>
 *   <li>{@link #INTERVAL}: {@link Wal#flush()} syncs when at least the configured interval has passed since the
 *       last sync, bounding what a power loss can take.</li>
 * </ul>
 */
public enum SyncPolicy
{
    /** Never sync explicitly. */
    NONE("none"),
    /** Sync on every flush. */
    PER_BATCH("batch"),
    /** Sync on a flush at most once per interval. */
    INTERVAL("interval");

    private final String label;

    SyncPolicy(final String label)
    {
        this.label = label;
    }

    /**
     * @return the policy's name on the command line and in status: none, batch or interval.
     */
    public String label()
    {
        return label;
    }

    /**
     * @param name a {@link #label()} (any case), or per-batch / per_batch.
     * @return the policy.
     * @throws WalException CONFIGURATION naming the accepted values.
     */
    public static SyncPolicy of(final String name)
    {
        return switch (name.toLowerCase(java.util.Locale.ROOT))
        {
            case "none" -> NONE;
            case "batch", "per-batch", "per_batch" -> PER_BATCH;
            case "interval" -> INTERVAL;
            default -> throw new WalException(dev.ferry.error.ErrorCode.CONFIGURATION,
                "--sync must be none, batch or interval, was '" + name + "'");
        };
    }
}
