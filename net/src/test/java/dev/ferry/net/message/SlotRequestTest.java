package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameException.Reason;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static dev.ferry.net.message.MessageFixtures.assertRejected;
import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slot requests of an operator or an archive shipper, {@code DROP_SLOT_REQUEST} and {@code HOLD_SLOT_REQUEST}
 * (net/PROTOCOL.md sections 3 and 6.6): round trips at the documented offsets, and every field out of range refused
 * with a {@code FrameException} after the frame was resealed so that {@code FrameDecoder.verify} still accepts it.
 */
class SlotRequestTest
{
    private final MessageFixtures fixtures = new MessageFixtures();
    private final HoldSlotRequestFlyweight hold = new HoldSlotRequestFlyweight();
    private final DropSlotRequestFlyweight drop = new DropSlotRequestFlyweight();
    private final byte[] nonce = nonce();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    private static byte[] nonce()
    {
        final byte[] nonce = new byte[HoldSlotRequestFlyweight.NONCE_LENGTH];
        for (int i = 0; i < nonce.length; i++)
        {
            nonce[i] = (byte)(0xA0 + i);
        }
        return nonce;
    }

    @Test
    void shouldMatchTheLayoutInProtocolMd()
    {
        assertEquals(16, MessageType.HOLD_SLOT_REQUEST.value());
        assertEquals(12, HoldSlotRequestFlyweight.NONCE_OFFSET);
        assertEquals(28, HoldSlotRequestFlyweight.ID_LENGTH_OFFSET);
        assertEquals(29, HoldSlotRequestFlyweight.ID_OFFSET);
        assertEquals(93, HoldSlotRequestFlyweight.NEXT_OFFSET_OFFSET);
        assertEquals(101, HoldSlotRequestFlyweight.LENGTH);
        assertEquals(93, DropSlotRequestFlyweight.LENGTH);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripHoldSlotRequest(final long offset)
    {
        final String id = "archive-" + "x".repeat(HoldSlotRequestFlyweight.MAX_ID_LENGTH - 8);
        final int length = hold.encode(fixtures.buffer, offset, nonce, id, 0x0102030405060708L);

        assertEquals(HoldSlotRequestFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.HOLD_SLOT_REQUEST);
        assertEquals(id.length(), fixtures.buffer.get(BYTE, offset + 28));
        assertEquals('a', fixtures.buffer.get(BYTE, offset + 29));
        assertEquals(0x08, fixtures.buffer.get(BYTE, offset + 93));
        assertEquals(0x0102030405060708L, fixtures.buffer.get(LONG_LE, offset + 93));

        final HoldSlotRequestFlyweight decoded = new HoldSlotRequestFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(id, decoded.slotId());
        assertEquals(0x0102030405060708L, decoded.nextOffset());
        assertArrayEquals(nonce, decoded.copyNonceTo(new byte[HoldSlotRequestFlyweight.NONCE_LENGTH]));
        assertEquals("HOLD_SLOT_REQUEST[slotId=" + id + ", nextOffset=" + 0x0102030405060708L + "]",
            decoded.toString());
    }

    @Test
    void shouldRoundTripTheEdgesOfNextOffsetAndTheShortestId()
    {
        for (final long next : new long[] {0, 1, Long.MAX_VALUE})
        {
            final int length = hold.encode(fixtures.buffer, 0, nonce, "a", next);
            final HoldSlotRequestFlyweight decoded = hold.decode(fixtures.buffer, 0, length);
            assertEquals("a", decoded.slotId());
            assertEquals(next, decoded.nextOffset());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripDropSlotRequest(final long offset)
    {
        final int length = drop.encode(fixtures.buffer, offset, nonce, "r1");

        assertEquals(DropSlotRequestFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.DROP_SLOT_REQUEST);
        final DropSlotRequestFlyweight decoded = new DropSlotRequestFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals("r1", decoded.slotId());
        assertArrayEquals(nonce, decoded.copyNonceTo(new byte[DropSlotRequestFlyweight.NONCE_LENGTH]));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE, 0x8000_0000_0000_0001L})
    void shouldRejectANegativeNextOffset(final long next)
    {
        final int length = hold.encode(fixtures.buffer, 0, nonce, "r1", 5);
        fixtures.buffer.set(LONG_LE, HoldSlotRequestFlyweight.NEXT_OFFSET_OFFSET, next);
        fixtures.reseal(0, length);
        fixtures.verify(0, length, MessageType.HOLD_SLOT_REQUEST);
        final FrameException ex = assertRejected(Reason.BAD_FIELD, () -> hold.decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
        assertTrue(ex.getMessage().contains("nextOffset"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 65, 255})
    void shouldRejectAnIdLengthOutOfRange(final int idLength)
    {
        final int holdLength = hold.encode(fixtures.buffer, 0, nonce, "r1", 5);
        fixtures.putByte(0, holdLength, HoldSlotRequestFlyweight.ID_LENGTH_OFFSET, idLength);
        assertRejected(Reason.BAD_FIELD, () -> hold.decode(fixtures.buffer, 0, holdLength));

        final int dropLength = drop.encode(fixtures.buffer, 0, nonce, "r1");
        fixtures.putByte(0, dropLength, DropSlotRequestFlyweight.ID_LENGTH_OFFSET, idLength);
        assertRejected(Reason.BAD_FIELD, () -> drop.decode(fixtures.buffer, 0, dropLength));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, ' ', '/', ':', '@', 0x7F, 0xC3, 0xFF})
    void shouldRejectAnIdByteOutsideTheAlphabet(final int c)
    {
        final int length = hold.encode(fixtures.buffer, 0, nonce, "r1", 5);
        fixtures.putByte(0, length, HoldSlotRequestFlyweight.ID_OFFSET + 1, c);
        assertRejected(Reason.BAD_FIELD, () -> hold.decode(fixtures.buffer, 0, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 40, 63})
    void shouldRejectNonZeroPaddingAfterTheId(final int at)
    {
        final int length = hold.encode(fixtures.buffer, 0, nonce, "r1", 5);
        fixtures.putByte(0, length, HoldSlotRequestFlyweight.ID_OFFSET + at, 'x');
        assertRejected(Reason.BAD_FIELD, () -> hold.decode(fixtures.buffer, 0, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {-8, -1, 1, 8})
    void shouldRejectAHoldSlotRequestOfTheWrongLength(final int change)
    {
        hold.encode(fixtures.buffer, 0, nonce, "r1", 5);
        final int length = HoldSlotRequestFlyweight.LENGTH + change;
        fixtures.resize(0, length);
        fixtures.verify(0, length, MessageType.HOLD_SLOT_REQUEST);
        assertRejected(change < 0 ? Reason.TOO_SHORT : Reason.LENGTH_MISMATCH,
            () -> hold.decode(fixtures.buffer, 0, length));
    }

    @Test
    void shouldRejectOneSlotRequestReadAsTheOther()
    {
        final int dropLength = drop.encode(fixtures.buffer, 0, nonce, "r1");
        assertRejected(Reason.TOO_SHORT, () -> hold.decode(fixtures.buffer, 0, dropLength));
        final int holdLength = hold.encode(fixtures.buffer, 0, nonce, "r1", 5);
        assertRejected(Reason.UNKNOWN_TYPE, () -> drop.decode(fixtures.buffer, 0, holdLength));
        fixtures.putByte(0, holdLength, FrameHeader.TYPE_OFFSET, MessageType.DROP_SLOT_REQUEST.value());
        assertRejected(Reason.LENGTH_MISMATCH, () -> drop.decode(fixtures.buffer, 0, holdLength));
    }

    @Test
    void shouldRefuseToEncodeABadIdOffsetOrNonce()
    {
        for (final String bad : Arrays.asList("", "r 1", "r/1", "x".repeat(65), null))
        {
            final FerryException ex = assertThrows(FerryException.class,
                () -> hold.encode(fixtures.buffer, 0, nonce, bad, 0));
            assertEquals(ErrorCode.CONFIGURATION, ex.code());
        }
        assertThrows(IllegalArgumentException.class, () -> hold.encode(fixtures.buffer, 0, nonce, "r1", -1));
        assertThrows(IllegalArgumentException.class, () -> hold.encode(fixtures.buffer, 0, new byte[15], "r1", 0));
    }
}
