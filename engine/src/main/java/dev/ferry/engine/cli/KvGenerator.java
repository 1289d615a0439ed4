package dev.ferry.engine.cli;

import dev.ferry.engine.state.KvEntryWriter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The entries {@code ferry primary --generate} writes under {@code --state kv}: entry {@code i} is a PUT in database 0
 * of key {@code key:(i mod K)} to the generator's value. Keys and the entry are built in reused buffers: generating
 * allocates nothing per entry. Single-threaded.
 */
final class KvGenerator
{
    private static final byte[] PREFIX = {'k', 'e', 'y', ':'};

    private final KvEntryWriter writer;
    private final long keys;
    private final byte[] key = new byte[PREFIX.length + 20];
    private final MemorySegment keySegment = MemorySegment.ofArray(key);

    /**
     * @param valueBytes the value size.
     * @param keys       how many distinct keys, at least 1.
     */
    KvGenerator(final int valueBytes, final long keys)
    {
        this.writer = new KvEntryWriter(64 + valueBytes);
        this.keys = keys;
        System.arraycopy(PREFIX, 0, key, 0, PREFIX.length);
    }

    /**
     * @param i     the entry's number.
     * @param value the value to put.
     * @return the entry, valid until the next call.
     */
    MemorySegment entry(final long i, final MemorySegment value)
    {
        final int length = PREFIX.length + digits(i % keys);
        return writer.reset().put(0, keySegment.asSlice(0, length), value, 0).entry();
    }

    /** Writes {@code n}'s decimal digits after the prefix; returns how many. */
    private int digits(final long n)
    {
        int count = 1;
        for (long rest = n / 10; rest > 0; rest /= 10)
        {
            count++;
        }
        long rest = n;
        for (int i = count - 1; i >= 0; i--)
        {
            key[PREFIX.length + i] = (byte)('0' + rest % 10);
            rest /= 10;
        }
        return count;
    }

    /**
     * @param i the entry's number.
     * @return its key, as text (for tests).
     */
    String key(final long i)
    {
        final int length = PREFIX.length + digits(i % keys);
        return new String(keySegment.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.US_ASCII);
    }
}
