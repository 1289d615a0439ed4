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
import java.util.Random;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameBatchRoundTripTest
{
    private FrameFixtures fixtures = new FrameFixtures();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRoundTripEmptyBatch(final Codec codec)
    {
        final int length = fixtures.encode(codec, 42, List.of());

        assertEquals(BatchFlyweight.ENTRIES_OFFSET, length);
        assertEquals(List.of(), fixtures.decode(fixtures.frameBuffer, length));
        assertEquals(42, fixtures.batchDecoder.firstOffset());
        assertEquals(0, fixtures.batchDecoder.count());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRoundTripOneEntry(final Codec codec)
    {
        assertRoundTrip(codec, 7, List.of(FrameFixtures.text(300, 1)), codec);
        assertRoundTrip(codec, 8, List.of(new byte[0]), null);
        assertRoundTrip(codec, 9, List.of(new byte[]{ 5 }), null);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRoundTripThousandCompressibleEntries(final Codec codec)
    {
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
        {
            payloads.add(FrameFixtures.text(i % 50, i));
        }
        assertRoundTrip(codec, 1L << 40, payloads, codec);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldSendIncompressibleEntriesUncompressed(final Codec codec)
    {
        final Random random = new Random(1);
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            payloads.add(FrameFixtures.random(random, 1 + random.nextInt(400)));
        }
        assertRoundTrip(codec, 0, payloads, Codec.NONE);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldFillMaxSizeBatch(final Codec codec)
    {
        fixtures.close();
        fixtures = new FrameFixtures(1024 * 1024);
        final Random random = new Random(2);
        final BatchEncoder encoder = fixtures.encoder.wrap(fixtures.frameBuffer, 0, fixtures.maxFrameBytes);
        encoder.firstOffset(1000);
        final List<byte[]> payloads = new ArrayList<>();
        while (true)
        {
            final byte[] payload = random.nextBoolean() ?
                FrameFixtures.text(random.nextInt(3000), payloads.size()) :
                FrameFixtures.random(random, random.nextInt(3000));
            if (!encoder.tryAppend(1_000_000L * payloads.size() + 7, MemorySegment.ofArray(payload)))
            {
                assertTrue(encoder.encodedLength() + BatchFlyweight.ENTRY_HEADER_LENGTH + payload.length >
                    fixtures.maxFrameBytes);
                break;
            }
            payloads.add(payload);
        }
        assertTrue(encoder.encodedLength() <= fixtures.maxFrameBytes);
        assertTrue(encoder.encodedLength() > fixtures.maxFrameBytes - 3000 - BatchFlyweight.ENTRY_HEADER_LENGTH);
        final int length = encoder.commit(fixtures.compressor(codec), fixtures.encodeScratch);

        assertEntries(1000, payloads, fixtures.decode(fixtures.frameBuffer, length));
        assertSame(codec, fixtures.batchDecoder.codec());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldFillFrameExactlyWithLargestPayload(final Codec codec)
    {
        final BatchEncoder encoder = fixtures.encoder.wrap(fixtures.frameBuffer, 0, fixtures.maxFrameBytes);
        final byte[] payload = FrameFixtures.text(encoder.maxPayloadLength(), 3);
        assertTrue(encoder.tryAppend(7, MemorySegment.ofArray(payload)));
        assertEquals(fixtures.maxFrameBytes, encoder.encodedLength());
        assertFalse(encoder.tryAppend(6, MemorySegment.ofArray(new byte[0])));
        final int length = encoder.commit(fixtures.compressor(codec), fixtures.encodeScratch);

        assertEntries(0, List.of(payload), fixtures.decode(fixtures.frameBuffer, length));
        assertThrows(
            IllegalArgumentException.class,
            () -> fixtures.encoder.reset().tryAppend(5, MemorySegment.ofArray(new byte[payload.length + 1])));
    }

    @Test
    void shouldEncodeAndDecodeAtAnOffsetWithCallerCrc()
    {
        final MemorySegment buffer = fixtures.arena.allocate(10_000);
        final byte[] first = FrameFixtures.text(100, 4);
        final byte[] second = FrameFixtures.text(200, 5);
        final BatchEncoder encoder = fixtures.encoder.wrap(buffer, 1000, 5000).firstOffset(77);
        assertTrue(encoder.tryAppend(11, FrameFixtures.payloadCrc(first), MemorySegment.ofArray(first)));
        assertTrue(encoder.tryAppend(12, FrameFixtures.payloadCrc(second), MemorySegment.ofArray(second)));
        assertEquals(2, encoder.count());
        final int length = encoder.commit(fixtures.compressor(Codec.ZSTD), fixtures.encodeScratch);
        assertThrows(IllegalStateException.class, () -> encoder.tryAppend(1, MemorySegment.ofArray(first)));
        assertThrows(IllegalStateException.class, encoder::commit);

        assertSame(MessageType.BATCH, fixtures.frameDecoder.verify(buffer, 1000, length));
        final List<FrameFixtures.Entry> entries = new ArrayList<>();
        final int count = fixtures.batchDecoder.wrap(buffer, 1000, length).forEach(
            fixtures.decodeScratch,
            (offset, timestampNs, payload) ->
                entries.add(new FrameFixtures.Entry(offset, timestampNs, payload.toArray(BYTE))));
        assertEquals(2, count);
        assertEquals(
            List.of(new FrameFixtures.Entry(77, 11, first), new FrameFixtures.Entry(78, 12, second)), entries);
    }

    @Test
    void shouldRejectWrongCallerCrcAtTheReceiverNamingTheOffset()
    {
        final byte[] good = FrameFixtures.text(10, 6);
        final byte[] bad = FrameFixtures.text(10, 7);
        final BatchEncoder encoder = fixtures.encoder.wrap(fixtures.frameBuffer, 0, 4096).firstOffset(500);
        encoder.tryAppend(1, MemorySegment.ofArray(good));
        encoder.tryAppend(2, FrameFixtures.payloadCrc(bad) ^ 1, MemorySegment.ofArray(bad));
        final int length = encoder.commit();
        final MemorySegment frame = fixtures.frameBuffer.asSlice(0, length);
        fixtures.frameDecoder.verify(frame);

        final List<Long> delivered = new ArrayList<>();
        final FrameException ex = assertThrows(
            FrameException.class,
            () -> fixtures.batchDecoder.decode(frame, null, (offset, timestampNs, payload) -> delivered.add(offset)));
        assertSame(FrameException.Reason.BAD_ENTRY_CHECKSUM, ex.reason());
        assertSame(ErrorCode.CHECKSUM, ex.code());
        assertTrue(ex.getMessage().contains("offset 501"), ex.getMessage());
        assertEquals(List.of(500L), delivered);
    }

    private void assertRoundTrip(
        final Codec codec, final long firstOffset, final List<byte[]> payloads, final Codec expectedCodec)
    {
        // expectedCodec null: either the codec or NONE, whichever the encoder found smaller
        final int length = fixtures.encode(codec, firstOffset, payloads);
        assertEntries(firstOffset, payloads, fixtures.decode(fixtures.frameBuffer, length));
        if (null != expectedCodec)
        {
            assertEquals(
                expectedCodec.id(), fixtures.frameBuffer.get(BYTE, BatchFlyweight.CODEC_OFFSET), "codec on the wire");
            assertSame(expectedCodec, fixtures.batchDecoder.codec());
        }
        else
        {
            assertTrue(Codec.NONE == fixtures.batchDecoder.codec() || codec == fixtures.batchDecoder.codec());
        }
    }

    private static void assertEntries(
        final long firstOffset, final List<byte[]> payloads, final List<FrameFixtures.Entry> entries)
    {
        final List<FrameFixtures.Entry> expected = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++)
        {
            expected.add(new FrameFixtures.Entry(firstOffset + i, 1_000_000L * i + 7, payloads.get(i)));
        }
        assertEquals(expected, entries);
    }

    @org.junit.jupiter.api.Test
    void shouldSendSmallBatchesUncompressedByDefault()
    {
        final BatchEncoder encoder = new BatchEncoder(FrameHeader.MAX_FRAME_BYTES_DEFAULT);
        final dev.ferry.wal.codec.Compressor zstd = dev.ferry.wal.codec.Compressors.of(dev.ferry.wal.codec.Codec.ZSTD, 3);
        final java.lang.foreign.MemorySegment frame = java.lang.foreign.Arena.ofAuto().allocate(1 << 16);
        final java.lang.foreign.MemorySegment scratch =
            java.lang.foreign.Arena.ofAuto().allocate(BatchEncoder.scratchLength(zstd, FrameHeader.MAX_FRAME_BYTES_DEFAULT));
        final java.lang.foreign.MemorySegment text = java.lang.foreign.MemorySegment.ofArray(FrameFixtures.text(200, 1));
        encoder.wrap(frame, 0, 1 << 16).firstOffset(0);
        encoder.tryAppend(1, text);
        encoder.commit(zstd, scratch);
        assertEquals(0, frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, BatchFlyweight.CODEC_OFFSET), "small: NONE");
        encoder.wrap(frame, 0, 1 << 16).firstOffset(0);
        for (int i = 0; i < 20; i++)
        {
            encoder.tryAppend(1, text);
        }
        encoder.commit(zstd, scratch);
        assertEquals(2, frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, BatchFlyweight.CODEC_OFFSET), "4 KiB: ZSTD");
        zstd.close();
    }
}
