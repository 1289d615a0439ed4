package dev.ferry.engine.state;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.ferry.engine.state.KvEntryWriter.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-value entry layout, read as hostile input: every malformed entry is an APPLY error naming the offset, and
 * nothing of it is applied.
 */
class KvEntryTest
{
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void shouldRoundTripEveryOperationInOrder()
    {
        final KvEntryWriter writer = new KvEntryWriter(16);
        writer.put(0, "a", "1").put(3, utf8("b"), utf8("2"), NOW + 5).delete(0, utf8("c")).expire(1, utf8("d"), NOW)
            .flushDb(15).flushAll();
        final List<String> seen = new ArrayList<>();
        final int count = KvEntry.forEach(writer.entry(), 7, new KvEntry.Operations()
        {
            @Override
            public void put(final int db, final MemorySegment entry, final long keyOffset, final int keyLength,
                final long valueOffset, final long valueLength, final long expiryMillis)
            {
                seen.add("PUT " + db + " " + text(entry.asSlice(keyOffset, keyLength)) + " " +
                    text(entry.asSlice(valueOffset, valueLength)) + " " + expiryMillis);
            }

            @Override
            public void delete(final int db, final MemorySegment key)
            {
                seen.add("DELETE " + db + " " + text(key));
            }

            @Override
            public void expire(final int db, final MemorySegment key, final long atMillis)
            {
                seen.add("EXPIRE " + db + " " + text(key) + " " + atMillis);
            }

            @Override
            public void flushDb(final int db)
            {
                seen.add("FLUSH_DB " + db);
            }

            @Override
            public void flushAll()
            {
                seen.add("FLUSH_ALL");
            }
        });
        assertEquals(6, count);
        assertEquals(List.of("PUT 0 a 1 0", "PUT 3 b 2 " + (NOW + 5), "DELETE 0 c", "EXPIRE 1 d " + NOW, "FLUSH_DB 15",
            "FLUSH_ALL"), seen);
    }

    @Test
    void shouldMatchTheDrawnLayoutByteForByte()
    {
        final byte[] entry = new KvEntryWriter(8).put(2, "k", "vv").entry().toArray(ValueLayout.JAVA_BYTE);
        // version 1, reserved, opCount 1 | PUT, db 2, flags 0, keyLength 1, valueLength 2 | "k" "vv"
        assertArrayEquals(new byte[]{1, 0, 1, 0, 1, 2, 0, 1, 0, 2, 0, 0, 0, 'k', 'v', 'v'}, entry);
    }

    @Test
    void shouldRefuseEachMalformedEntryWithApplyNamingTheOffset()
    {
        final byte[] good = new KvEntryWriter(8).put(2, "k", "vv").entry().toArray(ValueLayout.JAVA_BYTE);
        assertMalformed(new byte[]{1, 0}, "shorter than");
        assertMalformed(with(good, 0, 2), "layout version 2");
        assertMalformed(with(good, 1, 1), "reserved");
        assertMalformed(with(good, 2, 0), "no operation");
        assertMalformed(with(good, 4, 9), "unknown opcode 9");
        assertMalformed(with(good, 5, 16), "database 16");
        assertMalformed(with(good, 6, 2), "unknown flags");
        assertMalformed(with(with(good, 7, 0), 8, 0), "1 bytes after its last operation"); // an empty key, one byte left
        assertMalformed(with(good, 9, 3), "ends inside operation 0");
        assertMalformed(java.util.Arrays.copyOf(good, good.length + 1), "after its last operation");
        assertMalformed(with(good, 2, 2), "ends inside operation 1");
        final byte[] expire = new KvEntryWriter(8).expire(0, utf8("k"), NOW).entry().toArray(ValueLayout.JAVA_BYTE);
        for (int i = 6; i < 14; i++)
        {
            expire[i] = 0;
        }
        assertMalformed(expire, "atMillis=0");
    }

    @Test
    void shouldApplyNothingOfAnEntryWhoseLaterOperationIsMalformed()
    {
        final byte[] entry = new KvEntryWriter(8).put(0, "first", "1").put(0, "second", "2").entry()
            .toArray(ValueLayout.JAVA_BYTE);
        entry[entry.length - 9] = 77; // the second PUT's db byte
        final KvStateMachine state = new KvStateMachine();
        final FerryException ex = assertThrows(FerryException.class, () -> state.apply(0, MemorySegment.ofArray(entry)));
        assertEquals(ErrorCode.APPLY, ex.code());
        assertNull(state.get(0, utf8("first"), NOW), "all or none");
        assertEquals(0, state.appliedOffset());
    }

    /** Hostile bytes: anything but an APPLY error, or a clean decode, is a bug. */
    @Test
    void shouldNeverThrowAnythingButApplyOnRandomAndMutatedBytes()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[] seed = new KvEntryWriter(64).put(1, "key", "value").delete(2, utf8("x")).expire(3, utf8("y"), NOW)
            .flushDb(4).flushAll().entry().toArray(ValueLayout.JAVA_BYTE);
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] bytes = random.nextInt(4) == 0 ? randomBytes(random) : mutate(seed, random);
            try
            {
                new KvStateMachine().apply(0, MemorySegment.ofArray(bytes));
            }
            catch (final FerryException ex)
            {
                assertEquals(ErrorCode.APPLY, ex.code(), ex.getMessage());
                assertTrue(ex.getMessage().contains("offset 0"), ex.getMessage());
            }
        }
    }

    private static byte[] randomBytes(final SplittableRandom random)
    {
        final byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean())
        {
            bytes[0] = 1;
        }
        return bytes;
    }

    private static byte[] mutate(final byte[] seed, final SplittableRandom random)
    {
        final byte[] bytes = java.util.Arrays.copyOf(seed, Math.max(1, seed.length + random.nextInt(-3, 4)));
        for (int flips = random.nextInt(1, 4); flips > 0; flips--)
        {
            bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] with(final byte[] bytes, final int index, final int value)
    {
        final byte[] copy = bytes.clone();
        copy[index] = (byte)value;
        return copy;
    }

    private static void assertMalformed(final byte[] entry, final String expected)
    {
        final FerryException ex = assertThrows(FerryException.class,
            () -> KvEntry.validate(MemorySegment.ofArray(entry), 123));
        assertEquals(ErrorCode.APPLY, ex.code());
        assertTrue(ex.getMessage().contains("offset 123"), ex.getMessage());
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    private static String text(final MemorySegment segment)
    {
        return new String(segment.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
