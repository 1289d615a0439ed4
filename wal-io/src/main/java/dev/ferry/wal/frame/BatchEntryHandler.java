package dev.ferry.wal.frame;

import java.lang.foreign.MemorySegment;

/**
 * Receives the entries of a decoded batch, in offset order.
 */
@FunctionalInterface
public interface BatchEntryHandler
{
    /**
     * @param offset      the entry's offset.
     * @param timestampNs the entry's timestamp, as written by the primary.
     * @param payload     a zero-copy view of the payload, checked against its CRC32C; valid only during this call
     *                    (it points into the frame or the decoder's scratch memory, both reused).
     */
    void onEntry(long offset, long timestampNs, MemorySegment payload);
}
