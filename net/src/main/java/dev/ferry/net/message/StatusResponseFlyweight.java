package dev.ferry.net.message;

import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Flyweight over a {@code STATUS_RESPONSE} frame: one part of the primary's status, a JSON document sent in
 * {@code parts} frames of at most the frame limit each (split on UTF-8 character boundaries), so a status of any size
 * fits. Each part ends with the primary's proof. Offsets are from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     frame header, see FrameHeader (type STATUS_RESPONSE)      |  0
 *  +-------------------------------+-------------------------------+
 *  |          part (u16)           |          parts (u16)          |  12
 *  +-------------------------------+-------------------------------+
 *  |                        jsonLength (u32)                       |  16
 *  +---------------------------------------------------------------+
 *  |        json, jsonLength bytes of UTF-8: this part's text     ...  20
 *  +---------------------------------------------------------------+
 *  |           proof (32 bytes, HMAC-SHA256 or all zero)           |  20 + jsonLength
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code parts >= 1}, {@code part < parts}; parts come in order. The frame is exactly {@code 52 + jsonLength} bytes,
 * so a part is bounded by the receiver's maximum frame size ({@code FrameDecoder.verify} checks the frame length
 * first); each part is well-formed UTF-8 on its own (the document's syntax is the reader's business).
 * <p>
 * Reusable, single-threaded; allocation-free apart from {@link #json()}.
 */
public final class StatusResponseFlyweight extends MessageFlyweight<StatusResponseFlyweight>
{
    /** Offset of this part's index. */
    public static final int PART_OFFSET = HEADER_LENGTH;
    /** Offset of the number of parts. */
    public static final int PARTS_OFFSET = PART_OFFSET + Short.BYTES;
    /** Offset of the JSON length. */
    public static final int JSON_LENGTH_OFFSET = PARTS_OFFSET + Short.BYTES;
    /** Offset of the JSON document. */
    public static final int JSON_OFFSET = JSON_LENGTH_OFFSET + Integer.BYTES;
    /** Length of the proof after the JSON. */
    public static final int PROOF_LENGTH = HelloFlyweight.PROOF_LENGTH;
    /** The shortest {@code STATUS_RESPONSE} frame: an empty part. */
    public static final int MIN_LENGTH = JSON_OFFSET + PROOF_LENGTH;
    /** The most parts a status may have. */
    public static final int MAX_PARTS = 0xFFFF;

    private static final MessageType TYPE = MessageType.STATUS_RESPONSE;

    /**
     * Creates an unwrapped flyweight.
     */
    public StatusResponseFlyweight()
    {
        super(TYPE, MIN_LENGTH, false);
    }

    /**
     * @param jsonLength the JSON length in bytes.
     * @return the frame length of a {@code STATUS_RESPONSE} carrying it.
     */
    public static long length(final long jsonLength)
    {
        return JSON_OFFSET + jsonLength + PROOF_LENGTH;
    }

    /**
     * Checks the body of a {@code STATUS_RESPONSE} frame whose type and minimum length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code LENGTH_MISMATCH} if {@code jsonLength} runs past the frame or stops short
     *                        of it, {@code BAD_FIELD} for a part outside {@code [0, parts)} or malformed UTF-8.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        final int part = buffer.get(SHORT_LE, frameOffset + PART_OFFSET) & 0xFFFF;
        final int parts = buffer.get(SHORT_LE, frameOffset + PARTS_OFFSET) & 0xFFFF;
        if (part >= parts)
        {
            throw Messages.badField(TYPE, "part=" + part + " is outside [0, parts=" + parts + ")");
        }
        final long jsonLength = Integer.toUnsignedLong(buffer.get(INT_LE, frameOffset + JSON_LENGTH_OFFSET));
        Messages.checkExactLength(TYPE, frameLength, length(jsonLength));
        Messages.checkUtf8(TYPE, "json", buffer, frameOffset + JSON_OFFSET, jsonLength);
    }

    /**
     * @return the frame length the JSON length gives.
     */
    @Override
    int frameLength()
    {
        return (int)length(jsonLength());
    }

    /**
     * Writes a part of a status document, its index and count and a zero proof; sign it (the proof is the frame's last
     * {@value #PROOF_LENGTH} bytes), then {@link #seal()}.
     *
     * @param buffer      the memory to write to, at least {@code length(count)} bytes from {@code frameOffset}.
     * @param frameOffset the offset of the frame's first byte.
     * @param part        this part's index, below {@code parts}.
     * @param parts       the number of parts, 1 to {@value #MAX_PARTS}.
     * @param utf8        the whole document's UTF-8 bytes.
     * @param from        where this part starts in {@code utf8}.
     * @param count       its length in bytes (ending on a character boundary).
     * @return this.
     */
    public StatusResponseFlyweight part(
        final MemorySegment buffer,
        final long frameOffset,
        final int part,
        final int parts,
        final byte[] utf8,
        final int from,
        final int count)
    {
        wrap(buffer, frameOffset);
        buffer.set(SHORT_LE, frameOffset + PART_OFFSET, (short)part);
        buffer.set(SHORT_LE, frameOffset + PARTS_OFFSET, (short)parts);
        buffer.set(INT_LE, frameOffset + JSON_LENGTH_OFFSET, count);
        MemorySegment.copy(utf8, from, buffer, ValueLayout.JAVA_BYTE, frameOffset + JSON_OFFSET, count);
        final long proofOffset = frameOffset + JSON_OFFSET + count;
        for (int i = 0; i < PROOF_LENGTH; i += Long.BYTES)
        {
            buffer.set(LONG_LE, proofOffset + i, 0L); // not asSlice(...).fill(...): that allocates a segment per call
        }
        return this;
    }

    /**
     * Cuts a document into parts of at most {@code maxFrameBytes} frames each, on UTF-8 character boundaries.
     *
     * @param utf8          the document's bytes.
     * @param from          where the next part starts.
     * @param maxFrameBytes the largest frame the receiver accepts, at least {@code length(4)}.
     * @return the length of the part that starts at {@code from}.
     */
    public static int partLength(final byte[] utf8, final int from, final int maxFrameBytes)
    {
        int end = (int)Math.min(utf8.length, from + (long)maxFrameBytes - length(0));
        while (end < utf8.length && end > from && (utf8[end] & 0xC0) == 0x80)
        {
            end--; // never split a character: a continuation byte may not start a part
        }
        return end - from;
    }

    /**
     * @return this part's index.
     */
    public int part()
    {
        return buffer.get(SHORT_LE, offset + PART_OFFSET) & 0xFFFF;
    }

    /**
     * @return the number of parts of the document.
     */
    public int parts()
    {
        return buffer.get(SHORT_LE, offset + PARTS_OFFSET) & 0xFFFF;
    }

    /**
     * @return the JSON length in bytes, as an unsigned value.
     */
    public long jsonLength()
    {
        return Integer.toUnsignedLong(buffer.get(INT_LE, offset + JSON_LENGTH_OFFSET));
    }

    /**
     * @return the offset of the JSON's first byte in {@link #buffer()}, for reading it in place.
     */
    public long jsonOffset()
    {
        return offset + JSON_OFFSET;
    }

    /**
     * @return this part's text, as a new string.
     */
    public String json()
    {
        return Messages.getUtf8(buffer, offset + JSON_OFFSET, (int)jsonLength());
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "StatusResponseFlyweight[unwrapped]";
        }
        return "STATUS_RESPONSE[part=" + part() + "/" + parts() + ", jsonLength=" + jsonLength() + "]";
    }
}
