package dev.ferry.engine.follow;

import dev.ferry.engine.serve.CursorBatcher;
import dev.ferry.error.ErrorCode;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalException;
import dev.ferry.wal.frame.BatchEncoder;
import dev.ferry.wal.frame.FrameHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sender's {@link CursorBatcher} and the receiver's {@link BatchAppender} end to end through a frame, without a
 * socket: offsets kept, duplicates checked and skipped, gaps and diverging resends refused, an empty WAL seeded
 * anywhere.
 */
class BatchAppenderTest
{
    private static byte[] payload(final long offset)
    {
        return ("entry-" + offset).getBytes(StandardCharsets.UTF_8);
    }

    @TempDir
    Path dir;

    private final MemorySegment frame = Arena.ofAuto().allocate(1 << 20);
    private final BatchEncoder encoder = new BatchEncoder(FrameHeader.MAX_FRAME_BYTES_DEFAULT);

    private int encode(final WalCursor cursor, final int maxEntries)
    {
        encoder.wrap(frame, 0, 1 << 20).firstOffset(cursor.nextOffset());
        new CursorBatcher(64 * 1024).fill(cursor, encoder, maxEntries);
        return encoder.commit();
    }

    @Test
    void shouldCopyBatchesAtTheSendersOffsetsSkippingDuplicatesAndRefusingGaps()
    {
        try (Wal primary = Wal.open(new WalConfig().directory(dir.resolve("p")).firstOffset(100).minFreeBytes(0));
             Wal replica = Wal.open(new WalConfig().directory(dir.resolve("r")).minFreeBytes(0));
             WalCursor cursor = primary.cursor())
        {
            for (int i = 0; i < 30; i++)
            {
                primary.append(payload(100 + i));
            }
            final BatchAppender appender = new BatchAppender(replica, FrameHeader.MAX_FRAME_BYTES_DEFAULT);
            assertEquals(SeekResult.FOUND, cursor.seek(100));
            int length = encode(cursor, 10); // 100..109
            assertEquals(10, appender.append(frame, 0, length, null, 100), "an empty WAL starts where the sender says");
            assertEquals(100, replica.oldestOffset());
            assertEquals(0, appender.append(frame, 0, length, null, replica.nextOffset()), "a repeat writes nothing");

            length = encode(cursor, 10); // 110..119 skipped to make a gap
            length = encode(cursor, 10); // 120..129
            assertEquals(BatchAppender.GAP, appender.append(frame, 0, length, null, replica.nextOffset()));
            assertEquals(110, replica.nextOffset());

            assertEquals(SeekResult.FOUND, cursor.seek(105));
            length = encode(cursor, 20); // 105..124 overlaps 105..109
            assertEquals(15, appender.append(frame, 0, length, null, replica.nextOffset()));
            assertEquals(125, replica.nextOffset());
            try (WalCursor check = replica.cursor())
            {
                final long[] expected = {100};
                check.poll(e -> e.offset() == expected[0]++ && e.crcMatches(), Integer.MAX_VALUE);
                assertEquals(125, expected[0]);
            }
        }
    }

    @Test
    void shouldRefuseAResentBatchThatDiffersFromWhatTheWalHolds()
    {
        try (Wal primary = Wal.open(new WalConfig().directory(dir.resolve("p")).minFreeBytes(0));
             Wal other = Wal.open(new WalConfig().directory(dir.resolve("o")).minFreeBytes(0));
             Wal replica = Wal.open(new WalConfig().directory(dir.resolve("r")).minFreeBytes(0));
             WalCursor cursor = primary.cursor();
             WalCursor otherCursor = other.cursor();
             BatchAppender appender = new BatchAppender(replica, FrameHeader.MAX_FRAME_BYTES_DEFAULT))
        {
            for (int i = 0; i < 10; i++)
            {
                primary.append(payload(i));
                other.append(payload(i < 5 ? i : 100 + i)); // the same history up to 4, then another
            }
            assertEquals(10, appender.append(frame, 0, encode(cursor, 10), null, 0));

            assertEquals(SeekResult.FOUND, otherCursor.seek(0));
            final int length = encode(otherCursor, 10);
            final WalException diverged = assertThrows(WalException.class,
                () -> appender.append(frame, 0, length, null, replica.nextOffset()));
            assertEquals(ErrorCode.DIVERGED, diverged.code());
            assertTrue(diverged.getMessage().contains("appendAt(5)"), diverged.getMessage());
            assertEquals(10, replica.nextOffset(), "nothing written");
        }
    }
}
