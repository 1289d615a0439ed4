package dev.ferry.engine.state;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * The layout of one key-value entry: an atomic list of operations, applied all or none. Little-endian, unaligned;
 * offsets from the start of the entry.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  version (1)  | reserved = 0  |        opCount (u16, >= 1)    |  0
 *  +---------------+---------------+-------------------------------+
 *  |  opCount operations, one after the other                     ...  4
 *  +---------------------------------------------------------------+
 *
 *  PUT (1)        opcode u8 | db u8 | flags u8 (bit 0: expiry) | keyLength u16 | valueLength u32 |
 *                 [expiryMillis i64, if bit 0] | key | value
 *  DELETE (2)     opcode u8 | db u8 | keyLength u16 | key
 *  EXPIRE (3)     opcode u8 | db u8 | atMillis i64 | keyLength u16 | key
 *  FLUSH_DB (4)   opcode u8 | db u8
 *  FLUSH_ALL (5)  opcode u8
 * </pre>
 * {@code db} is 0 to {@value #DATABASES}-1 (16 databases, as Redis has); a key is 0 to {@value #MAX_KEY_LENGTH} bytes (Redis has the empty key),
 * a value 0 or more; {@code expiryMillis} and {@code atMillis} are absolute times in ms since the Unix epoch, {@code > 0}.
 * The entry ends exactly after its last operation. An entry is decoded as hostile input: {@link #validate} checks
 * every field and length before anything is applied, and refuses with a {@link FerryException} of code
 * {@link ErrorCode#APPLY} naming what is wrong; it never throws anything else.
 * <p>
 * The static methods are thread-safe and allocate nothing.
 */
public final class KvEntry
{
    /** The layout version this build writes and reads. */
    public static final int VERSION = 1;
    /** The number of databases. */
    public static final int DATABASES = 16;
    /** The longest key, in bytes. */
    public static final int MAX_KEY_LENGTH = 0xFFFF;
    /** Length of the entry header. */
    public static final int HEADER_LENGTH = 4;

    /** Operation: set a key's value, optionally with an expiry. */
    public static final int PUT = 1;
    /** Operation: remove a key. */
    public static final int DELETE = 2;
    /** Operation: set an existing key's expiry. */
    public static final int EXPIRE = 3;
    /** Operation: remove every key of one database. */
    public static final int FLUSH_DB = 4;
    /** Operation: remove every key of every database. */
    public static final int FLUSH_ALL = 5;

    /** PUT flag: an expiry follows. */
    public static final int EXPIRY_FLAG = 1;


    private KvEntry()
    {
    }

    /**
     * What an entry's operations do, told one at a time in order by {@link #forEach}. Keys and values are slices of
     * the entry: valid during the call only.
     */
    public interface Operations
    {
        /**
         * A PUT, told as where its key and value lie in the entry (no slice objects: applying allocates nothing).
         *
         * @param db           the database.
         * @param entry        the entry.
         * @param keyOffset    where the key starts in it.
         * @param keyLength    the key's length.
         * @param valueOffset  where the value starts in it.
         * @param valueLength  the value's length.
         * @param expiryMillis the absolute expiry, or 0 for none.
         */
        void put(int db, MemorySegment entry, long keyOffset, int keyLength, long valueOffset, long valueLength,
            long expiryMillis);

        /**
         * @param db  the database.
         * @param key the key.
         */
        void delete(int db, MemorySegment key);

        /**
         * @param db       the database.
         * @param key      the key.
         * @param atMillis the absolute expiry.
         */
        void expire(int db, MemorySegment key, long atMillis);

        /**
         * @param db the database to empty.
         */
        void flushDb(int db);

        /**
         * Empty every database.
         */
        void flushAll();
    }

    /**
     * Checks a whole entry without applying anything.
     *
     * @param entry  the entry's bytes.
     * @param offset its WAL offset, for the error.
     * @return the number of operations.
     * @throws FerryException with {@link ErrorCode#APPLY} for anything malformed.
     */
    public static int validate(final MemorySegment entry, final long offset)
    {
        return walk(entry, offset, null);
    }

    /**
     * Checks a whole entry, then tells its operations in order: an entry is applied all or none.
     *
     * @param entry      the entry's bytes.
     * @param offset     its WAL offset, for the error.
     * @param operations told of each operation.
     * @return the number of operations.
     * @throws FerryException with {@link ErrorCode#APPLY} for anything malformed (nothing is told then).
     */
    public static int forEach(final MemorySegment entry, final long offset, final Operations operations)
    {
        walk(entry, offset, null);
        return walk(entry, offset, operations);
    }

    private static int walk(final MemorySegment entry, final long offset, final Operations operations)
    {
        final long length = entry.byteSize();
        if (length < HEADER_LENGTH)
        {
            throw malformed(offset, "is " + length + " bytes, shorter than the " + HEADER_LENGTH + "-byte header");
        }
        final int version = entry.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
        if (version != VERSION)
        {
            throw malformed(offset, "has layout version " + version + "; this build reads version " + VERSION);
        }
        if (entry.get(ValueLayout.JAVA_BYTE, 1) != 0)
        {
            throw malformed(offset, "has a non-zero reserved byte");
        }
        final int count = entry.get(SHORT_LE, 2) & 0xFFFF;
        if (count == 0)
        {
            throw malformed(offset, "has no operation");
        }
        long at = HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            need(entry, offset, at, 1, i);
            final int opcode = entry.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            at++;
            switch (opcode)
            {
                case PUT ->
                {
                    need(entry, offset, at, 8, i);
                    final int db = db(entry, offset, at, i);
                    final int flags = entry.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF;
                    if ((flags & ~EXPIRY_FLAG) != 0)
                    {
                        throw malformed(offset, "operation " + i + " (PUT) has unknown flags 0x" + Integer.toHexString(flags));
                    }
                    final int keyLength = keyLength(entry, offset, at + 2, i);
                    final long valueLength = Integer.toUnsignedLong(entry.get(INT_LE, at + 4));
                    at += 8;
                    long expiry = 0;
                    if ((flags & EXPIRY_FLAG) != 0)
                    {
                        need(entry, offset, at, 8, i);
                        expiry = time(entry, offset, at, i, "expiryMillis");
                        at += 8;
                    }
                    need(entry, offset, at, keyLength + valueLength, i);
                    if (operations != null)
                    {
                        operations.put(db, entry, at, keyLength, at + keyLength, valueLength, expiry);
                    }
                    at += keyLength + valueLength;
                }
                case DELETE ->
                {
                    need(entry, offset, at, 3, i);
                    final int db = db(entry, offset, at, i);
                    final int keyLength = keyLength(entry, offset, at + 1, i);
                    at += 3;
                    need(entry, offset, at, keyLength, i);
                    if (operations != null)
                    {
                        operations.delete(db, entry.asSlice(at, keyLength));
                    }
                    at += keyLength;
                }
                case EXPIRE ->
                {
                    need(entry, offset, at, 11, i);
                    final int db = db(entry, offset, at, i);
                    final long when = time(entry, offset, at + 1, i, "atMillis");
                    final int keyLength = keyLength(entry, offset, at + 9, i);
                    at += 11;
                    need(entry, offset, at, keyLength, i);
                    if (operations != null)
                    {
                        operations.expire(db, entry.asSlice(at, keyLength), when);
                    }
                    at += keyLength;
                }
                case FLUSH_DB ->
                {
                    need(entry, offset, at, 1, i);
                    final int db = db(entry, offset, at, i);
                    at++;
                    if (operations != null)
                    {
                        operations.flushDb(db);
                    }
                }
                case FLUSH_ALL ->
                {
                    if (operations != null)
                    {
                        operations.flushAll();
                    }
                }
                default -> throw malformed(offset, "operation " + i + " has unknown opcode " + opcode);
            }
        }
        if (at != length)
        {
            throw malformed(offset, "has " + (length - at) + " bytes after its last operation");
        }
        return count;
    }

    private static void need(final MemorySegment entry, final long offset, final long at, final long bytes, final int op)
    {
        if (bytes > entry.byteSize() - at)
        {
            throw malformed(offset, "ends inside operation " + op + " (" + bytes + " more bytes needed at byte " + at + ")");
        }
    }

    private static int db(final MemorySegment entry, final long offset, final long at, final int op)
    {
        final int db = entry.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
        if (db >= DATABASES)
        {
            throw malformed(offset, "operation " + op + " names database " + db + "; there are " + DATABASES);
        }
        return db;
    }

    private static int keyLength(final MemorySegment entry, final long offset, final long at, final int op)
    {
        return entry.get(SHORT_LE, at) & 0xFFFF; // 0 is a key too: Redis has the empty key
    }

    private static long time(final MemorySegment entry, final long offset, final long at, final int op, final String name)
    {
        final long millis = entry.get(LONG_LE, at);
        if (millis <= 0)
        {
            throw malformed(offset, "operation " + op + " has " + name + "=" + millis + ", not a time after 1970");
        }
        return millis;
    }

    private static FerryException malformed(final long offset, final String what)
    {
        return new FerryException(ErrorCode.APPLY, "the entry at offset " + offset + " is not a key-value entry: it " + what);
    }
}
