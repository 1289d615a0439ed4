package dev.ferry.wal.frame;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.codec.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.wal.frame.BatchFlyweight.CODEC_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.COUNT_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRIES_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_HEADER_LENGTH;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_LENGTH_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.FIRST_OFFSET_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.UNCOMPRESSED_LENGTH_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch frames whose frame CRC is right but whose fields lie: each is rejected with a {@link FrameException} before
 * any entry is delivered.
 */
class FrameHostileBatchTest
{
    private static final List<byte[]> PAYLOADS =
        List.of(FrameFixtures.text(50, 1), FrameFixtures.text(0, 2), FrameFixtures.text(70, 3));

    private final FrameFixtures fixtures = new FrameFixtures();
    private final MemorySegment buffer = fixtures.frameBuffer;
    private final List<Long> delivered = new ArrayList<>();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectHugeCount(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        buffer.set(INT_LE, COUNT_OFFSET, -1);
        assertRejected(length, FrameException.Reason.BAD_FIELD);

        buffer.set(INT_LE, COUNT_OFFSET, buffer.get(INT_LE, UNCOMPRESSED_LENGTH_OFFSET) / ENTRY_HEADER_LENGTH + 1);
        assertRejected(length, FrameException.Reason.BAD_FIELD);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectCountNotMatchingEntries(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        buffer.set(INT_LE, COUNT_OFFSET, PAYLOADS.size() + 1);
        assertRejected(length, FrameException.Reason.LENGTH_MISMATCH);

        buffer.set(INT_LE, COUNT_OFFSET, PAYLOADS.size() - 1);
        assertRejected(length, FrameException.Reason.LENGTH_MISMATCH);

        buffer.set(INT_LE, COUNT_OFFSET, 0);
        assertRejected(length, FrameException.Reason.LENGTH_MISMATCH);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectHugeUncompressedLength(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        buffer.set(INT_LE, UNCOMPRESSED_LENGTH_OFFSET, -1);
        assertRejected(length, FrameException.Reason.BAD_FIELD);

        buffer.set(INT_LE, UNCOMPRESSED_LENGTH_OFFSET, BatchFlyweight.maxEntriesLength(fixtures.maxFrameBytes) + 1);
        assertRejected(length, FrameException.Reason.BAD_FIELD);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectUncompressedLengthNotMatchingEntries(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        final int actual = buffer.get(INT_LE, UNCOMPRESSED_LENGTH_OFFSET);
        final FrameException.Reason reason =
            Codec.NONE == codec ? FrameException.Reason.LENGTH_MISMATCH : FrameException.Reason.COMPRESSION;
        for (final int declared : new int[]{ actual - 1, actual + 1, actual + 16 })
        {
            buffer.set(INT_LE, UNCOMPRESSED_LENGTH_OFFSET, declared);
            final FrameException ex = assertRejected(length, reason);
            if (Codec.NONE != codec)
            {
                assertSame(ErrorCode.COMPRESSION, ex.code());
            }
        }
    }

    @Test
    void shouldRejectEntryLengthPastTheEnd()
    {
        final int length = fixtures.encode(Codec.NONE, 0, PAYLOADS);
        final long lastEntry = ENTRIES_OFFSET + 2L * ENTRY_HEADER_LENGTH + PAYLOADS.get(0).length;
        final long lengthField = lastEntry + ENTRY_LENGTH_OFFSET;

        buffer.set(INT_LE, lengthField, -1);
        assertRejected(length, FrameException.Reason.BAD_FIELD);

        buffer.set(INT_LE, lengthField, PAYLOADS.get(2).length + 1);
        assertRejected(length, FrameException.Reason.BAD_FIELD);

        buffer.set(INT_LE, lengthField, Integer.MAX_VALUE);
        assertRejected(length, FrameException.Reason.BAD_FIELD);

        // the first entry claims the second's header: the walk ends out of step with count
        buffer.set(INT_LE, lengthField, PAYLOADS.get(2).length);
        buffer.set(INT_LE, ENTRIES_OFFSET + ENTRY_LENGTH_OFFSET, PAYLOADS.get(0).length + ENTRY_HEADER_LENGTH);
        assertRejected(length, FrameException.Reason.LENGTH_MISMATCH);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRejectOffsetOverflow(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        for (final long firstOffset : new long[]{ Long.MAX_VALUE, Long.MAX_VALUE - 2, -1L, Long.MIN_VALUE })
        {
            buffer.set(LONG_LE, FIRST_OFFSET_OFFSET, firstOffset);
            assertRejected(length, FrameException.Reason.BAD_FIELD);
        }

        buffer.set(LONG_LE, FIRST_OFFSET_OFFSET, Long.MAX_VALUE - PAYLOADS.size());
        assertAccepted(length);
        assertEquals(List.of(Long.MAX_VALUE - 3, Long.MAX_VALUE - 2, Long.MAX_VALUE - 1), delivered);
    }

    @Test
    void shouldRejectUnknownCodec()
    {
        final int length = fixtures.encode(Codec.NONE, 0, PAYLOADS);
        for (final int codecId : new int[]{ 3, 127, 255 })
        {
            buffer.set(BYTE, CODEC_OFFSET, (byte)codecId);
            final FrameException ex = assertRejected(length, FrameException.Reason.UNKNOWN_CODEC);
            assertSame(ErrorCode.COMPRESSION, ex.code());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = { "SNAPPY", "ZSTD" })
    void shouldRejectCompressedBatchWhenReceiverHasNoScratch(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        fixtures.frameDecoder.verify(buffer.asSlice(0, length));
        final FrameException ex = assertThrows(
            FrameException.class, () -> fixtures.batchDecoder.decode(buffer.asSlice(0, length), null, this::record));
        assertSame(FrameException.Reason.UNKNOWN_CODEC, ex.reason());
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = { "SNAPPY", "ZSTD" })
    void shouldRejectCorruptCompressedRegion(final Codec codec)
    {
        final int length = fixtures.encode(codec, 0, PAYLOADS);
        buffer.asSlice(ENTRIES_OFFSET, length - ENTRIES_OFFSET).fill((byte)0x5A);
        final FrameException ex = assertRejected(length, FrameException.Reason.COMPRESSION);
        assertSame(ErrorCode.COMPRESSION, ex.code());
    }

    @Test
    void shouldRejectEntryChecksumMismatchNamingTheOffset()
    {
        final int length = fixtures.encode(Codec.NONE, 900, PAYLOADS);
        final long thirdPayload = ENTRIES_OFFSET + 3L * ENTRY_HEADER_LENGTH + PAYLOADS.get(0).length;
        buffer.set(BYTE, thirdPayload, (byte)(buffer.get(BYTE, thirdPayload) ^ 0x10));
        FrameFixtures.reseal(buffer, length);
        fixtures.frameDecoder.verify(buffer.asSlice(0, length));

        final FrameException ex = assertThrows(
            FrameException.class,
            () -> fixtures.batchDecoder.decode(buffer.asSlice(0, length), fixtures.decodeScratch, this::record));
        assertSame(FrameException.Reason.BAD_ENTRY_CHECKSUM, ex.reason());
        assertSame(ErrorCode.CHECKSUM, ex.code());
        assertTrue(ex.getMessage().contains("offset 902"), ex.getMessage());
        assertEquals(List.of(900L, 901L), delivered);
    }

    @Test
    void shouldRejectNonBatchFrameAndTruncatedHeader()
    {
        final int length = fixtures.encode(Codec.NONE, 0, PAYLOADS);
        buffer.set(BYTE, FrameHeader.TYPE_OFFSET, (byte)MessageType.ACK.value());
        FrameFixtures.reseal(buffer, length);
        assertEquals(
            FrameException.Reason.UNKNOWN_TYPE,
            assertThrows(FrameException.class, () -> fixtures.batchDecoder.wrap(buffer.asSlice(0, length))).reason());

        buffer.set(INT_LE, FrameHeader.LENGTH_OFFSET, ENTRIES_OFFSET - 1);
        assertEquals(
            FrameException.Reason.TOO_SHORT,
            assertThrows(
                FrameException.class,
                () -> fixtures.batchDecoder.wrap(buffer.asSlice(0, ENTRIES_OFFSET - 1))).reason());
    }

    private void record(final long offset, final long timestampNs, final MemorySegment payload)
    {
        delivered.add(offset);
    }

    private FrameException assertRejected(final int length, final FrameException.Reason reason)
    {
        FrameFixtures.reseal(buffer, length);
        final MemorySegment frame = buffer.asSlice(0, length);
        fixtures.frameDecoder.verify(frame);
        final FrameException ex = assertThrows(
            FrameException.class, () -> fixtures.batchDecoder.decode(frame, fixtures.decodeScratch, this::record));
        assertSame(reason, ex.reason(), ex.getMessage());
        assertEquals(List.of(), delivered, "entries delivered before the rejection");
        return ex;
    }

    private void assertAccepted(final int length)
    {
        FrameFixtures.reseal(buffer, length);
        final MemorySegment frame = buffer.asSlice(0, length);
        fixtures.frameDecoder.verify(frame);
        assertEquals(PAYLOADS.size(), fixtures.batchDecoder.decode(frame, fixtures.decodeScratch, this::record));
    }
}
