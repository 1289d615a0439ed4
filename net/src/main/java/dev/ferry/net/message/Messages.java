package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LENGTH_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.TYPE_OFFSET;

/**
 * The checks and UTF-8 helpers the message flyweights share. Every check throws a {@link FrameException} naming the
 * message, the field and the value read; nothing here allocates unless it throws or builds a {@code String}.
 */
final class Messages
{
    /** The character written in place of an unpaired surrogate when encoding UTF-8. */
    private static final byte REPLACEMENT = (byte)'?';

    private Messages()
    {
    }

    /**
     * Checks the frame at {@code [offset, offset + length)} is at least {@code minLength} long, its length field says
     * {@code length} and its type is {@code expected}.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the buffer: a caller's bug, not the peer's.
     */
    static void checkFrame(
        final MemorySegment buffer,
        final long offset,
        final long length,
        final MessageType expected,
        final int minLength)
    {
        Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        if (length < minLength)
        {
            throw new FrameException(
                FrameException.Reason.TOO_SHORT,
                expected + " frame of " + length + " bytes is shorter than its minimum of " + minLength);
        }
        final long lengthField = Integer.toUnsignedLong(buffer.get(INT_LE, offset + LENGTH_OFFSET));
        if (lengthField != length)
        {
            throw new FrameException(
                FrameException.Reason.LENGTH_MISMATCH,
                "frame length field is " + lengthField + " but the frame has " + length + " bytes");
        }
        final int typeValue = buffer.get(BYTE, offset + TYPE_OFFSET) & 0xFF;
        if (expected.value() != typeValue)
        {
            throw new FrameException(
                FrameException.Reason.UNKNOWN_TYPE,
                "frame type " + typeValue + " is not " + expected + " (" + expected.value() + ")");
        }
    }

    /**
     * Checks a frame carries exactly the {@code expected} bytes its fields describe.
     */
    static void checkExactLength(final MessageType type, final long length, final long expected)
    {
        if (length != expected)
        {
            throw new FrameException(
                FrameException.Reason.LENGTH_MISMATCH,
                type + " frame has " + length + " bytes but its fields describe " + expected);
        }
    }

    /**
     * @return a {@code BAD_FIELD} exception naming the message and what was wrong.
     */
    static FrameException badField(final MessageType type, final String message)
    {
        return new FrameException(FrameException.Reason.BAD_FIELD, type + " " + message);
    }

    /**
     * Checks an offset or epoch field is in {@code [0, Long.MAX_VALUE]}.
     */
    static long checkNonNegative(final MessageType type, final String field, final long value)
    {
        if (value < 0)
        {
            throw badField(type, field + "=" + Long.toUnsignedString(value) + " is above " + Long.MAX_VALUE);
        }
        return value;
    }

    /**
     * Checks an audited range as {@code AUDIT_REQUEST} and {@code AUDIT_RESPONSE} carry it: {@code fromOffset} in
     * {@code [0, 2^63)}, {@code count} in {@code [1, maxCount]}, and the range's last offset below {@code 2^63}.
     *
     * @throws FrameException {@code BAD_FIELD} naming the field.
     */
    static void checkAuditRange(final MessageType type, final long from, final int count, final int maxCount)
    {
        checkNonNegative(type, "fromOffset", from);
        if (count < 1 || count > maxCount)
        {
            throw badField(type, "count=" + Integer.toUnsignedString(count) + " is outside [1, " + maxCount + "]");
        }
        if (from > Long.MAX_VALUE - count)
        {
            throw badField(type, "fromOffset=" + from + " + count=" + count + " is above " + Long.MAX_VALUE);
        }
    }

    /**
     * Checks an error code field names a known {@link ErrorCode}.
     */
    static ErrorCode checkErrorCode(final MessageType type, final String field, final int value)
    {
        final ErrorCode code = ErrorCode.fromValue(value);
        if (null == code)
        {
            throw badField(type, field + "=" + value + " is not a known error code");
        }
        return code;
    }

    /**
     * Checks {@code [offset, offset + length)} is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
     * nothing above U+10FFFF, no truncated sequence).
     */
    static void checkUtf8(
        final MessageType type, final String field, final MemorySegment buffer, final long offset, final long length)
    {
        final long end = offset + length;
        long i = offset;
        while (i < end)
        {
            final int b0 = buffer.get(BYTE, i) & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                continue;
            }

            final int continuations;
            int min = 0x80;
            int max = 0xBF;
            if (b0 < 0xC2)
            {
                throw badUtf8(type, field, i - offset);
            }
            else if (b0 < 0xE0)
            {
                continuations = 1;
            }
            else if (b0 < 0xF0)
            {
                continuations = 2;
                min = 0xE0 == b0 ? 0xA0 : 0x80;
                max = 0xED == b0 ? 0x9F : 0xBF;
            }
            else if (b0 < 0xF5)
            {
                continuations = 3;
                min = 0xF0 == b0 ? 0x90 : 0x80;
                max = 0xF4 == b0 ? 0x8F : 0xBF;
            }
            else
            {
                throw badUtf8(type, field, i - offset);
            }

            if (i + continuations >= end)
            {
                throw badUtf8(type, field, i - offset);
            }
            final int b1 = buffer.get(BYTE, i + 1) & 0xFF;
            if (b1 < min || b1 > max)
            {
                throw badUtf8(type, field, i - offset);
            }
            for (int k = 2; k <= continuations; k++)
            {
                final int b = buffer.get(BYTE, i + k) & 0xFF;
                if (b < 0x80 || b > 0xBF)
                {
                    throw badUtf8(type, field, i - offset);
                }
            }
            i += 1 + continuations;
        }
    }

    private static FrameException badUtf8(final MessageType type, final String field, final long index)
    {
        return badField(type, field + " is not valid UTF-8 at byte " + index);
    }

    /**
     * @return the number of bytes {@code value} takes in UTF-8, an unpaired surrogate counting as one byte.
     */
    static long utf8Length(final CharSequence value)
    {
        long bytes = 0;
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes += 1;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Writes {@code value} as UTF-8 at {@code offset}, stopping before the first character that would take the output
     * past {@code maxBytes}, so a truncated string still ends on a character boundary. An unpaired surrogate is
     * written as {@code '?'}, as {@link String#getBytes(java.nio.charset.Charset)} does.
     *
     * @return the number of bytes written.
     */
    static int putUtf8(final CharSequence value, final MemorySegment buffer, final long offset, final int maxBytes)
    {
        int written = 0;
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            final long at = offset + written;
            if (c < 0x80)
            {
                if (written + 1 > maxBytes)
                {
                    break;
                }
                buffer.set(BYTE, at, (byte)c);
                written += 1;
            }
            else if (c < 0x800)
            {
                if (written + 2 > maxBytes)
                {
                    break;
                }
                buffer.set(BYTE, at, (byte)(0xC0 | (c >> 6)));
                buffer.set(BYTE, at + 1, (byte)(0x80 | (c & 0x3F)));
                written += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                if (written + 4 > maxBytes)
                {
                    break;
                }
                final int codePoint = Character.toCodePoint(c, value.charAt(i + 1));
                buffer.set(BYTE, at, (byte)(0xF0 | (codePoint >> 18)));
                buffer.set(BYTE, at + 1, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                buffer.set(BYTE, at + 2, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                buffer.set(BYTE, at + 3, (byte)(0x80 | (codePoint & 0x3F)));
                written += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                if (written + 1 > maxBytes)
                {
                    break;
                }
                buffer.set(BYTE, at, REPLACEMENT);
                written += 1;
            }
            else
            {
                if (written + 3 > maxBytes)
                {
                    break;
                }
                buffer.set(BYTE, at, (byte)(0xE0 | (c >> 12)));
                buffer.set(BYTE, at + 1, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.set(BYTE, at + 2, (byte)(0x80 | (c & 0x3F)));
                written += 3;
            }
        }
        return written;
    }

    /**
     * Checks a padded id field: {@code idLength} bytes of {@code [A-Za-z0-9._-]}, then zeros up to {@code room} (and
     * {@code extraZeros} more bytes that must be zero too).
     *
     * @throws FrameException {@code BAD_FIELD} naming the byte.
     */
    static void checkPaddedId(final MessageType type, final String what, final MemorySegment buffer, final long at,
        final int idLength, final int room, final int extraZeros)
    {
        for (int i = 0; i < room + extraZeros; i++)
        {
            final int c = buffer.get(BYTE, at + i) & 0xFF;
            if (i < idLength ? !HelloFlyweight.isReplicaIdChar(c) : c != 0)
            {
                throw badField(type, what + " byte " + i + " is 0x" + Integer.toHexString(c) +
                    (i < idLength ? ", outside [A-Za-z0-9._-]" : " in the padding, which must be 0"));
            }
        }
    }

    /**
     * Checks a slot id field as {@code DROP_SLOT_REQUEST} and {@code HOLD_SLOT_REQUEST} carry it: {@code idLength u8}
     * in {@code [1, room]} at {@code at}, then the id in {@code room} zero-padded bytes.
     *
     * @throws FrameException {@code BAD_FIELD} naming the length or the byte.
     */
    static void checkSlotId(final MessageType type, final MemorySegment buffer, final long at, final int room)
    {
        final int idLength = buffer.get(BYTE, at) & 0xFF;
        if (idLength < 1 || idLength > room)
        {
            throw badField(type, "idLength=" + idLength + " is outside [1, " + room + "]");
        }
        checkPaddedId(type, "slot id", buffer, at + 1, idLength, room, 0);
    }

    /**
     * Writes a slot id field: its length ({@code u8}) at {@code at}, then the id zero-padded to {@code room} bytes.
     * The caller checked the id ({@link HelloFlyweight#checkReplicaId}) before writing anything.
     */
    static void putSlotId(final MemorySegment buffer, final long at, final CharSequence slotId, final int room)
    {
        buffer.set(BYTE, at, (byte)slotId.length());
        putPaddedId(buffer, at + 1, slotId, room);
    }

    /**
     * @return the slot id of a field {@link #checkSlotId} accepted, as a new string.
     */
    static String getSlotId(final MemorySegment buffer, final long at)
    {
        return getUtf8(buffer, at + 1, buffer.get(BYTE, at) & 0xFF);
    }

    /**
     * Writes an id and its zero padding up to {@code room} bytes.
     */
    static void putPaddedId(final MemorySegment buffer, final long at, final CharSequence id, final int room)
    {
        for (int i = 0; i < room; i++)
        {
            buffer.set(BYTE, at + i, i < id.length() ? (byte)id.charAt(i) : 0);
        }
    }

    /**
     * @return the UTF-8 (or ASCII) bytes at {@code [offset, offset + length)} as a new {@code String}.
     */
    static String getUtf8(final MemorySegment buffer, final long offset, final int length)
    {
        final byte[] bytes = new byte[length];
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Copies a fixed-length byte field into {@code dst}.
     */
    static byte[] copyOut(final MemorySegment buffer, final long offset, final int length, final byte[] dst)
    {
        if (dst.length < length)
        {
            throw new IllegalArgumentException("destination of " + dst.length + " bytes, need " + length);
        }
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, dst, 0, length);
        return dst;
    }

    /**
     * Copies {@code src}, exactly {@code length} bytes, into a fixed-length byte field.
     */
    static void copyIn(final byte[] src, final MemorySegment buffer, final long offset, final int length)
    {
        if (src.length != length)
        {
            throw new IllegalArgumentException("field takes exactly " + length + " bytes, got " + src.length);
        }
        MemorySegment.copy(src, 0, buffer, ValueLayout.JAVA_BYTE, offset, length);
    }

    /**
     * @return whether the {@code length} bytes at {@code offset} are all zero.
     */
    static boolean isZero(final MemorySegment buffer, final long offset, final int length)
    {
        int bits = 0;
        for (int i = 0; i < length; i++)
        {
            bits |= buffer.get(BYTE, offset + i);
        }
        return 0 == bits;
    }

    /**
     * @return a 128-bit history id as 32 hex digits, high half first.
     */
    static String historyIdHex(final long hi, final long lo)
    {
        return String.format("%016x%016x", hi, lo);
    }
}
