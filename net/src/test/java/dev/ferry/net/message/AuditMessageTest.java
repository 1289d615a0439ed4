package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.net.message.AuditResponseFlyweight.Result;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameException.Reason;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.ferry.net.message.MessageFixtures.assertRejected;
import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background audit's messages, {@code AUDIT_REQUEST} and {@code AUDIT_RESPONSE} (net/PROTOCOL.md sections 3 and
 * 4.11): round trips at the documented offsets, and every field out of range refused with a {@code FrameException}
 * after the frame was resealed so that {@code FrameDecoder.verify} still accepts it.
 */
class AuditMessageTest
{
    private final MessageFixtures fixtures = new MessageFixtures();
    private final AuditRequestFlyweight request = new AuditRequestFlyweight();
    private final AuditResponseFlyweight response = new AuditResponseFlyweight();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    private int request(final long offset, final long from, final int count)
    {
        return request.wrap(fixtures.buffer, offset).fromOffset(from).count(count).chainBefore(0x89ABCDEF)
            .chainAtLast(-2).seal();
    }

    private int response(final long offset, final long from, final int count, final Result result, final long at)
    {
        return response.wrap(fixtures.buffer, offset).fromOffset(from).count(count).result(result).atOffset(at).seal();
    }

    @Test
    void shouldMatchTheLayoutInProtocolMd()
    {
        assertEquals(17, MessageType.AUDIT_REQUEST.value());
        assertEquals(18, MessageType.AUDIT_RESPONSE.value());
        assertEquals(12, AuditRequestFlyweight.FROM_OFFSET_OFFSET);
        assertEquals(20, AuditRequestFlyweight.COUNT_OFFSET);
        assertEquals(24, AuditRequestFlyweight.CHAIN_BEFORE_OFFSET);
        assertEquals(28, AuditRequestFlyweight.CHAIN_AT_LAST_OFFSET);
        assertEquals(32, AuditRequestFlyweight.LENGTH);
        assertEquals(12, AuditResponseFlyweight.FROM_OFFSET_OFFSET);
        assertEquals(20, AuditResponseFlyweight.AT_OFFSET_OFFSET);
        assertEquals(28, AuditResponseFlyweight.COUNT_OFFSET);
        assertEquals(32, AuditResponseFlyweight.RESULT_OFFSET);
        assertEquals(33, AuditResponseFlyweight.LENGTH);
        assertEquals(65_536, AuditRequestFlyweight.MAX_COUNT);
        for (final Result result : Result.values())
        {
            assertEquals(result, Result.fromValue(result.value()));
        }
        assertEquals(0, Result.MATCH.value());
        assertEquals(1, Result.DAMAGED.value());
        assertEquals(2, Result.DIFFERS.value());
        assertEquals(3, Result.NOT_HELD.value());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripARequest(final long offset)
    {
        final int length = request(offset, 0x0102030405060708L, 4096);

        assertEquals(AuditRequestFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.AUDIT_REQUEST);
        assertEquals(0x0102030405060708L, fixtures.buffer.get(LONG_LE, offset + 12));
        assertEquals(4096, fixtures.buffer.get(INT_LE, offset + 20));
        assertEquals(0x89ABCDEF, fixtures.buffer.get(INT_LE, offset + 24));
        assertEquals(-2, fixtures.buffer.get(INT_LE, offset + 28));

        final AuditRequestFlyweight decoded = new AuditRequestFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(0x0102030405060708L, decoded.fromOffset());
        assertEquals(4096, decoded.count());
        assertEquals(0x89ABCDEF, decoded.chainBefore());
        assertEquals(-2, decoded.chainAtLast());
        assertEquals("AUDIT_REQUEST[from=" + 0x0102030405060708L + ", count=4096, chainBefore=2309737967, " +
            "chainAtLast=4294967294]", decoded.toString());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripEveryResult(final long offset)
    {
        final long[] at = {-1, 1_000_004, -1, 1_000_100};
        for (final Result result : Result.values())
        {
            final int length = response(offset, 1_000_000, 10, result, at[result.value()]);
            assertEquals(AuditResponseFlyweight.LENGTH, length);
            fixtures.verify(offset, length, MessageType.AUDIT_RESPONSE);
            assertEquals(result.value(), fixtures.buffer.get(BYTE, offset + 32));
            assertEquals(at[result.value()], fixtures.buffer.get(LONG_LE, offset + 20));
            final AuditResponseFlyweight decoded = new AuditResponseFlyweight().decode(fixtures.buffer, offset, length);
            assertEquals(1_000_000, decoded.fromOffset());
            assertEquals(10, decoded.count());
            assertEquals(result, decoded.result());
            assertEquals(at[result.value()], decoded.atOffset());
        }
    }

    @Test
    void shouldRoundTripTheEdgesOfTheRange()
    {
        for (final long from : new long[] {0, Long.MAX_VALUE - AuditRequestFlyweight.MAX_COUNT})
        {
            final int length = request(0, from, AuditRequestFlyweight.MAX_COUNT);
            assertEquals(from, request.decode(fixtures.buffer, 0, length).fromOffset());
            final int answer = response(0, from, AuditRequestFlyweight.MAX_COUNT, Result.DAMAGED,
                from + AuditRequestFlyweight.MAX_COUNT - 1);
            assertEquals(from + AuditRequestFlyweight.MAX_COUNT - 1,
                response.decode(fixtures.buffer, 0, answer).atOffset());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 9})
    void shouldRejectAFromOffsetOutOfRange(final long from)
    {
        final int length = request(0, 5, 10);
        fixtures.buffer.set(LONG_LE, AuditRequestFlyweight.FROM_OFFSET_OFFSET, from);
        fixtures.reseal(0, length);
        fixtures.verify(0, length, MessageType.AUDIT_REQUEST);
        final FrameException ex = assertRejected(Reason.BAD_FIELD, () -> request.decode(fixtures.buffer, 0, length));
        assertEquals(ErrorCode.PROTOCOL, ex.code());
        assertTrue(ex.getMessage().contains("fromOffset"), ex.getMessage());

        final int answer = response(0, 5, 10, Result.MATCH, -1);
        fixtures.buffer.set(LONG_LE, AuditResponseFlyweight.FROM_OFFSET_OFFSET, from);
        fixtures.reseal(0, answer);
        assertRejected(Reason.BAD_FIELD, () -> response.decode(fixtures.buffer, 0, answer));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, AuditRequestFlyweight.MAX_COUNT + 1, Integer.MAX_VALUE})
    void shouldRejectACountOutOfRange(final int count)
    {
        final int length = request(0, 5, 10);
        fixtures.buffer.set(INT_LE, AuditRequestFlyweight.COUNT_OFFSET, count);
        fixtures.reseal(0, length);
        final FrameException ex = assertRejected(Reason.BAD_FIELD, () -> request.decode(fixtures.buffer, 0, length));
        assertTrue(ex.getMessage().contains("count"), ex.getMessage());

        final int answer = response(0, 5, 10, Result.MATCH, -1);
        fixtures.buffer.set(INT_LE, AuditResponseFlyweight.COUNT_OFFSET, count);
        fixtures.reseal(0, answer);
        assertRejected(Reason.BAD_FIELD, () -> response.decode(fixtures.buffer, 0, answer));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 0x80, 0xFF})
    void shouldRejectAnUnknownResult(final int value)
    {
        final int length = response(0, 5, 10, Result.MATCH, -1);
        fixtures.putByte(0, length, AuditResponseFlyweight.RESULT_OFFSET, value);
        final FrameException ex = assertRejected(Reason.BAD_FIELD, () -> response.decode(fixtures.buffer, 0, length));
        assertTrue(ex.getMessage().contains("result"), ex.getMessage());
    }

    @Test
    void shouldRejectAnAtOffsetTheResultDoesNotAllow()
    {
        final Object[][] bad = {
            {Result.MATCH, 5L}, {Result.MATCH, -2L}, {Result.DIFFERS, 7L},
            {Result.DAMAGED, -1L}, {Result.DAMAGED, 4L}, {Result.DAMAGED, 15L}, {Result.DAMAGED, Long.MIN_VALUE},
            {Result.NOT_HELD, 5L}, {Result.NOT_HELD, 0L}, {Result.NOT_HELD, -2L}};
        for (final Object[] c : bad)
        {
            final int length = response(0, 5, 10, (Result)c[0], 0);
            fixtures.buffer.set(LONG_LE, AuditResponseFlyweight.AT_OFFSET_OFFSET, (Long)c[1]);
            fixtures.reseal(0, length);
            final FrameException ex = assertRejected(Reason.BAD_FIELD,
                () -> response.decode(fixtures.buffer, 0, length));
            assertTrue(ex.getMessage().contains("atOffset"), c[0] + " " + c[1] + ": " + ex.getMessage());
        }
        for (final long at : new long[] {5, 14})
        {
            final int length = response(0, 5, 10, Result.DAMAGED, at);
            assertEquals(at, response.decode(fixtures.buffer, 0, length).atOffset());
        }
        final int later = response(0, 5, 10, Result.NOT_HELD, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, response.decode(fixtures.buffer, 0, later).atOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {-8, -1, 1, 8})
    void shouldRejectTheWrongLength(final int change)
    {
        request(0, 5, 10);
        final int length = AuditRequestFlyweight.LENGTH + change;
        fixtures.resize(0, length);
        fixtures.verify(0, length, MessageType.AUDIT_REQUEST);
        assertRejected(change < 0 ? Reason.TOO_SHORT : Reason.LENGTH_MISMATCH,
            () -> request.decode(fixtures.buffer, 0, length));

        response(0, 5, 10, Result.MATCH, -1);
        final int answer = AuditResponseFlyweight.LENGTH + change;
        fixtures.resize(0, answer);
        assertRejected(change < 0 ? Reason.TOO_SHORT : Reason.LENGTH_MISMATCH,
            () -> response.decode(fixtures.buffer, 0, answer));
    }

    @Test
    void shouldRejectOneReadAsTheOther()
    {
        final int requestLength = request(0, 5, 10);
        assertRejected(Reason.TOO_SHORT, () -> response.decode(fixtures.buffer, 0, requestLength));
        final int responseLength = response(0, 5, 10, Result.MATCH, -1);
        assertRejected(Reason.UNKNOWN_TYPE, () -> request.decode(fixtures.buffer, 0, responseLength));
        fixtures.putByte(0, responseLength, FrameHeader.TYPE_OFFSET, MessageType.AUDIT_REQUEST.value());
        assertRejected(Reason.LENGTH_MISMATCH, () -> request.decode(fixtures.buffer, 0, responseLength));
    }
}
