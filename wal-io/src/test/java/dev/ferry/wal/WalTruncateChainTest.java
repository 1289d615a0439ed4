package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Review: truncating a WAL to empty (truncateAfter(oldest - 1), e.g. repairDamagedTail when its oldest entry is
 * damaged, or a TRUNCATE whose start is the replica's oldest) forgets the chain before the oldest entry unless the
 * WAL's config happened to carry it: the emptied WAL then chains from Chain.SEED, and its next HELLO's lastChain is
 * wrong, so the primary answers DIVERGED.
 */
class WalTruncateChainTest
{
    @TempDir
    Path dir;

    @Test
    void truncatingToEmptyKeepsTheChainBeforeTheOldest()
    {
        final int seeded = 0x1234_5678;
        try (Wal wal = Wal.open(new WalConfig().directory(dir.resolve("w")).minFreeBytes(0).firstOffset(100)))
        {
            wal.seedChain(seeded); // a replica that started from its primary's oldest retained offset, 100
            for (int i = 0; i < 3; i++)
            {
                wal.append(("entry-" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(Chain.unsigned(seeded), wal.chainBefore(100));
        }
        // restarted: opened as a node opens it (no firstChain in its settings), then its oldest entry found damaged
        final Wal reopened = Wal.open(new WalConfig().directory(dir.resolve("w")).minFreeBytes(0));
        assertEquals(Chain.unsigned(seeded), reopened.chainBefore(100), "undone from the oldest entry");
        try (Wal truncated = reopened.truncateAfter(99))
        {
            assertEquals(100, truncated.nextOffset());
            assertEquals(Chain.unsigned(seeded), truncated.chainBefore(100),
                "the emptied WAL forgot the chain before offset 100");
        }
    }
}
