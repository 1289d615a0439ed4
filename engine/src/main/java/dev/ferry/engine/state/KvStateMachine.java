package dev.ferry.engine.state;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The built-in key-value state machine: 16 databases of byte-string keys and values with optional absolute expiries,
 * changed by entries in the {@link KvEntry} layout, each applied all or none.
 * <p>
 * Expiry is lazy and reads decide it: a key whose expiry has passed reads as absent (as in Redis), but stays in the
 * state, and so in snapshots, until an entry removes it, so that the state is the same on every node whatever its
 * clock. A PUT of a value of the same length as the key's current one is copied in place: steady overwrites allocate
 * nothing.
 * <p>
 * Snapshot layout (little-endian), records in database then unsigned key order, so equal states give equal bytes:
 * <pre>
 *   magic "FKV1" | appliedOffset u64 | records u64 |
 *   records: db u8 | keyLength u16 | valueLength u32 | expiryMillis i64 (0: none) | key | value |
 *   crc32c u32 of every byte before it
 * </pre>
 * Loading reads it as hostile input: every length is bounded by what follows, the CRC32C must match, and the state is
 * replaced only when all of it is good. Not thread-safe: one thread applies (reads from other threads must be
 * arranged by the owner).
 */
public final class KvStateMachine implements StateMachine, KvEntry.Operations
{
    /** The snapshot's magic bytes. */
    static final byte[] MAGIC = "FKV1".getBytes(StandardCharsets.US_ASCII);
    private static final int RECORD_HEADER = 1 + 2 + 4 + 8;
    private static final int IO_CHUNK = 64 * 1024;

    /** A key: its bytes and their hash. The probe used for lookups reuses its buffer (length below its capacity). */
    static final class Key implements Comparable<Key>
    {
        byte[] bytes;
        int length;
        int hash;

        Key(final byte[] bytes, final int length)
        {
            this.bytes = bytes;
            this.length = length;
            this.hash = hash(bytes, length);
        }

        /** {@code Arrays.hashCode} of the first {@code length} bytes, without copying them. */
        static int hash(final byte[] bytes, final int length)
        {
            int h = 1;
            for (int i = 0; i < length; i++)
            {
                h = 31 * h + bytes[i];
            }
            return h;
        }

        void set(final MemorySegment key)
        {
            set(key, 0, (int)key.byteSize());
        }

        void set(final MemorySegment source, final long offset, final int keyLength)
        {
            if (bytes.length < keyLength)
            {
                bytes = new byte[Math.max(keyLength, 2 * bytes.length)];
            }
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, bytes, 0, keyLength);
            length = keyLength;
            hash = hash(bytes, keyLength);
        }

        Key copy()
        {
            return new Key(Arrays.copyOf(bytes, length), length);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key key && key.length == length && key.hash == hash &&
                Arrays.equals(bytes, 0, length, key.bytes, 0, key.length);
        }

        @Override
        public int compareTo(final Key other)
        {
            return Arrays.compareUnsigned(bytes, 0, length, other.bytes, 0, other.length);
        }
    }

    /** A value and its expiry (0: none). */
    static final class Value
    {
        byte[] bytes;
        long expiryMillis;

        Value(final byte[] bytes, final long expiryMillis)
        {
            this.bytes = bytes;
            this.expiryMillis = expiryMillis;
        }
    }

    private final List<Map<Key, Value>> databases = new ArrayList<>(KvEntry.DATABASES);
    /** Per database, the keys that have an expiry: what an active expiry looks at, without scanning every key. */
    private final List<Set<Key>> expiring = new ArrayList<>(KvEntry.DATABASES);
    private final Key probe = new Key(new byte[64], 0);
    private final Key arrayProbe = new Key(new byte[0], 0); // wraps a caller's array: never set() (it would write into it)
    private long appliedOffset;
    private long scanWork;
    /** Per database: the SCAN index, or null (no scan yet, or dropped by a new key or by deletes: see {@link #scan}). */
    private final ScanIndex[] scanIndexes = new ScanIndex[KvEntry.DATABASES];

    /**
     * An empty state at offset 0.
     */
    public KvStateMachine()
    {
        this(0);
    }

    /**
     * An empty state whose next entry is {@code startOffset}: for a log that begins there.
     *
     * @param startOffset the first offset to apply.
     */
    public KvStateMachine(final long startOffset)
    {
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            databases.add(new HashMap<>());
            expiring.add(new HashSet<>());
        }
        this.appliedOffset = startOffset;
    }

    @Override
    public void apply(final long offset, final MemorySegment entry)
    {
        if (offset != appliedOffset)
        {
            throw new FerryException(ErrorCode.INTERNAL, "entry " + offset + " applied where " + appliedOffset +
                " was next");
        }
        KvEntry.forEach(entry, offset, this);
        appliedOffset = offset + 1;
    }

    /**
     * Skip an entry that is not this state machine's (the caller decided to go on past it): the offset advances, the
     * state does not change.
     *
     * @param offset the entry's offset: exactly {@link #appliedOffset()}.
     */
    public void skip(final long offset)
    {
        if (offset != appliedOffset)
        {
            throw new FerryException(ErrorCode.INTERNAL, "entry " + offset + " skipped where " + appliedOffset + " was next");
        }
        appliedOffset = offset + 1;
    }

    @Override
    public long appliedOffset()
    {
        return appliedOffset;
    }

    /**
     * @param db        the database.
     * @param key       the key.
     * @param nowMillis the reader's clock, ms since the Unix epoch: a key expired at or before it reads as absent.
     * @return a copy of the value, or null.
     */
    public byte[] get(final int db, final MemorySegment key, final long nowMillis)
    {
        probe.set(key);
        final Value value = databases.get(db).get(probe);
        return value == null || expired(value, nowMillis) ? null : value.bytes.clone();
    }

    /**
     * @return the array holding a key's value, not a copy: for tests of in-place overwrites only.
     */
    byte[] storedValue(final int db, final MemorySegment key)
    {
        probe.set(key);
        final Value value = databases.get(db).get(probe);
        return value == null ? null : value.bytes;
    }

    /**
     * @param db the database.
     * @return how many keys it holds, expired ones included.
     */
    public int size(final int db)
    {
        return databases.get(db).size();
    }

    /**
     * Told each live key of a database in key order.
     */
    @FunctionalInterface
    public interface KeyValueConsumer
    {
        /**
         * @param key          the key's bytes (do not keep).
         * @param value        the value's bytes (do not keep).
         * @param expiryMillis its expiry, or 0.
         */
        void accept(byte[] key, byte[] value, long expiryMillis);
    }

    /**
     * @param db        the database.
     * @param nowMillis keys expired at or before this are left out.
     * @param consumer  told each key in unsigned byte order.
     */
    public void forEachLive(final int db, final long nowMillis, final KeyValueConsumer consumer)
    {
        for (final Map.Entry<Key, Value> e : sorted(databases.get(db)))
        {
            if (!expired(e.getValue(), nowMillis))
            {
                consumer.accept(Arrays.copyOf(e.getKey().bytes, e.getKey().length), e.getValue().bytes,
                    e.getValue().expiryMillis);
            }
        }
    }

    @Override
    public void put(final int db, final MemorySegment entry, final long keyOffset, final int keyLength,
        final long valueOffset, final long valueLength, final long expiryMillis)
    {
        final Map<Key, Value> map = databases.get(db);
        probe.set(entry, keyOffset, keyLength);
        final Value current = map.get(probe);
        if (current != null && current.bytes.length == valueLength)
        {
            MemorySegment.copy(entry, ValueLayout.JAVA_BYTE, valueOffset, current.bytes, 0, current.bytes.length);
            expiry(db, current, expiryMillis);
            return;
        }
        final byte[] bytes = new byte[(int)valueLength];
        MemorySegment.copy(entry, ValueLayout.JAVA_BYTE, valueOffset, bytes, 0, bytes.length);
        if (current != null)
        {
            current.bytes = bytes;
            expiry(db, current, expiryMillis);
            return;
        }
        final Key key = probe.copy();
        map.put(key, new Value(bytes, expiryMillis));
        scanIndexes[db] = null; // a scan would miss the new key
        if (expiryMillis != 0)
        {
            expiring.get(db).add(key);
        }
    }

    @Override
    public void delete(final int db, final MemorySegment key)
    {
        probe.set(key);
        final Value removed = databases.get(db).remove(probe);
        final ScanIndex index = scanIndexes[db];
        if (removed != null && index != null && 2 * ++index.deleted > index.keys.length)
        {
            scanIndexes[db] = null; // half of it is gone: free those keys
        }
        if (removed != null && removed.expiryMillis != 0)
        {
            expiring.get(db).remove(probe);
        }
    }

    @Override
    public void expire(final int db, final MemorySegment key, final long atMillis)
    {
        probe.set(key);
        final Value current = databases.get(db).get(probe);
        if (current != null)
        {
            expiry(db, current, atMillis);
        }
    }

    /** Set an existing key's expiry ({@link #probe} holds the key), keeping {@link #expiring} exact. */
    private void expiry(final int db, final Value current, final long expiryMillis)
    {
        if (current.expiryMillis == 0 && expiryMillis != 0)
        {
            expiring.get(db).add(probe.copy());
        }
        else if (current.expiryMillis != 0 && expiryMillis == 0)
        {
            expiring.get(db).remove(probe);
        }
        current.expiryMillis = expiryMillis;
    }

    @Override
    public void flushDb(final int db)
    {
        databases.get(db).clear();
        expiring.get(db).clear();
        scanIndexes[db] = null;
    }

    @Override
    public void flushAll()
    {
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            flushDb(db);
        }
    }

    @Override
    public void writeSnapshot(final WritableByteChannel out) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer buffer = ByteBuffer.allocate(IO_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long records = 0;
        for (final Map<Key, Value> map : databases)
        {
            records += map.size();
        }
        buffer.put(MAGIC).putLong(appliedOffset).putLong(records);
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            for (final Map.Entry<Key, Value> e : sorted(databases.get(db)))
            {
                final Key key = e.getKey();
                final Value value = e.getValue();
                ensure(buffer, RECORD_HEADER, out, crc);
                buffer.put((byte)db).putShort((short)key.length).putInt(value.bytes.length).putLong(value.expiryMillis);
                put(buffer, key.bytes, key.length, out, crc);
                put(buffer, value.bytes, value.bytes.length, out, crc);
            }
        }
        ensure(buffer, Integer.BYTES, out, crc);
        drain(buffer, out, crc);
        buffer.putInt((int)crc.getValue());
        buffer.flip();
        while (buffer.hasRemaining())
        {
            out.write(buffer);
        }
    }

    @Override
    public void loadSnapshot(final ReadableByteChannel in) throws IOException
    {
        final Reader reader = new Reader(in);
        final byte[] magic = new byte[MAGIC.length];
        reader.read(magic, magic.length);
        if (!Arrays.equals(magic, MAGIC))
        {
            throw badSnapshot("it does not start with " + new String(MAGIC, StandardCharsets.US_ASCII));
        }
        final long offset = reader.readLong();
        final long records = reader.readLong();
        if (offset < 0 || records < 0)
        {
            throw badSnapshot("appliedOffset=" + offset + ", records=" + records);
        }
        final List<Map<Key, Value>> loaded = new ArrayList<>(KvEntry.DATABASES);
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            loaded.add(new HashMap<>());
        }
        for (long r = 0; r < records; r++)
        {
            final int db = reader.readByte() & 0xFF;
            final int keyLength = reader.readShort() & 0xFFFF;
            final long valueLength = Integer.toUnsignedLong(reader.readInt());
            final long expiry = reader.readLong();
            if (db >= KvEntry.DATABASES || valueLength > Integer.MAX_VALUE - 8 || expiry < 0)
            {
                throw badSnapshot("record " + r + " has db=" + db + ", keyLength=" + keyLength + ", valueLength=" +
                    valueLength + ", expiryMillis=" + expiry);
            }
            final byte[] key = new byte[keyLength];
            reader.read(key, keyLength);
            final byte[] value = reader.readBytes((int)valueLength);
            if (loaded.get(db).put(new Key(key, keyLength), new Value(value, expiry)) != null)
            {
                throw badSnapshot("record " + r + " repeats a key of database " + db);
            }
        }
        final int expected = (int)reader.crc.getValue();
        final int stored = reader.readInt();
        if (stored != expected)
        {
            throw new FerryException(ErrorCode.CHECKSUM, "key-value snapshot: CRC32C 0x" + Integer.toHexString(stored) +
                " stored, 0x" + Integer.toHexString(expected) + " computed: the snapshot is damaged");
        }
        if (reader.hasMore())
        {
            throw badSnapshot("bytes follow its checksum");
        }
        databases.clear();
        databases.addAll(loaded);
        Arrays.fill(scanIndexes, null);
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            final Set<Key> keys = expiring.get(db);
            keys.clear();
            databases.get(db).forEach((key, value) ->
            {
                if (value.expiryMillis != 0)
                {
                    keys.add(key);
                }
            });
        }
        appliedOffset = offset;
    }

    /**
     * The value of a live key, for a reader on the applying thread: the stored array, not a copy.
     *
     * @param db        the database.
     * @param key       the key's bytes (not kept).
     * @param nowMillis the reader's clock: a key expired at or before it reads as absent.
     * @return the stored value (do not change or keep it past the next apply), or null.
     */
    public byte[] peek(final int db, final byte[] key, final long nowMillis)
    {
        final Value value = lookup(db, key);
        return value == null || expired(value, nowMillis) ? null : value.bytes;
    }

    /**
     * @param db        the database.
     * @param key       the key's bytes.
     * @param nowMillis the reader's clock.
     * @return the key's absolute expiry in ms, 0 if it has none, or -2 if it is absent (or expired).
     */
    public long expiryOf(final int db, final byte[] key, final long nowMillis)
    {
        final Value value = lookup(db, key);
        return value == null || expired(value, nowMillis) ? -2 : value.expiryMillis;
    }

    private Value lookup(final int db, final byte[] key)
    {
        arrayProbe.bytes = key;
        arrayProbe.length = key.length;
        arrayProbe.hash = Key.hash(key, key.length);
        final Value value = databases.get(db).get(arrayProbe);
        arrayProbe.bytes = null;
        return value;
    }

    /**
     * @param db the database.
     * @return how many of its keys have an expiry, expired ones included.
     */
    public int expiringCount(final int db)
    {
        return expiring.get(db).size();
    }

    /**
     * Told each live key of a database, in no particular order.
     *
     * @param db        the database.
     * @param nowMillis keys expired at or before this are left out.
     * @param consumer  told each key's bytes (do not change them).
     */
    public void forEachKey(final int db, final long nowMillis, final java.util.function.Consumer<byte[]> consumer)
    {
        for (final Map.Entry<Key, Value> e : databases.get(db).entrySet())
        {
            if (!expired(e.getValue(), nowMillis))
            {
                consumer.accept(e.getKey().bytes);
            }
        }
    }

    /**
     * Up to {@code max} keys of a database whose expiry has passed (their removal is the caller's entry to append).
     *
     * @param db        the database.
     * @param nowMillis the clock.
     * @param max       the most to collect.
     * @param out       where the keys go.
     */
    public void collectExpired(final int db, final long nowMillis, final int max, final List<byte[]> out)
    {
        int found = 0;
        for (final Key key : expiring.get(db))
        {
            if (found == max)
            {
                return;
            }
            final Value value = databases.get(db).get(key);
            if (value != null && expired(value, nowMillis))
            {
                out.add(key.bytes);
                found++;
            }
        }
    }

    /**
     * One step of a scan over a database's live keys in the order of their 32-bit hash (unsigned): a key present from
     * the first step to the last is told exactly once, whatever changes in between, as Redis' {@code SCAN} promises.
     * <p>
     * The keys are kept sorted by hash in a {@link ScanIndex}, built at a step (O(keys log keys)) when there is none.
     * A new key drops it (a scan would miss the key), and so does deleting half of it (to free those keys). Deleted
     * keys are skipped until then, and so are expired ones. So a step costs O(log keys + count) plus the deleted and
     * expired keys it passes over; under a stream of new keys, each step builds it again.
     *
     * @param db        the database.
     * @param cursor    0 to start, then what the previous step returned (above 0xFFFFFFFF: nothing is left).
     * @param count     about how many keys to tell (all keys of one hash are told together; below 1 counts as 1).
     * @param nowMillis expired keys are left out.
     * @param out       where the keys go (the stored arrays: do not change them).
     * @return the cursor of the next step, 0 when the scan is complete.
     */
    public long scan(final int db, final long cursor, final int count, final long nowMillis, final List<byte[]> out)
    {
        if (cursor > 0xFFFF_FFFFL)
        {
            return 0; // past every hash
        }
        final Map<Key, Value> map = databases.get(db);
        final ScanIndex index = scanIndex(db, map);
        final int n = index.keys.length;
        final int least = Math.max(count, 1);
        int i = index.firstAtOrAbove((int)Math.max(cursor, 0));
        long last = -1;
        int found = 0;
        for (; i < n; i++)
        {
            scanWork++;
            final Key key = index.keys[i];
            final long h = Integer.toUnsignedLong(key.hash);
            if (found >= least && h != last)
            {
                break; // every key of the last hash is told: this step is done
            }
            if (live(map, key, nowMillis))
            {
                out.add(key.bytes);
                found++;
                last = h;
            }
        }
        if (found == 0)
        {
            return 0;
        }
        for (; i < n; i++) // is a live key left after this step's? (the next step starts at it)
        {
            scanWork++;
            if (live(map, index.keys[i], nowMillis))
            {
                return last == 0xFFFF_FFFFL ? 0 : last + 1;
            }
        }
        return 0;
    }

    /** A database's keys sorted by unsigned hash, as they were when it was built; deleted ones are skipped by reads. */
    private static final class ScanIndex
    {
        final Key[] keys;
        int deleted;

        ScanIndex(final Key[] keys)
        {
            Arrays.sort(keys, (a, b) -> Integer.compareUnsigned(a.hash, b.hash));
            this.keys = keys;
        }

        /** @return the first position whose hash is at or above {@code hash} (unsigned), or the length. */
        int firstAtOrAbove(final int hash)
        {
            int low = 0;
            int high = keys.length;
            while (low < high)
            {
                final int mid = (low + high) >>> 1;
                if (Integer.compareUnsigned(keys[mid].hash, hash) < 0)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }
            return low;
        }
    }

    private ScanIndex scanIndex(final int db, final Map<Key, Value> map)
    {
        final ScanIndex index = scanIndexes[db];
        if (index != null)
        {
            return index;
        }
        scanWork += map.size();
        final ScanIndex built = new ScanIndex(map.keySet().toArray(new Key[0]));
        scanIndexes[db] = built;
        return built;
    }

    /**
     * @return how many keys {@link #scan} has looked at so far (for tests of its cost).
     */
    long scanWork()
    {
        return scanWork;
    }

    /**
     * @param db        the database.
     * @param nowMillis expired keys are left out.
     * @param random    the source of the choice.
     * @return a live key chosen at random (the stored array), or null if there is none.
     */
    public byte[] randomKey(final int db, final long nowMillis, final java.util.random.RandomGenerator random)
    {
        final Map<Key, Value> map = databases.get(db);
        for (int attempt = 0; attempt < 100 && !map.isEmpty(); attempt++)
        {
            int skip = random.nextInt(map.size());
            for (final Map.Entry<Key, Value> e : map.entrySet())
            {
                if (skip-- == 0)
                {
                    if (!expired(e.getValue(), nowMillis))
                    {
                        return e.getKey().bytes;
                    }
                    break;
                }
            }
        }
        for (final Map.Entry<Key, Value> e : map.entrySet())
        {
            if (!expired(e.getValue(), nowMillis))
            {
                return e.getKey().bytes;
            }
        }
        return null;
    }

    private static boolean live(final Map<Key, Value> map, final Key key, final long nowMillis)
    {
        final Value value = map.get(key);
        return value != null && !expired(value, nowMillis);
    }

    private static boolean expired(final Value value, final long nowMillis)
    {
        return value.expiryMillis != 0 && value.expiryMillis <= nowMillis;
    }

    private static List<Map.Entry<Key, Value>> sorted(final Map<Key, Value> map)
    {
        final List<Map.Entry<Key, Value>> entries = new ArrayList<>(map.entrySet());
        entries.sort(Map.Entry.comparingByKey());
        return entries;
    }

    private static void ensure(final ByteBuffer buffer, final int bytes, final WritableByteChannel out, final CRC32C crc)
        throws IOException
    {
        if (buffer.remaining() < bytes)
        {
            drain(buffer, out, crc);
        }
    }

    private static void put(final ByteBuffer buffer, final byte[] bytes, final int length, final WritableByteChannel out,
        final CRC32C crc) throws IOException
    {
        int from = 0;
        while (from < length)
        {
            if (!buffer.hasRemaining())
            {
                drain(buffer, out, crc);
            }
            final int n = Math.min(buffer.remaining(), length - from);
            buffer.put(bytes, from, n);
            from += n;
        }
    }

    private static void drain(final ByteBuffer buffer, final WritableByteChannel out, final CRC32C crc) throws IOException
    {
        buffer.flip();
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining())
        {
            out.write(buffer);
        }
        buffer.clear();
    }

    private static FerryException badSnapshot(final String what)
    {
        return new FerryException(ErrorCode.APPLY, "not a key-value snapshot this build reads: " + what);
    }

    /** Reads the snapshot stream through a buffer, CRC32C over every byte read (the trailing CRC read apart). */
    private static final class Reader
    {
        private final ReadableByteChannel in;
        private final ByteBuffer buffer = ByteBuffer.allocate(IO_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private boolean eof;

        Reader(final ReadableByteChannel in)
        {
            this.in = in;
            buffer.flip();
        }

        private void fill(final int bytes) throws IOException
        {
            while (buffer.remaining() < bytes && !eof)
            {
                buffer.compact();
                final int read = in.read(buffer);
                buffer.flip();
                eof = read < 0;
            }
            if (buffer.remaining() < bytes)
            {
                throw new FerryException(ErrorCode.APPLY, "key-value snapshot ends early",
                    new EOFException("needed " + bytes + " more bytes"));
            }
        }

        private void consumed(final int from, final int length)
        {
            crc.update(buffer.array(), buffer.arrayOffset() + from, length);
        }

        /** The buffer positioned at {@code bytes} whole bytes, counted in the CRC32C. */
        private ByteBuffer take(final int bytes) throws IOException
        {
            fill(bytes);
            consumed(buffer.position(), bytes);
            return buffer;
        }

        byte readByte() throws IOException
        {
            return take(1).get();
        }

        short readShort() throws IOException
        {
            return take(2).getShort();
        }

        int readInt() throws IOException
        {
            return take(4).getInt();
        }

        long readLong() throws IOException
        {
            return take(8).getLong();
        }

        void read(final byte[] dst, final int length) throws IOException
        {
            int from = 0;
            while (from < length)
            {
                fill(1);
                final int n = Math.min(buffer.remaining(), length - from);
                consumed(buffer.position(), n);
                buffer.get(dst, from, n);
                from += n;
            }
        }

        /** Reads {@code length} bytes, growing the array as they arrive: a hostile length never allocates ahead. */
        byte[] readBytes(final int length) throws IOException
        {
            byte[] dst = new byte[Math.min(length, IO_CHUNK)];
            int from = 0;
            while (from < length)
            {
                fill(1);
                final int n = Math.min(buffer.remaining(), length - from);
                if (from + n > dst.length)
                {
                    dst = Arrays.copyOf(dst, (int)Math.min(length, Math.max(from + n, 2L * dst.length)));
                }
                consumed(buffer.position(), n);
                buffer.get(dst, from, n);
                from += n;
            }
            return dst;
        }

        boolean hasMore() throws IOException
        {
            if (buffer.hasRemaining())
            {
                return true;
            }
            buffer.clear();
            final int read = in.read(buffer);
            buffer.flip();
            return read > 0;
        }
    }
}
