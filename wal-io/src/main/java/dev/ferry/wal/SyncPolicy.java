package dev.ferry.wal;

/**
 * When the WAL forces written entries from the page cache to the storage device ({@code msync}).
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
    NONE,
    /** Sync on every flush. */
    PER_BATCH,
    /** Sync on a flush at most once per interval. */
    INTERVAL
}
