package dev.ferry.wal.frame;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.codec.ByteBufferView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Flyweight over the header every frame starts with, and the constants of the frame format.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          length (u32)                         |  0
 *  +---------------+---------------+-------------------------------+
 *  |   type (u8)   | version (u8)  |          flags (u16)          |  4
 *  +---------------+---------------+-------------------------------+
 *  |                          crc32c (u32)                         |  8
 *  +---------------------------------------------------------------+
 *  |                          body ...                            ...  12
 *  +---------------------------------------------------------------+
 * </pre>
 * All fields are little-endian. {@code length} is the whole frame including this header. {@code crc32c} is the
 * CRC32C of bytes {@code [0, 8)} and {@code [12, length)}: everything but itself. Version {@value #VERSION} defines
 * no flags, so any set flag bit is rejected.
 */
public final class FrameHeader
{
    /** A {@code byte} (no byte order). */
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    /** Little-endian unaligned {@code short}. */
    public static final ValueLayout.OfShort SHORT_LE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian unaligned {@code int}. */
    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian unaligned {@code long}. */
    public static final ValueLayout.OfLong LONG_LE =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Offset of the frame length. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the message type. */
    public static final int TYPE_OFFSET = 4;
    /** Offset of the protocol version. */
    public static final int VERSION_OFFSET = 5;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = 6;
    /** Offset of the CRC32C. */
    public static final int CRC32C_OFFSET = 8;
    /** Length of the header; the body starts here. */
    public static final int HEADER_LENGTH = 12;

    /**
     * The protocol version this build speaks. 2: {@code HELLO} carries the fingerprint of the replica's last entry.
     * 3: a challenge-response handshake ({@code CHALLENGE}, {@code AUTH}) in which both sides contribute a nonce, and
     * the primary's frames of an authenticated session carry its proof. 4: snapshot resync ({@code WELCOME} mode
     * SNAPSHOT, {@code SNAPSHOT_CHUNK}, {@code SNAPSHOT_END}; {@code HELLO}'s ACCEPTS_SNAPSHOT and PARTIAL_SNAPSHOT
     * flags). 5: epochs and the chained checksum ({@code HELLO} carries the chain at the replica's last entry in place
     * of its fingerprint, and its epoch's start and node; {@code WELCOME} mode TRUNCATE, with the chain before its
     * start and the epoch's start and node). Peers of another version are refused with a PROTOCOL error naming both
     * versions.
     */
    public static final int VERSION = 5;
    /** The flag bits version {@value #VERSION} defines: none. */
    public static final int KNOWN_FLAGS = 0;

    /** The smallest allowed {@code maxFrameBytes}: a frame header and a batch header. */
    public static final int MAX_FRAME_BYTES_MIN = HEADER_LENGTH + BatchFlyweight.BATCH_HEADER_LENGTH;
    /** The largest allowed {@code maxFrameBytes}: 64 MiB. */
    public static final int MAX_FRAME_BYTES_MAX = 64 * 1024 * 1024;
    /** A sensible {@code maxFrameBytes}: 1 MiB. */
    public static final int MAX_FRAME_BYTES_DEFAULT = 1024 * 1024;

    private MemorySegment buffer;
    private long offset;

    /**
     * Creates an unwrapped flyweight.
     */
    public FrameHeader()
    {
    }

    /**
     * @param buffer the memory holding the frame.
     * @param offset the offset of the frame's first byte.
     * @return this.
     */
    public FrameHeader wrap(final MemorySegment buffer, final long offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return the wrapped memory.
     */
    public MemorySegment buffer()
    {
        return buffer;
    }

    /**
     * @return the offset of the frame's first byte.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * @return the length field, as an unsigned value.
     */
    public long length()
    {
        return Integer.toUnsignedLong(buffer.get(INT_LE, offset + LENGTH_OFFSET));
    }

    /**
     * @param length the whole frame length, header included.
     * @return this.
     */
    public FrameHeader length(final int length)
    {
        buffer.set(INT_LE, offset + LENGTH_OFFSET, length);
        return this;
    }

    /**
     * @return the raw type byte (0..255).
     */
    public int typeValue()
    {
        return buffer.get(BYTE, offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * @return the message type, or {@code null} if the type byte is unknown.
     */
    public MessageType type()
    {
        return MessageType.fromValue(typeValue());
    }

    /**
     * @param type the message type.
     * @return this.
     */
    public FrameHeader type(final MessageType type)
    {
        buffer.set(BYTE, offset + TYPE_OFFSET, (byte)type.value());
        return this;
    }

    /**
     * @return the version byte (0..255).
     */
    public int version()
    {
        return buffer.get(BYTE, offset + VERSION_OFFSET) & 0xFF;
    }

    /**
     * @param version the protocol version.
     * @return this.
     */
    public FrameHeader version(final int version)
    {
        buffer.set(BYTE, offset + VERSION_OFFSET, (byte)version);
        return this;
    }

    /**
     * @return the flags (0..65535).
     */
    public int flags()
    {
        return buffer.get(SHORT_LE, offset + FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * @param flags the flags.
     * @return this.
     */
    public FrameHeader flags(final int flags)
    {
        buffer.set(SHORT_LE, offset + FLAGS_OFFSET, (short)flags);
        return this;
    }

    /**
     * @return the CRC32C field.
     */
    public int crc32c()
    {
        return buffer.get(INT_LE, offset + CRC32C_OFFSET);
    }

    /**
     * @param crc32c the CRC32C.
     * @return this.
     */
    public FrameHeader crc32c(final int crc32c)
    {
        buffer.set(INT_LE, offset + CRC32C_OFFSET, crc32c);
        return this;
    }

    /**
     * Computes a frame's CRC32C: bytes {@code [0, 8)} and {@code [12, length)} of the frame.
     *
     * @param crc    a reusable checksum, reset here.
     * @param view   a reusable buffer view.
     * @param buffer the memory holding the frame.
     * @param offset the offset of the frame's first byte.
     * @param length the frame length, at least {@link #HEADER_LENGTH}.
     * @return the CRC32C.
     */
    public static int computeCrc32c(
        final CRC32C crc, final ByteBufferView view, final MemorySegment buffer, final long offset, final int length)
    {
        crc.reset();
        crc.update(view.view(buffer, offset, CRC32C_OFFSET));
        crc.update(view.view(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH));

        return (int)crc.getValue();
    }

    /**
     * Writes a complete header for a frame whose body is already in place, CRC32C included.
     *
     * @param crc    a reusable checksum.
     * @param view   a reusable buffer view.
     * @param buffer the memory holding the frame.
     * @param offset the offset of the frame's first byte.
     * @param type   the message type.
     * @param length the whole frame length, header included.
     */
    public static void seal(
        final CRC32C crc,
        final ByteBufferView view,
        final MemorySegment buffer,
        final long offset,
        final MessageType type,
        final int length)
    {
        buffer.set(INT_LE, offset + LENGTH_OFFSET, length);
        buffer.set(BYTE, offset + TYPE_OFFSET, (byte)type.value());
        buffer.set(BYTE, offset + VERSION_OFFSET, (byte)VERSION);
        buffer.set(SHORT_LE, offset + FLAGS_OFFSET, (short)0);
        buffer.set(INT_LE, offset + CRC32C_OFFSET, computeCrc32c(crc, view, buffer, offset, length));
    }

    /**
     * Validates a {@code maxFrameBytes} setting.
     *
     * @param maxFrameBytes the value.
     * @return the value.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} naming the setting and its range.
     */
    public static int checkMaxFrameBytes(final int maxFrameBytes)
    {
        if (maxFrameBytes < MAX_FRAME_BYTES_MIN || maxFrameBytes > MAX_FRAME_BYTES_MAX)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION,
                "maxFrameBytes=" + maxFrameBytes + " is out of range [" + MAX_FRAME_BYTES_MIN + ", " +
                MAX_FRAME_BYTES_MAX + "]");
        }
        return maxFrameBytes;
    }
}
