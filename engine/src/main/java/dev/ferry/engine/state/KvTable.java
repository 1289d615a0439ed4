package dev.ferry.engine.state;

import java.util.Arrays;

/**
 * One database of the {@link KvStateMachine}: an open-addressing hash table of records, linear probing, at most half
 * full, deletion by backward shift (no tombstones). Not thread-safe.
 * <p>
 * Why not a {@code HashMap<Key, Value>}: a PUT over a state larger than the CPU's caches is a chain of cache misses,
 * and the map's layout costs six of them (the bucket, its node, the key object, the key's bytes, the value object, the
 * value's bytes). Here a record is the key and the value in one object that the slot points at, so a PUT of an
 * existing key costs four: the slot, the record, the key's bytes, the value's bytes. The probe sequence is the slot
 * array itself, read in order, and the record's hash is compared before its key bytes are read.
 */
final class KvTable
{
    /** A key with its value and expiry: what a slot holds. Its key bytes are exactly its length. */
    static final class Record extends KvStateMachine.Key
    {
        byte[] value;
        long expiryMillis;

        Record(final byte[] key, final int hash, final byte[] value, final long expiryMillis)
        {
            super(key, key.length, hash);
            this.value = value;
            this.expiryMillis = expiryMillis;
        }
    }

    private static final int MIN_CAPACITY = 16;

    private Record[] slots = new Record[MIN_CAPACITY];
    private int mask = MIN_CAPACITY - 1;
    private int shift = Integer.SIZE - Integer.numberOfTrailingZeros(MIN_CAPACITY);
    private int size;

    /**
     * @param key a key (a probe: its bytes may be longer than its length).
     * @return its record, or null.
     */
    Record get(final KvStateMachine.Key key)
    {
        final Record[] slots = this.slots;
        for (int i = home(key.hash); ; i = (i + 1) & mask)
        {
            final Record r = slots[i];
            if (r == null || matches(r, key))
            {
                return r;
            }
        }
    }

    /**
     * Add a record whose key is absent (the caller looked it up first).
     *
     * @param record the record.
     */
    void add(final Record record)
    {
        if (2 * (size + 1) > slots.length)
        {
            resize(2 * slots.length);
        }
        place(slots, record);
        size++;
    }

    /**
     * @param key a key.
     * @return its record, now removed, or null.
     */
    Record remove(final KvStateMachine.Key key)
    {
        final Record[] slots = this.slots;
        int i = home(key.hash);
        Record r;
        while ((r = slots[i]) != null && !matches(r, key))
        {
            i = (i + 1) & mask;
        }
        if (r == null)
        {
            return null;
        }
        // backward shift: move up each later record of the run that may live at the freed slot
        int free = i;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask)
        {
            final int home = home(slots[j].hash);
            if (((j - home) & mask) >= ((j - free) & mask))
            {
                slots[free] = slots[j];
                free = j;
            }
        }
        slots[free] = null;
        size--;
        return r;
    }

    int size()
    {
        return size;
    }

    void clear()
    {
        slots = new Record[MIN_CAPACITY];
        mask = MIN_CAPACITY - 1;
        shift = Integer.SIZE - Integer.numberOfTrailingZeros(MIN_CAPACITY);
        size = 0;
    }

    /**
     * @return the number of slots: with {@link #at(int)}, how a caller goes through the records without allocating.
     */
    int capacity()
    {
        return slots.length;
    }

    /**
     * @param slot a slot, below {@link #capacity()}.
     * @return its record, or null.
     */
    Record at(final int slot)
    {
        return slots[slot];
    }

    /**
     * @return the records in unsigned key order (a new array).
     */
    Record[] sorted()
    {
        final Record[] records = new Record[size];
        int n = 0;
        for (final Record r : slots)
        {
            if (r != null)
            {
                records[n++] = r;
            }
        }
        Arrays.sort(records);
        return records;
    }

    private int home(final int hash)
    {
        return (hash ^ (hash >>> 16)) & mask; // as HashMap spreads: keys with near hashes get near slots
    }

    private static boolean matches(final Record r, final KvStateMachine.Key key)
    {
        return r.hash == key.hash && r.length == key.length && Arrays.equals(r.bytes, 0, r.length, key.bytes, 0, key.length);
    }

    private void place(final Record[] slots, final Record record)
    {
        int i = home(record.hash);
        while (slots[i] != null)
        {
            i = (i + 1) & mask;
        }
        slots[i] = record;
    }

    private void resize(final int capacity)
    {
        final Record[] old = slots;
        slots = new Record[capacity];
        mask = capacity - 1;
        shift = Integer.SIZE - Integer.numberOfTrailingZeros(capacity);
        for (final Record r : old)
        {
            if (r != null)
            {
                place(slots, r);
            }
        }
    }
}
