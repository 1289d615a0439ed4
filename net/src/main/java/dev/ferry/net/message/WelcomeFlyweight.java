package dev.ferry.net.message;

import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Flyweight over a {@code WELCOME} frame, the primary's answer to an accepted {@code HELLO}: how and from where it will
 * stream. Offsets are from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         frame header, see FrameHeader (type WELCOME)          |  0
 *  +---------------+---------------+-------------------------------+
 *  |  codec (u8)   |   mode (u8)   |      reserved (u16) = 0       |  12
 *  +---------------+---------------+-------------------------------+
 *  |                      maxFrameBytes (u32)                      |  16
 *  +---------------------------------------------------------------+
 *  |                       startOffset (u64)                       |  20
 *  +---------------------------------------------------------------+
 *  |                        headOffset (u64)                       |  28
 *  +---------------------------------------------------------------+
 *  |                          epoch (u64)                          |  36
 *  +---------------------------------------------------------------+
 *  |                       historyIdHi (u64)                       |  44
 *  +---------------------------------------------------------------+
 *  |                       historyIdLo (u64)                       |  52
 *  +---------------------------------------------------------------+
 *  |     chainBefore (u64): the chain at startOffset - 1, or -1     |  60
 *  +---------------------------------------------------------------+
 *  |                    epochStartOffset (u64)                     |  68
 *  +---------------+-----------------------------------------------+
 *  | nodeLength u8 |  epochNode: 64 bytes, nodeLength of them the   |  76
 *  +---------------+  id of the node that began the epoch, then 0   |
 *  |                          ...                                  |
 *  +-------------------------------+-------------------------------+
 *  |   reserved (7 bytes) = 0 ...                                  |  141
 *  +---------------------------------------------------------------+
 *  |             proof (32 bytes, HMAC-SHA256 or all zero)         |  148
 *  +---------------------------------------------------------------+  180
 * </pre>
 * Since protocol version 5: mode TRUNCATE; {@code chainBefore}, the primary's chained checksum at
 * {@code startOffset - 1} (unsigned, or -1 when it does not hold it), which a replica told to truncate checks against
 * its own before it removes anything, and an empty replica starts its chain from; {@code epochStartOffset} and
 * {@code epochNode} (0 to 64 bytes of {@code [A-Za-z0-9._-]}, zero-padded), the primary's current epoch as the replica
 * records it in its history.
 * {@code codec} is a known {@link Codec} id (the one batches will mostly use; {@code NONE} batches may always come),
 * {@code mode} a {@link Mode} value, {@code maxFrameBytes} within {@code [FrameHeader.MAX_FRAME_BYTES_MIN,
 * FrameHeader.MAX_FRAME_BYTES_MAX]}, {@code startOffset <= headOffset}, both and {@code epoch} in {@code [0, 2^63)}.
 * {@code headOffset} is the primary's next offset to write. The frame is exactly {@link #LENGTH} bytes.
 * <p>
 * Reusable, single-threaded, allocation-free.
 */
public final class WelcomeFlyweight extends MessageFlyweight<WelcomeFlyweight>
{
    /**
     * How the replica is brought up to date.
     */
    public enum Mode
    {
        /** Batches follow, starting at {@code startOffset}. */
        STREAM(0),
        /** A snapshot follows, then batches from {@code startOffset}. */
        SNAPSHOT(1),
        /**
         * The replica's entries from {@code startOffset} on are not the primary's (its suffix diverged after an epoch
         * change, proven by the epochs): it removes them (keeping them aside), then batches follow from
         * {@code startOffset}, once its chain at {@code startOffset - 1} equals {@code chainBefore}.
         */
        TRUNCATE(2);

        private static final Mode[] BY_VALUE = values();

        private final int value;

        Mode(final int value)
        {
            this.value = value;
        }

        /**
         * @return the stable wire value.
         */
        public int value()
        {
            return value;
        }

        /**
         * @param value a wire value, possibly from an untrusted peer.
         * @return the mode, or {@code null} if the value is unknown.
         */
        public static Mode fromValue(final int value)
        {
            return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
        }
    }

    /** Offset of the codec id. */
    public static final int CODEC_OFFSET = HEADER_LENGTH;
    /** Offset of the mode. */
    public static final int MODE_OFFSET = CODEC_OFFSET + 1;
    /** Offset of the reserved field, zero in this version. */
    public static final int RESERVED_OFFSET = MODE_OFFSET + 1;
    /** Offset of the largest frame the primary will send. */
    public static final int MAX_FRAME_BYTES_OFFSET = RESERVED_OFFSET + Short.BYTES;
    /** Offset of the first offset the primary will send. */
    public static final int START_OFFSET_OFFSET = MAX_FRAME_BYTES_OFFSET + Integer.BYTES;
    /** Offset of the primary's next offset to write. */
    public static final int HEAD_OFFSET_OFFSET = START_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the primary's epoch. */
    public static final int EPOCH_OFFSET = HEAD_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the high 64 bits of the primary's history id. */
    public static final int HISTORY_ID_HI_OFFSET = EPOCH_OFFSET + Long.BYTES;
    /** Offset of the low 64 bits of the primary's history id. */
    public static final int HISTORY_ID_LO_OFFSET = HISTORY_ID_HI_OFFSET + Long.BYTES;
    /** Offset of the primary's chain at {@code startOffset - 1}. */
    public static final int CHAIN_BEFORE_OFFSET = HISTORY_ID_LO_OFFSET + Long.BYTES;
    /** Offset of the offset the primary's epoch starts at. */
    public static final int EPOCH_START_OFFSET_OFFSET = CHAIN_BEFORE_OFFSET + Long.BYTES;
    /** Offset of the length of the id of the node that began the primary's epoch. */
    public static final int EPOCH_NODE_LENGTH_OFFSET = EPOCH_START_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the id of the node that began the primary's epoch. */
    public static final int EPOCH_NODE_OFFSET = EPOCH_NODE_LENGTH_OFFSET + 1;
    /** Room for the node id. */
    public static final int MAX_EPOCH_NODE_LENGTH = HelloFlyweight.MAX_REPLICA_ID_LENGTH;
    /** Offset of the second reserved field, zero in this version. */
    public static final int RESERVED2_OFFSET = EPOCH_NODE_OFFSET + MAX_EPOCH_NODE_LENGTH;
    private static final int RESERVED2_LENGTH = 7;
    /** Offset of the primary's proof of the shared secret. */
    public static final int PROOF_OFFSET = RESERVED2_OFFSET + RESERVED2_LENGTH;
    /** Length of a proof: an HMAC-SHA256. */
    public static final int PROOF_LENGTH = 32;
    /** Length of a {@code WELCOME} frame. */
    public static final int LENGTH = PROOF_OFFSET + PROOF_LENGTH;

    private static final MessageType TYPE = MessageType.WELCOME;

    /**
     * Creates an unwrapped flyweight.
     */
    public WelcomeFlyweight()
    {
        super(TYPE, LENGTH, true);
    }

    /**
     * Checks the body of a {@code WELCOME} frame whose type and exact length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code BAD_FIELD} for a field out of range.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        final int codecId = buffer.get(BYTE, frameOffset + CODEC_OFFSET) & 0xFF;
        if (null == Codec.fromId(codecId))
        {
            throw Messages.badField(TYPE, "codec=" + codecId + " is not a known codec id");
        }
        final int mode = buffer.get(BYTE, frameOffset + MODE_OFFSET) & 0xFF;
        if (null == Mode.fromValue(mode))
        {
            throw Messages.badField(TYPE, "mode=" + mode + " is not STREAM (0), SNAPSHOT (1) or TRUNCATE (2)");
        }
        final int reserved = buffer.get(SHORT_LE, frameOffset + RESERVED_OFFSET) & 0xFFFF;
        if (0 != reserved)
        {
            throw Messages.badField(TYPE, "reserved=" + reserved + " must be 0");
        }
        final long maxFrameBytes = Integer.toUnsignedLong(buffer.get(INT_LE, frameOffset + MAX_FRAME_BYTES_OFFSET));
        if (maxFrameBytes < FrameHeader.MAX_FRAME_BYTES_MIN || maxFrameBytes > FrameHeader.MAX_FRAME_BYTES_MAX)
        {
            throw Messages.badField(TYPE, "maxFrameBytes=" + maxFrameBytes + " is outside [" +
                FrameHeader.MAX_FRAME_BYTES_MIN + ", " + FrameHeader.MAX_FRAME_BYTES_MAX + "]");
        }
        final long startOffset =
            Messages.checkNonNegative(TYPE, "startOffset", buffer.get(LONG_LE, frameOffset + START_OFFSET_OFFSET));
        final long headOffset =
            Messages.checkNonNegative(TYPE, "headOffset", buffer.get(LONG_LE, frameOffset + HEAD_OFFSET_OFFSET));
        if (startOffset > headOffset)
        {
            throw Messages.badField(TYPE, "startOffset=" + startOffset + " is beyond headOffset=" + headOffset);
        }
        Messages.checkNonNegative(TYPE, "epoch", buffer.get(LONG_LE, frameOffset + EPOCH_OFFSET));
        final long chainBefore = buffer.get(LONG_LE, frameOffset + CHAIN_BEFORE_OFFSET);
        if (chainBefore < -1 || chainBefore > 0xFFFF_FFFFL)
        {
            throw Messages.badField(TYPE, "chainBefore=" + chainBefore + " is neither -1 nor a 32-bit chain");
        }
        Messages.checkNonNegative(TYPE, "epochStartOffset", buffer.get(LONG_LE, frameOffset + EPOCH_START_OFFSET_OFFSET));
        final int nodeLength = buffer.get(BYTE, frameOffset + EPOCH_NODE_LENGTH_OFFSET) & 0xFF;
        if (nodeLength > MAX_EPOCH_NODE_LENGTH)
        {
            throw Messages.badField(TYPE, "epochNodeLength=" + nodeLength + " is beyond " + MAX_EPOCH_NODE_LENGTH);
        }
        Messages.checkPaddedId(TYPE, "epochNode", buffer, frameOffset + EPOCH_NODE_OFFSET, nodeLength,
            MAX_EPOCH_NODE_LENGTH, RESERVED2_LENGTH);
    }

    /**
     * @return {@link #LENGTH}.
     */
    @Override
    int frameLength()
    {
        return LENGTH;
    }

    /**
     * Writes a whole {@code WELCOME} frame and seals it.
     *
     * @param buffer        the memory to write to, at least {@link #LENGTH} bytes from {@code frameOffset}.
     * @param frameOffset   the offset of the frame's first byte.
     * @param codec         the codec batches will use.
     * @param mode          stream or snapshot.
     * @param maxFrameBytes the largest frame the primary will send.
     * @param startOffset   the first offset the primary will send.
     * @param headOffset    the primary's next offset to write.
     * @param epoch         the primary's epoch.
     * @param historyIdHi   the high 64 bits of the primary's history id.
     * @param historyIdLo   the low 64 bits of the primary's history id.
     * @param proof         {@value #PROOF_LENGTH} bytes of proof (all zero without a secret).
     * @return the frame length, {@link #LENGTH}.
     */
    public int encode(
        final MemorySegment buffer,
        final long frameOffset,
        final Codec codec,
        final Mode mode,
        final int maxFrameBytes,
        final long startOffset,
        final long headOffset,
        final long epoch,
        final long historyIdHi,
        final long historyIdLo,
        final byte[] proof)
    {
        return wrap(buffer, frameOffset)
            .codec(codec)
            .mode(mode)
            .maxFrameBytes(maxFrameBytes)
            .startOffset(startOffset)
            .headOffset(headOffset)
            .epoch(epoch)
            .historyIdHi(historyIdHi)
            .historyIdLo(historyIdLo)
            .chainBefore(-1)
            .epochStartOffset(0)
            .epochNode("")
            .proof(proof)
            .seal();
    }

    /**
     * Wraps a frame, zeroes its reserved fields and sets the version 5 fields to "not given" (chain -1, epoch start 0,
     * no node), so that once the setters ran the body is complete: the primary's
     * proof ({@code HandshakeAuth#signFrame}), computed before {@link #seal()}, covers the bytes sent, not what a
     * previous frame left in the send buffer there.
     */
    @Override
    public WelcomeFlyweight wrap(final MemorySegment buffer, final long frameOffset)
    {
        super.wrap(buffer, frameOffset);
        buffer.set(SHORT_LE, frameOffset + RESERVED_OFFSET, (short)0);
        for (int i = 0; i < RESERVED2_LENGTH; i++)
        {
            buffer.set(BYTE, frameOffset + RESERVED2_OFFSET + i, (byte)0);
        }
        return chainBefore(-1).epochStartOffset(0).epochNode(""); // defaults, so no byte of an earlier frame is left

    }

    /**
     * Zeroes the reserved field, writes the frame header and CRC32C over the body already set.
     *
     * @return the frame length, {@link #LENGTH}.
     */
    @Override
    public int seal()
    {
        buffer.set(SHORT_LE, offset + RESERVED_OFFSET, (short)0);
        return super.seal();
    }

    /**
     * @return the codec, or {@code null} for an unknown id in an unchecked frame.
     */
    public Codec codec()
    {
        return Codec.fromId(buffer.get(BYTE, offset + CODEC_OFFSET) & 0xFF);
    }

    /**
     * @param codec the codec batches will use.
     * @return this.
     */
    public WelcomeFlyweight codec(final Codec codec)
    {
        buffer.set(BYTE, offset + CODEC_OFFSET, (byte)codec.id());
        return this;
    }

    /**
     * @return the mode, or {@code null} for an unknown value in an unchecked frame.
     */
    public Mode mode()
    {
        return Mode.fromValue(buffer.get(BYTE, offset + MODE_OFFSET) & 0xFF);
    }

    /**
     * @param mode stream or snapshot.
     * @return this.
     */
    public WelcomeFlyweight mode(final Mode mode)
    {
        buffer.set(BYTE, offset + MODE_OFFSET, (byte)mode.value());
        return this;
    }

    /**
     * @return the largest frame the primary will send.
     */
    public int maxFrameBytes()
    {
        return buffer.get(INT_LE, offset + MAX_FRAME_BYTES_OFFSET);
    }

    /**
     * @param maxFrameBytes the largest frame the primary will send.
     * @return this.
     */
    public WelcomeFlyweight maxFrameBytes(final int maxFrameBytes)
    {
        buffer.set(INT_LE, offset + MAX_FRAME_BYTES_OFFSET, maxFrameBytes);
        return this;
    }

    /**
     * @return the first offset the primary will send.
     */
    public long startOffset()
    {
        return buffer.get(LONG_LE, offset + START_OFFSET_OFFSET);
    }

    /**
     * @param startOffset the first offset the primary will send.
     * @return this.
     */
    public WelcomeFlyweight startOffset(final long startOffset)
    {
        buffer.set(LONG_LE, offset + START_OFFSET_OFFSET, startOffset);
        return this;
    }

    /**
     * @return the primary's next offset to write.
     */
    public long headOffset()
    {
        return buffer.get(LONG_LE, offset + HEAD_OFFSET_OFFSET);
    }

    /**
     * @param headOffset the primary's next offset to write.
     * @return this.
     */
    public WelcomeFlyweight headOffset(final long headOffset)
    {
        buffer.set(LONG_LE, offset + HEAD_OFFSET_OFFSET, headOffset);
        return this;
    }

    /**
     * @return the primary's epoch.
     */
    public long epoch()
    {
        return buffer.get(LONG_LE, offset + EPOCH_OFFSET);
    }

    /**
     * @param epoch the primary's epoch.
     * @return this.
     */
    public WelcomeFlyweight epoch(final long epoch)
    {
        buffer.set(LONG_LE, offset + EPOCH_OFFSET, epoch);
        return this;
    }

    /**
     * @return the primary's chained checksum at {@code startOffset - 1} (unsigned), or -1 if it does not hold it.
     */
    public long chainBefore()
    {
        return buffer.get(LONG_LE, offset + CHAIN_BEFORE_OFFSET);
    }

    /**
     * @param chainBefore the primary's chained checksum at {@code startOffset - 1}, or -1.
     * @return this.
     */
    public WelcomeFlyweight chainBefore(final long chainBefore)
    {
        buffer.set(LONG_LE, offset + CHAIN_BEFORE_OFFSET, chainBefore);
        return this;
    }

    /**
     * @return the offset the primary's current epoch starts at.
     */
    public long epochStartOffset()
    {
        return buffer.get(LONG_LE, offset + EPOCH_START_OFFSET_OFFSET);
    }

    /**
     * @param epochStartOffset the offset the primary's current epoch starts at.
     * @return this.
     */
    public WelcomeFlyweight epochStartOffset(final long epochStartOffset)
    {
        buffer.set(LONG_LE, offset + EPOCH_START_OFFSET_OFFSET, epochStartOffset);
        return this;
    }

    /**
     * @return the id of the node that began the primary's current epoch ("" if not given), as a new string.
     */
    public String epochNode()
    {
        return Messages.getUtf8(buffer, offset + EPOCH_NODE_OFFSET, buffer.get(BYTE, offset + EPOCH_NODE_LENGTH_OFFSET) & 0xFF);
    }

    /**
     * @param node the id of the node that began the primary's current epoch: "" or a valid replica id.
     * @return this.
     */
    public WelcomeFlyweight epochNode(final CharSequence node)
    {
        if (node.length() > 0)
        {
            HelloFlyweight.checkReplicaId(node);
        }
        buffer.set(BYTE, offset + EPOCH_NODE_LENGTH_OFFSET, (byte)node.length());
        Messages.putPaddedId(buffer, offset + EPOCH_NODE_OFFSET, node, MAX_EPOCH_NODE_LENGTH);
        return this;
    }

    /**
     * @return the high 64 bits of the primary's history id.
     */
    public long historyIdHi()
    {
        return buffer.get(LONG_LE, offset + HISTORY_ID_HI_OFFSET);
    }

    /**
     * @param historyIdHi the high 64 bits of the primary's history id.
     * @return this.
     */
    public WelcomeFlyweight historyIdHi(final long historyIdHi)
    {
        buffer.set(LONG_LE, offset + HISTORY_ID_HI_OFFSET, historyIdHi);
        return this;
    }

    /**
     * @return the low 64 bits of the primary's history id.
     */
    public long historyIdLo()
    {
        return buffer.get(LONG_LE, offset + HISTORY_ID_LO_OFFSET);
    }

    /**
     * @param historyIdLo the low 64 bits of the primary's history id.
     * @return this.
     */
    public WelcomeFlyweight historyIdLo(final long historyIdLo)
    {
        buffer.set(LONG_LE, offset + HISTORY_ID_LO_OFFSET, historyIdLo);
        return this;
    }

    /**
     * @param dst at least {@value #PROOF_LENGTH} bytes to copy the proof into.
     * @return {@code dst}.
     */
    public byte[] copyProofTo(final byte[] dst)
    {
        return Messages.copyOut(buffer, offset + PROOF_OFFSET, PROOF_LENGTH, dst);
    }

    /**
     * @param proof exactly {@value #PROOF_LENGTH} bytes.
     * @return this.
     */
    public WelcomeFlyweight proof(final byte[] proof)
    {
        Messages.copyIn(proof, buffer, offset + PROOF_OFFSET, PROOF_LENGTH);
        return this;
    }

    /**
     * @return whether the proof is all zero: the primary has no secret.
     */
    public boolean proofIsZero()
    {
        return Messages.isZero(buffer, offset + PROOF_OFFSET, PROOF_LENGTH);
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "WelcomeFlyweight[unwrapped]";
        }
        return "WELCOME[codec=" + codec() + ", mode=" + mode() + ", maxFrameBytes=" + maxFrameBytes() +
            ", startOffset=" + startOffset() + ", headOffset=" + headOffset() + ", epoch=" + epoch() +
            ", historyId=" + Messages.historyIdHex(historyIdHi(), historyIdLo()) + ", chainBefore=" +
            Long.toHexString(chainBefore()) + ", epochStart=" + epochStartOffset() + ", epochNode=" + epochNode() + "]";
    }
}
