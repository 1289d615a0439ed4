package dev.ferry.wal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A flyweight over one entry as stored in a Chronicle document of the WAL. Little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         offset (u64)                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      timestamp ns (u64)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    crc32c of payload (u32)                    |
 *  +---------------------------------------------------------------+
 *  |                 chain (u32), see {@link Chain}                 |
 *  +---------------------------------------------------------------+
 *  |                         payload ...                           |
 *  +---------------------------------------------------------------+
 * </pre>
 * The payload length is the document length minus {@link #HEADER_LENGTH}. The offset is stored (8 bytes an entry)
 * rather than derived from Chronicle's per-cycle sequence so that every entry is self-describing and a reader can
 * check density as it goes; seeking still derives the Chronicle index from the offset (see {@link Wal}).
 * <p>
 * One instance is reused by a cursor for every entry: it is valid only while the handler runs. The wire format
 * reads entries through this class ({@code BatchEncoder.tryAppend(WalEntry)}); the storage package never imports it.
 */
public final class WalEntry
{
    /** Format version of this layout; bump on any change. */
    public static final int FORMAT_VERSION = 2;
    /** Offset of the entry's offset field. */
    public static final int OFFSET_FIELD_OFFSET = 0;
    /** Offset of the timestamp field. */
    public static final int TIMESTAMP_FIELD_OFFSET = 8;
    /** Offset of the payload CRC32C field. */
    public static final int CRC_FIELD_OFFSET = 16;
    /** Offset of the chained checksum field (format 2). */
    public static final int CHAIN_FIELD_OFFSET = 20;
    /** Length of the header before the payload. */
    public static final int HEADER_LENGTH = 24;

    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * The whole address space; entries are addressed inside it without allocating a segment per entry. Restricted
     * (needs {@code --enable-native-access}): only addresses Chronicle hands out for an open document are used.
     */
    @SuppressWarnings("restricted")
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private long address;
    private int payloadLength;

    WalEntry wrap(final long address, final int payloadLength)
    {
        this.address = address;
        this.payloadLength = payloadLength;
        return this;
    }

    /**
     * @return the entry's offset.
     */
    public long offset()
    {
        return ALL.get(LONG_LE, address + OFFSET_FIELD_OFFSET);
    }

    /**
     * @return the append time, nanoseconds since the epoch.
     */
    public long timestampNs()
    {
        return ALL.get(LONG_LE, address + TIMESTAMP_FIELD_OFFSET);
    }

    /**
     * @return the stored CRC32C of the payload.
     */
    public int crc32c()
    {
        return ALL.get(INT_LE, address + CRC_FIELD_OFFSET);
    }

    /**
     * @return the chained checksum stored with this entry: {@link Chain#next} of the one before and this entry's
     *         CRC32C and length.
     */
    public int chain()
    {
        return ALL.get(INT_LE, address + CHAIN_FIELD_OFFSET);
    }

    /**
     * @return the payload length in bytes.
     */
    public int length()
    {
        return payloadLength;
    }

    /**
     * @return a zero-copy view of the payload, valid only during the handler call (allocates the view object).
     */
    public MemorySegment payload()
    {
        return ALL.asSlice(address + HEADER_LENGTH, payloadLength);
    }

    /**
     * Copy the payload without allocating.
     *
     * @param dst       destination.
     * @param dstOffset where in the destination.
     */
    public void copyPayloadTo(final MemorySegment dst, final long dstOffset)
    {
        MemorySegment.copy(ALL, address + HEADER_LENGTH, dst, dstOffset, payloadLength);
    }

    /**
     * @param index index into the payload.
     * @return the payload byte at that index.
     */
    public byte payloadByte(final int index)
    {
        if (index < 0 || index >= payloadLength)
        {
            throw new IndexOutOfBoundsException("index " + index + " not in payload of " + payloadLength + " bytes");
        }
        return ALL.get(ValueLayout.JAVA_BYTE, address + HEADER_LENGTH + index);
    }

    /**
     * @return true if the payload's CRC32C matches the stored one.
     */
    public boolean crcMatches()
    {
        return Crc32c.compute(ALL, address + HEADER_LENGTH, payloadLength) == crc32c();
    }

    @Override
    public String toString()
    {
        return "WalEntry{offset=" + offset() + ", timestampNs=" + timestampNs() + ", length=" + payloadLength + '}';
    }
}
