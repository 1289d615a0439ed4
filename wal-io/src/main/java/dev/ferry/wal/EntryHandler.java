package dev.ferry.wal;

/**
 * Receives entries read by a {@link WalCursor}. The {@link WalEntry} is a reused flyweight over the mapped WAL:
 * valid only during the call; copy out what must outlive it.
 */
@FunctionalInterface
public interface EntryHandler
{
    /**
     * @param entry the entry, a zero-copy view valid only during this call.
     * @return true if the entry was consumed; false to stop polling and leave it to be read again (e.g. a full batch).
     */
    boolean onEntry(WalEntry entry);
}
