package dev.ferry.wal.frame;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class FrameHeaderTest
{
    @Test
    void shouldKeepStableMessageTypeValues()
    {
        final MessageType[] expected =
        {
            MessageType.HELLO, MessageType.WELCOME, MessageType.BATCH, MessageType.ACK, MessageType.NACK,
            MessageType.HEARTBEAT, MessageType.SNAPSHOT_CHUNK, MessageType.SNAPSHOT_END, MessageType.ERROR,
            MessageType.STATUS_REQUEST, MessageType.STATUS_RESPONSE, MessageType.CHALLENGE, MessageType.AUTH,
            MessageType.PROMOTE_REQUEST, MessageType.DROP_SLOT_REQUEST, MessageType.HOLD_SLOT_REQUEST,
            MessageType.AUDIT_REQUEST, MessageType.AUDIT_RESPONSE
        };
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(i + 1, expected[i].value());
            assertSame(expected[i], MessageType.fromValue(i + 1));
        }
        assertEquals(expected.length, MessageType.values().length);
    }

    @Test
    void shouldReturnNullForUnknownMessageType()
    {
        assertNull(MessageType.fromValue(0));
        assertNull(MessageType.fromValue(19));
        assertNull(MessageType.fromValue(255));
        assertNull(MessageType.fromValue(-1));
    }

    @Test
    void shouldLayOutHeaderLittleEndian()
    {
        final byte[] bytes = new byte[FrameHeader.HEADER_LENGTH];
        new FrameHeader().wrap(MemorySegment.ofArray(bytes), 0)
            .length(0x04030201)
            .type(MessageType.ACK)
            .version(FrameHeader.VERSION)
            .flags(0x0605)
            .crc32c(0x0A090807);

        final byte[] expected = {1, 2, 3, 4, 4, (byte)FrameHeader.VERSION, 5, 6, 7, 8, 9, 10};
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], bytes[i], "byte " + i);
        }

        final FrameHeader header = new FrameHeader().wrap(MemorySegment.ofArray(bytes), 0);
        assertEquals(0x04030201L, header.length());
        assertSame(MessageType.ACK, header.type());
        assertEquals(FrameHeader.VERSION, header.version());
        assertEquals(0x0605, header.flags());
        assertEquals(0x0A090807, header.crc32c());
    }

    @Test
    void shouldLayOutBatchHeader()
    {
        assertEquals(12, FrameHeader.HEADER_LENGTH);
        assertEquals(12, BatchFlyweight.FIRST_OFFSET_OFFSET);
        assertEquals(20, BatchFlyweight.COUNT_OFFSET);
        assertEquals(24, BatchFlyweight.CODEC_OFFSET);
        assertEquals(25, BatchFlyweight.UNCOMPRESSED_LENGTH_OFFSET);
        assertEquals(29, BatchFlyweight.ENTRIES_OFFSET);
        assertEquals(17, BatchFlyweight.BATCH_HEADER_LENGTH);
        assertEquals(16, BatchFlyweight.ENTRY_HEADER_LENGTH);
        assertEquals(29, FrameHeader.MAX_FRAME_BYTES_MIN);

        final byte[] bytes = new byte[BatchFlyweight.ENTRIES_OFFSET];
        final BatchFlyweight batch = new BatchFlyweight().wrap(MemorySegment.ofArray(bytes), 0)
            .firstOffset(0x0807060504030201L)
            .count(-1)
            .codecId(2)
            .uncompressedLength(0x100);
        assertEquals(1, bytes[12]);
        assertEquals(8, bytes[19]);
        assertEquals(0xFFFFFFFFL, batch.count());
        assertEquals(2, batch.codecId());
        assertEquals(0x100L, batch.uncompressedLength());
        assertEquals(1, bytes[26]);
    }
}
