package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The chained checksum: stored with every entry, equal on two WALs that hold the same payloads at the same offsets,
 * different from the first differing entry on, kept across restarts and truncations, readable before the oldest
 * entry, and checked entry by entry by {@link Wal#verifyChain}.
 */
class WalChainTest
{
    @TempDir
    Path dir;

    private WalConfig config(final String name)
    {
        return new WalConfig().directory(dir.resolve(name)).minFreeBytes(0);
    }

    private static byte[] payload(final long offset)
    {
        return ("entry-" + offset + "-" + "y".repeat((int)(offset % 23))).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldInvertEveryStep()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++)
        {
            final int previous = random.nextInt();
            final int crc = random.nextInt();
            final int length = random.nextInt(1 << 20);
            assertEquals(previous, Chain.previous(Chain.next(previous, crc, length), crc, length));
        }
    }

    @Test
    void shouldStoreTheFoldOfEveryEntryAndContinueAcrossReopen()
    {
        int expected = Chain.SEED;
        try (Wal wal = Wal.open(config("a")))
        {
            for (long i = 0; i < 100; i++)
            {
                wal.append(payload(i));
                expected = Chain.next(expected, Crc32c.compute(MemorySegment.ofArray(payload(i)), 0, payload(i).length),
                    payload(i).length);
                assertEquals(Chain.unsigned(expected), wal.chain(i));
            }
        }
        try (Wal wal = Wal.open(config("a")))
        {
            wal.append(payload(100));
            expected = Chain.next(expected, Crc32c.compute(MemorySegment.ofArray(payload(100)), 0, payload(100).length),
                payload(100).length);
            assertEquals(Chain.unsigned(expected), wal.chain(100), "the chain goes on from the last entry after a reopen");
            assertEquals(wal.chain(99), wal.chainBefore(100));
            assertEquals(Chain.unsigned(Chain.SEED), wal.chainBefore(0));
            assertEquals(-1, wal.chain(101));
            assertEquals(-1, wal.verifyChain(0));
        }
    }

    @Test
    void shouldAgreeOnEqualWalsAndDifferFromTheFirstDifferentEntryOn()
    {
        try (Wal a = Wal.open(config("a")); Wal b = Wal.open(config("b")); Wal c = Wal.open(config("c")))
        {
            for (long i = 0; i < 50; i++)
            {
                a.append(payload(i));
                final MemorySegment p = MemorySegment.ofArray(payload(i));
                b.appendAt(i, 42, Crc32c.compute(p, 0, p.byteSize()), p); // a replica: other timestamps, same chain
                c.append(i == 20 ? payload(i + 1000) : payload(i));
            }
            for (long i = 0; i < 50; i++)
            {
                assertEquals(a.chain(i), b.chain(i), "offset " + i);
                if (i < 20)
                {
                    assertEquals(a.chain(i), c.chain(i), "offset " + i);
                }
                else
                {
                    assertNotEquals(a.chain(i), c.chain(i), "offset " + i + ": the difference at 20 carries on");
                }
            }
        }
    }

    @Test
    void shouldStartFromTheGivenChainAndUndoItBeforeTheOldestEntry()
    {
        final int carried = 0x5EED_C0DE;
        try (Wal wal = Wal.open(config("a").firstOffset(1000).firstChain(carried)))
        {
            assertEquals(Chain.unsigned(carried), wal.chainBefore(1000), "empty: the chain it starts from");
            wal.append(payload(1000));
            wal.append(payload(1001));
            assertEquals(Chain.unsigned(carried), wal.chainBefore(1000), "undone from the oldest entry");
            assertEquals(-1, wal.verifyChain(0));
        }
        try (Wal replica = Wal.open(config("b")))
        {
            replica.seedChain(carried);
            final MemorySegment p = MemorySegment.ofArray(payload(1000));
            replica.appendAt(1000, 1, Crc32c.compute(p, 0, p.byteSize()), p);
            assertThrows(WalException.class, () -> replica.seedChain(1), "only an empty WAL takes a chain");
            try (Wal primary = Wal.open(config("a")))
            {
                assertEquals(primary.chain(1000), replica.chain(1000));
            }
        }
    }

    @Test
    void shouldKeepTheChainAndTheOwnersDirectoriesThroughATruncation() throws IOException
    {
        Files.createDirectories(dir.resolve("a").resolve("state"));
        Files.writeString(dir.resolve("a").resolve("state").resolve("snapshot"), "kept");
        try (Wal wal = Wal.open(config("a")))
        {
            for (long i = 0; i < 30; i++)
            {
                wal.append(payload(i));
            }
            final long at9 = wal.chain(9);
            try (Wal truncated = wal.truncateAfter(9))
            {
                assertEquals(at9, truncated.chain(9));
                truncated.append(payload(10));
                assertEquals(-1, truncated.verifyChain(0));
            }
            assertEquals("kept", Files.readString(dir.resolve("a").resolve("state").resolve("snapshot")),
                "a directory the WAL's owner keeps inside it survives the truncation");
        }
    }

    @Test
    void shouldFindAChangedPayloadByte() throws IOException
    {
        try (Wal wal = Wal.open(config("a")))
        {
            for (long i = 0; i < 200; i++)
            {
                wal.append(payload(i));
            }
        }
        WalBytes.flip(dir.resolve("a"), payload(137), 2, 0x20);
        try (Wal wal = Wal.open(config("a")))
        {
            assertEquals(137, wal.verifyChain(0));
            assertEquals(137, wal.verifyChain(100));
            assertEquals(-1, wal.verifyChain(138));
        }
    }
}
