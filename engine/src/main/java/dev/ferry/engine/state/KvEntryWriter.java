package dev.ferry.engine.state;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Writes key-value entries in the {@link KvEntry} layout: {@link #reset()}, the operations, then {@link #entry()} to
 * append. The buffer grows to the largest entry written and is reused, so writing entries of a steady size allocates
 * nothing. Single-threaded.
 */
public final class KvEntryWriter
{
    private byte[] bytes;
    private MemorySegment segment;
    private int length;
    private int count;

    /**
     * @param initialCapacity the buffer's first size, in bytes.
     */
    public KvEntryWriter(final int initialCapacity)
    {
        bytes = new byte[Math.max(initialCapacity, KvEntry.HEADER_LENGTH)];
        segment = MemorySegment.ofArray(bytes);
        reset();
    }

    /**
     * Start a new entry.
     *
     * @return this.
     */
    public KvEntryWriter reset()
    {
        segment.set(ValueLayout.JAVA_BYTE, 0, (byte)KvEntry.VERSION);
        segment.set(ValueLayout.JAVA_BYTE, 1, (byte)0);
        segment.set(SHORT_LE, 2, (short)0);
        length = KvEntry.HEADER_LENGTH;
        count = 0;
        return this;
    }

    /**
     * @param db           the database, 0 to 15.
     * @param key          0 to 65535 bytes.
     * @param value        the value.
     * @param expiryMillis an absolute expiry in ms since the Unix epoch, or 0 for none.
     * @return this.
     */
    public KvEntryWriter put(final int db, final MemorySegment key, final MemorySegment value, final long expiryMillis)
    {
        final int keyLength = checkKey(db, key);
        final long valueLength = value.byteSize();
        final int at = claim(1 + 8 + (expiryMillis > 0 ? 8 : 0) + keyLength + valueLength);
        segment.set(ValueLayout.JAVA_BYTE, at, (byte)KvEntry.PUT);
        segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte)db);
        segment.set(ValueLayout.JAVA_BYTE, at + 2, (byte)(expiryMillis > 0 ? KvEntry.EXPIRY_FLAG : 0));
        segment.set(SHORT_LE, at + 3, (short)keyLength);
        segment.set(INT_LE, at + 5, (int)valueLength);
        int next = at + 9;
        if (expiryMillis > 0)
        {
            segment.set(LONG_LE, next, expiryMillis);
            next += 8;
        }
        MemorySegment.copy(key, 0, segment, next, keyLength);
        MemorySegment.copy(value, 0, segment, next + keyLength, valueLength);
        return this;
    }

    /**
     * @param db    the database.
     * @param key   the key, as UTF-8.
     * @param value the value, as UTF-8.
     * @return this.
     */
    public KvEntryWriter put(final int db, final String key, final String value)
    {
        return put(db, utf8(key), utf8(value), 0);
    }

    /**
     * @param db  the database.
     * @param key 0 to 65535 bytes.
     * @return this.
     */
    public KvEntryWriter delete(final int db, final MemorySegment key)
    {
        final int keyLength = checkKey(db, key);
        final int at = claim(1 + 3 + keyLength);
        segment.set(ValueLayout.JAVA_BYTE, at, (byte)KvEntry.DELETE);
        segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte)db);
        segment.set(SHORT_LE, at + 2, (short)keyLength);
        MemorySegment.copy(key, 0, segment, at + 4, keyLength);
        return this;
    }

    /**
     * @param db       the database.
     * @param key      0 to 65535 bytes.
     * @param atMillis an absolute time in ms since the Unix epoch, {@code > 0}.
     * @return this.
     */
    public KvEntryWriter expire(final int db, final MemorySegment key, final long atMillis)
    {
        final int keyLength = checkKey(db, key);
        if (atMillis <= 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "an expiry must be a time after 1970, was " + atMillis);
        }
        final int at = claim(1 + 11 + keyLength);
        segment.set(ValueLayout.JAVA_BYTE, at, (byte)KvEntry.EXPIRE);
        segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte)db);
        segment.set(LONG_LE, at + 2, atMillis);
        segment.set(SHORT_LE, at + 10, (short)keyLength);
        MemorySegment.copy(key, 0, segment, at + 12, keyLength);
        return this;
    }

    /**
     * @param db the database to empty.
     * @return this.
     */
    public KvEntryWriter flushDb(final int db)
    {
        checkDb(db);
        final int at = claim(2);
        segment.set(ValueLayout.JAVA_BYTE, at, (byte)KvEntry.FLUSH_DB);
        segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte)db);
        return this;
    }

    /**
     * @return this, with an operation that empties every database.
     */
    public KvEntryWriter flushAll()
    {
        final int at = claim(1);
        segment.set(ValueLayout.JAVA_BYTE, at, (byte)KvEntry.FLUSH_ALL);
        return this;
    }

    /**
     * @return the entry written since {@link #reset()}: a view of this writer's buffer, valid until the next write.
     * @throws FerryException with {@code CONFIGURATION} if it has no operation.
     */
    public MemorySegment entry()
    {
        if (count == 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a key-value entry needs at least one operation");
        }
        return segment.asSlice(0, length);
    }

    /**
     * @param text a string.
     * @return its UTF-8 bytes as a segment (allocates: for tools and tests, not hot paths).
     */
    public static MemorySegment utf8(final String text)
    {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8));
    }

    private int claim(final long bytesNeeded)
    {
        if (count == 0xFFFF)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a key-value entry holds at most 65535 operations");
        }
        final long end = length + bytesNeeded;
        if (end > Integer.MAX_VALUE - 8)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a key-value entry of " + end + " bytes is too large");
        }
        if (end > bytes.length)
        {
            final byte[] grown = new byte[(int)Math.min(Integer.MAX_VALUE - 8, Math.max(end, 2L * bytes.length))];
            System.arraycopy(bytes, 0, grown, 0, length);
            bytes = grown;
            segment = MemorySegment.ofArray(bytes);
        }
        final int at = length;
        length = (int)end;
        count++;
        segment.set(SHORT_LE, 2, (short)count);
        return at;
    }

    private static int checkKey(final int db, final MemorySegment key)
    {
        checkDb(db);
        final long keyLength = key.byteSize();
        if (keyLength > KvEntry.MAX_KEY_LENGTH)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a key must be 0 to " + KvEntry.MAX_KEY_LENGTH +
                " bytes, was " + keyLength);
        }
        return (int)keyLength;
    }

    private static void checkDb(final int db)
    {
        if (db < 0 || db >= KvEntry.DATABASES)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "a database is 0 to " + (KvEntry.DATABASES - 1) + ", was " + db);
        }
    }
}
