package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameException;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;

/**
 * Flyweight over a {@code HELLO} frame, the replica's first frame: who it is, what it has, what it can decode, and its
 * nonce. Its proof follows in {@code AUTH}, once the primary's {@code CHALLENGE} has given the primary's nonce.
 * Offsets are from the start of the frame; all fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          frame header, see FrameHeader (type HELLO)           |  0
 *  +-------------------------------+-------------------------------+
 *  |    protocolVersion (u16)      |        codecMask (u16)        |  12
 *  +-------------------------------+-------------------------------+
 *  |         flags (u32), bit 0 EMPTY_WAL, bit 1 NO_SYNC           |  16
 *  +---------------------------------------------------------------+
 *  |                          epoch (u64)                          |  20
 *  +---------------------------------------------------------------+
 *  |                        nextOffset (u64)                       |  28
 *  +---------------------------------------------------------------+
 *  |      lastChain (u64): the chained checksum before nextOffset   |  36
 *  +---------------------------------------------------------------+
 *  |                       historyIdHi (u64)                       |  44
 *  +---------------------------------------------------------------+
 *  |                       historyIdLo (u64)                       |  52
 *  +---------------------------------------------------------------+
 *  |                    epochStartOffset (u64)                     |  60
 *  +---------------------------------------------------------------+
 *  |               epochNode (u64): the node's id, hashed           |  68
 *  +---------------------------------------------------------------+
 *  |                         nonce (16 bytes)                      |  76
 *  +---------------------------------------------------------------+
 *  +---------------+-----------------------------------------------+
 *  | idLength (u8) |  replicaId, idLength ASCII bytes [A-Za-z0-9._-]  ...  92
 *  +---------------+-----------------------------------------------+
 *  only with PARTIAL_SNAPSHOT (flags bit 3), at p = 93 + idLength:
 *  +---------------------------------------------------------------+
 *  |                 partialSnapshotOffset (u64)                   |  p
 *  +---------------------------------------------------------------+
 *  |                  partialTotalBytes (u64)                      |  p + 8
 *  +---------------------------------------------------------------+
 *  |                  partialBytesHeld (u64)                       |  p + 16
 *  +---------------------------------------------------------------+
 *  |                    partialCrc (u32)                           |  p + 24
 *  +---------------------------------------------------------------+  p + 28
 * </pre>
 * Flags: {@code EMPTY_WAL} (bit 0), {@code NO_SYNC} (bit 1), {@code ACCEPTS_SNAPSHOT} (bit 2: the replica runs a
 * state machine and can be brought back by a snapshot), {@code PARTIAL_SNAPSHOT} (bit 3, with bit 2: it holds the
 * first {@code partialBytesHeld} bytes of the snapshot at {@code partialSnapshotOffset} of {@code partialTotalBytes}
 * bytes whose CRC32C is {@code partialCrc}, from an interrupted transfer, and asks to go on from there).
 * {@code codecMask} bit {@code i} says the replica decodes {@link Codec} id {@code i}; bit 0 ({@code NONE}) must be
 * set and bits of codecs this version does not define must not be. {@code nextOffset} is the replica's next offset to
 * write (everything below it is in its WAL). {@code epoch}, {@code nextOffset} are in {@code [0, 2^63)}.
 * {@code lastChain} (since protocol version 5; version 2 to 4 sent a fingerprint of the last entry there) is the
 * replica's chained checksum at {@code nextOffset - 1} (the WAL's {@code Chain}, unsigned), {@link #NO_LAST_CHAIN} (-1)
 * when it does not know it. The primary compares it with its own chain there, so a replica never resumes on top of
 * entries the primary does not hold. {@code epoch}, {@code epochStartOffset} and {@code epochNode} (since version 5)
 * name the replica's current epoch: its number, the offset it starts at, and a 64-bit hash ({@link #nodeHash}) of the
 * id of the node that began it, so the primary can find the last offset both hold by the epochs (the same number from
 * another node is another epoch). The frame is
 * exactly {@code 93 + idLength} bytes ({@code 121 + idLength} with {@code PARTIAL_SNAPSHOT}), {@code idLength} in
 * {@code [1, 64]}; the partial fields are in {@code [0, 2^63)} with {@code partialBytesHeld <= partialTotalBytes}.
 * <p>
 * Encode: {@link #wrap(MemorySegment, long)}, the setters, then {@link #seal()}; or
 * {@link #encode(MemorySegment, long, int, int, int, long, long, long, long, byte[], CharSequence)}. Decode:
 * {@link #decode(MemorySegment, long, long)} on a frame {@code FrameDecoder.verify} accepted, then the accessors.
 * Reusable, single-threaded; allocation-free apart from {@link #replicaId()}.
 */
public final class HelloFlyweight extends MessageFlyweight<HelloFlyweight>
{
    /** Offset of the highest protocol version the replica speaks. */
    public static final int PROTOCOL_VERSION_OFFSET = HEADER_LENGTH;
    /** Offset of the mask of codecs the replica decodes. */
    public static final int CODEC_MASK_OFFSET = PROTOCOL_VERSION_OFFSET + Short.BYTES;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = CODEC_MASK_OFFSET + Short.BYTES;
    /** Offset of the replica's epoch. */
    public static final int EPOCH_OFFSET = FLAGS_OFFSET + Integer.BYTES;
    /** Offset of the replica's next offset to write. */
    public static final int NEXT_OFFSET_OFFSET = EPOCH_OFFSET + Long.BYTES;
    /** Offset of the replica's chained checksum at its last entry. */
    public static final int LAST_CHAIN_OFFSET = NEXT_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the high 64 bits of the replica's history id. */
    public static final int HISTORY_ID_HI_OFFSET = LAST_CHAIN_OFFSET + Long.BYTES;
    /** Offset of the low 64 bits of the replica's history id. */
    public static final int HISTORY_ID_LO_OFFSET = HISTORY_ID_HI_OFFSET + Long.BYTES;
    /** Offset of the offset the replica's epoch starts at. */
    public static final int EPOCH_START_OFFSET_OFFSET = HISTORY_ID_LO_OFFSET + Long.BYTES;
    /** Offset of the hash of the id of the node that began the replica's epoch. */
    public static final int EPOCH_NODE_OFFSET = EPOCH_START_OFFSET_OFFSET + Long.BYTES;
    /** Offset of the replica's nonce. */
    public static final int NONCE_OFFSET = EPOCH_NODE_OFFSET + Long.BYTES;
    /** Length of the nonce. */
    public static final int NONCE_LENGTH = 16;
    /** Length of a proof (carried by {@code AUTH}, {@code WELCOME}...): an HMAC-SHA256. */
    public static final int PROOF_LENGTH = 32;
    /** Offset of the replica id's length. */
    public static final int REPLICA_ID_LENGTH_OFFSET = NONCE_OFFSET + NONCE_LENGTH;
    /** Offset of the replica id. */
    public static final int REPLICA_ID_OFFSET = REPLICA_ID_LENGTH_OFFSET + 1;

    /** The longest replica id, in bytes. */
    public static final int MAX_REPLICA_ID_LENGTH = 64;
    /** The shortest {@code HELLO} frame: a one-byte replica id. */
    public static final int MIN_LENGTH = REPLICA_ID_OFFSET + 1;
    /** Length of the partial snapshot fields after the replica id ({@link #PARTIAL_SNAPSHOT_FLAG}). */
    public static final int PARTIAL_LENGTH = 3 * Long.BYTES + Integer.BYTES;
    /** The longest {@code HELLO} frame. */
    public static final int MAX_LENGTH = REPLICA_ID_OFFSET + MAX_REPLICA_ID_LENGTH + PARTIAL_LENGTH;

    /** Flag: the replica's WAL is empty; {@code epoch}, {@code nextOffset} and the history id carry no meaning. */
    public static final int EMPTY_WAL_FLAG = 1;
    /**
     * Flag: the replica never syncs its WAL (sync policy none): its {@code durableOffset} does not advance, so it
     * counts for no DURABLE wait, and the primary keeps retention for it from its {@code receivedOffset}.
     */
    public static final int NO_SYNC_FLAG = 2;
    /** Flag: the replica runs a state machine and can be brought back by a snapshot instead of being refused. */
    public static final int ACCEPTS_SNAPSHOT_FLAG = 4;
    /**
     * Flag (with {@link #ACCEPTS_SNAPSHOT_FLAG}): the replica holds part of a snapshot from an interrupted transfer,
     * described by the fields after its id, and asks to go on from there.
     */
    public static final int PARTIAL_SNAPSHOT_FLAG = 8;
    /** {@link #lastEntry()} when the replica does not know its last entry (an empty WAL). */
    public static final long NO_LAST_CHAIN = -1;
    /**
     * Flag (since version 5, with {@link #EMPTY_WAL_FLAG} and {@link #ACCEPTS_SNAPSHOT_FLAG}): the replica moved what
     * it held aside, but its state machine still holds state it could not roll back: only a snapshot may bring it
     * back, never a stream from offset 0 on top of that state.
     */
    public static final int NEEDS_SNAPSHOT_FLAG = 16;
    /** The flag bits this version defines. */
    public static final int KNOWN_FLAGS =
        EMPTY_WAL_FLAG | NO_SYNC_FLAG | ACCEPTS_SNAPSHOT_FLAG | PARTIAL_SNAPSHOT_FLAG | NEEDS_SNAPSHOT_FLAG;
    /** The codec mask bits this version defines: one per {@link Codec}. */
    public static final int KNOWN_CODEC_MASK = (1 << Codec.values().length) - 1;

    private static final MessageType TYPE = MessageType.HELLO;

    /**
     * Creates an unwrapped flyweight.
     */
    public HelloFlyweight()
    {
        super(TYPE, MIN_LENGTH, false);
    }

    /**
     * @param replicaIdLength the replica id length in bytes.
     * @return the frame length of a {@code HELLO} with that id.
     */
    public static int length(final int replicaIdLength)
    {
        return REPLICA_ID_OFFSET + replicaIdLength;
    }

    /**
     * The {@code codecMask} field value for a set of codecs. Pass at least one codec or an array: with no argument
     * {@code codecMask()} is the instance accessor.
     *
     * @param codecs the codecs a replica decodes; {@code NONE} is always added.
     * @return the {@code codecMask} field value.
     */
    public static int codecMask(final Codec... codecs)
    {
        int mask = 1 << Codec.NONE.id();
        for (final Codec codec : codecs)
        {
            mask |= 1 << codec.id();
        }
        return mask;
    }

    /**
     * Validates a replica id, for configuration ({@code conclude()}) as well as for encoding.
     *
     * @param replicaId the id.
     * @return the id.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} if it is not 1 to 64 characters of
     *                        {@code [A-Za-z0-9._-]}.
     */
    public static String checkReplicaId(final CharSequence replicaId)
    {
        final int length = null == replicaId ? 0 : replicaId.length();
        if (length < 1 || length > MAX_REPLICA_ID_LENGTH)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION,
                "replicaId '" + replicaId + "' must be 1 to " + MAX_REPLICA_ID_LENGTH + " characters of [A-Za-z0-9._-]");
        }
        for (int i = 0; i < length; i++)
        {
            if (!isReplicaIdChar(replicaId.charAt(i)))
            {
                throw new FerryException(
                    ErrorCode.CONFIGURATION,
                    "replicaId '" + replicaId + "' has a character outside [A-Za-z0-9._-] at index " + i);
            }
        }
        return replicaId.toString();
    }

    static boolean isReplicaIdChar(final int c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            '.' == c || '_' == c || '-' == c;
    }

    /**
     * Checks the body of a {@code HELLO} frame whose type and minimum length
     * {@link #decode(MemorySegment, long, long)} has checked.
     *
     * @throws FrameException {@code LENGTH_MISMATCH} if the frame is not {@code 93 + idLength} bytes,
     *                        {@code BAD_FLAGS} for an unknown flag, {@code BAD_FIELD} for any other field out of
     *                        range.
     */
    @Override
    void validateBody(final MemorySegment buffer, final long frameOffset, final long frameLength)
    {
        final int idLength = buffer.get(BYTE, frameOffset + REPLICA_ID_LENGTH_OFFSET) & 0xFF;
        if (idLength < 1 || idLength > MAX_REPLICA_ID_LENGTH)
        {
            throw Messages.badField(TYPE, "replicaIdLength=" + idLength + " is outside [1, " +
                MAX_REPLICA_ID_LENGTH + "]");
        }
        final int flags = buffer.get(INT_LE, frameOffset + FLAGS_OFFSET);
        final boolean partial = 0 != (flags & PARTIAL_SNAPSHOT_FLAG);
        Messages.checkExactLength(TYPE, frameLength, length(idLength) + (partial ? PARTIAL_LENGTH : 0));
        for (int i = 0; i < idLength; i++)
        {
            final int c = buffer.get(BYTE, frameOffset + REPLICA_ID_OFFSET + i) & 0xFF;
            if (!isReplicaIdChar(c))
            {
                throw Messages.badField(
                    TYPE, "replicaId byte " + i + " is 0x" + Integer.toHexString(c) + ", outside [A-Za-z0-9._-]");
            }
        }

        final int protocolVersion = buffer.get(SHORT_LE, frameOffset + PROTOCOL_VERSION_OFFSET) & 0xFFFF;
        if (protocolVersion < 1)
        {
            throw Messages.badField(TYPE, "protocolVersion=" + protocolVersion + " is below 1");
        }
        final int codecMask = buffer.get(SHORT_LE, frameOffset + CODEC_MASK_OFFSET) & 0xFFFF;
        if (0 != (codecMask & ~KNOWN_CODEC_MASK) || 0 == (codecMask & (1 << Codec.NONE.id())))
        {
            throw Messages.badField(
                TYPE, "codecMask=0x" + Integer.toHexString(codecMask) + " must include NONE (bit 0) and only bits of " +
                "known codecs (mask 0x" + Integer.toHexString(KNOWN_CODEC_MASK) + ")");
        }
        if (0 != (flags & ~KNOWN_FLAGS) || (partial && 0 == (flags & ACCEPTS_SNAPSHOT_FLAG)) ||
            (0 != (flags & NEEDS_SNAPSHOT_FLAG) && (0 == (flags & ACCEPTS_SNAPSHOT_FLAG) || 0 == (flags & EMPTY_WAL_FLAG))))
        {
            throw new FrameException(
                FrameException.Reason.BAD_FLAGS,
                TYPE + " flags=0x" + Integer.toHexString(flags) + " set bits this version does not define" +
                    " (or PARTIAL_SNAPSHOT without ACCEPTS_SNAPSHOT, or NEEDS_SNAPSHOT without ACCEPTS_SNAPSHOT and " +
                    "EMPTY_WAL)");
        }
        if (partial)
        {
            final long at = frameOffset + length(idLength);
            Messages.checkNonNegative(TYPE, "partialSnapshotOffset", buffer.get(LONG_LE, at));
            final long total = Messages.checkNonNegative(TYPE, "partialTotalBytes", buffer.get(LONG_LE, at + Long.BYTES));
            final long held = Messages.checkNonNegative(TYPE, "partialBytesHeld", buffer.get(LONG_LE, at + 2 * Long.BYTES));
            if (held > total)
            {
                throw Messages.badField(TYPE, "partialBytesHeld=" + held + " is beyond partialTotalBytes=" + total);
            }
        }
        Messages.checkNonNegative(TYPE, "epoch", buffer.get(LONG_LE, frameOffset + EPOCH_OFFSET));
        Messages.checkNonNegative(TYPE, "nextOffset", buffer.get(LONG_LE, frameOffset + NEXT_OFFSET_OFFSET));
        Messages.checkNonNegative(TYPE, "epochStartOffset", buffer.get(LONG_LE, frameOffset + EPOCH_START_OFFSET_OFFSET));
    }

    /**
     * Writes a whole {@code HELLO} frame and seals it.
     *
     * @param buffer          the memory to write to, at least {@link #length(int)} bytes from {@code frameOffset}.
     * @param frameOffset     the offset of the frame's first byte.
     * @param protocolVersion the highest protocol version the replica speaks.
     * @param codecMask       the codecs the replica decodes, see {@link #codecMask(Codec...)}.
     * @param flags           {@link #EMPTY_WAL_FLAG}, {@link #NO_SYNC_FLAG}, {@link #ACCEPTS_SNAPSHOT_FLAG} or 0 in any
     *                        combination; {@link #PARTIAL_SNAPSHOT_FLAG} is ignored here: {@link #partial} sets it with
     *                        the fields it announces.
     * @param epoch           the replica's epoch.
     * @param nextOffset      the replica's next offset to write.
     * @param historyIdHi     the high 64 bits of the replica's history id.
     * @param historyIdLo     the low 64 bits of the replica's history id.
     * @param nonce           {@value #NONCE_LENGTH} random bytes.
     * @param replicaId       the replica id.
     * @return the frame length.
     * @throws FerryException with {@code CONFIGURATION} if the replica id is invalid.
     */
    public int encode(
        final MemorySegment buffer,
        final long frameOffset,
        final int protocolVersion,
        final int codecMask,
        final int flags,
        final long epoch,
        final long nextOffset,
        final long historyIdHi,
        final long historyIdLo,
        final byte[] nonce,
        final CharSequence replicaId)
    {
        return wrap(buffer, frameOffset)
            .protocolVersion(protocolVersion)
            .codecMask(codecMask)
            .flags(flags & ~PARTIAL_SNAPSHOT_FLAG)
            .epoch(epoch)
            .nextOffset(nextOffset)
            .lastChain(NO_LAST_CHAIN)
            .historyIdHi(historyIdHi)
            .historyIdLo(historyIdLo)
            .nonce(nonce)
            .replicaId(replicaId)
            .seal();
    }

    /**
     * @return the frame length the replica id length gives.
     */
    @Override
    public int frameLength()
    {
        return length(replicaIdLength()) + (partialSnapshot() ? PARTIAL_LENGTH : 0);
    }

    /**
     * @return the highest protocol version the replica speaks.
     */
    public int protocolVersion()
    {
        return buffer.get(SHORT_LE, offset + PROTOCOL_VERSION_OFFSET) & 0xFFFF;
    }

    /**
     * @param protocolVersion the highest protocol version the replica speaks.
     * @return this.
     */
    public HelloFlyweight protocolVersion(final int protocolVersion)
    {
        buffer.set(SHORT_LE, offset + PROTOCOL_VERSION_OFFSET, (short)protocolVersion);
        return this;
    }

    /**
     * @return the codec mask: bit {@code i} set if the replica decodes codec id {@code i}.
     */
    public int codecMask()
    {
        return buffer.get(SHORT_LE, offset + CODEC_MASK_OFFSET) & 0xFFFF;
    }

    /**
     * @param codecMask the codec mask, see {@link #codecMask(Codec...)}.
     * @return this.
     */
    public HelloFlyweight codecMask(final int codecMask)
    {
        buffer.set(SHORT_LE, offset + CODEC_MASK_OFFSET, (short)codecMask);
        return this;
    }

    /**
     * @param codec a codec.
     * @return whether the replica decodes it.
     */
    public boolean supportsCodec(final Codec codec)
    {
        return 0 != (codecMask() & (1 << codec.id()));
    }

    /**
     * @return the flags.
     */
    public int flags()
    {
        return buffer.get(INT_LE, offset + FLAGS_OFFSET);
    }

    /**
     * @param flags the flags ({@link #KNOWN_FLAGS}); with {@link #PARTIAL_SNAPSHOT_FLAG} the partial fields must be set
     *              too ({@link #partial} does both).
     * @return this.
     */
    public HelloFlyweight flags(final int flags)
    {
        buffer.set(INT_LE, offset + FLAGS_OFFSET, flags);
        return this;
    }

    /**
     * @return whether the replica never syncs its WAL, so its durable offset does not advance.
     */
    public boolean noSync()
    {
        return 0 != (flags() & NO_SYNC_FLAG);
    }

    /**
     * @return whether the replica can be brought back by a snapshot.
     */
    public boolean acceptsSnapshot()
    {
        return 0 != (flags() & ACCEPTS_SNAPSHOT_FLAG);
    }

    /**
     * @return whether the replica may only be brought back by a snapshot ({@link #NEEDS_SNAPSHOT_FLAG}).
     */
    public boolean needsSnapshot()
    {
        return 0 != (flags() & NEEDS_SNAPSHOT_FLAG);
    }

    /**
     * @return whether the partial snapshot fields follow the replica id.
     */
    public boolean partialSnapshot()
    {
        return 0 != (flags() & PARTIAL_SNAPSHOT_FLAG);
    }

    /**
     * Set the partial snapshot fields (after the replica id: set the id first) and the flag.
     *
     * @param snapshotOffset the offset of the snapshot held in part.
     * @param totalBytes     its length.
     * @param bytesHeld      how many of its first bytes are held, verified.
     * @param snapshotCrc    its CRC32C.
     * @return this.
     */
    public HelloFlyweight partial(final long snapshotOffset, final long totalBytes, final long bytesHeld,
        final int snapshotCrc)
    {
        flags(flags() | ACCEPTS_SNAPSHOT_FLAG | PARTIAL_SNAPSHOT_FLAG);
        final long at = offset + length(replicaIdLength());
        buffer.set(LONG_LE, at, snapshotOffset);
        buffer.set(LONG_LE, at + Long.BYTES, totalBytes);
        buffer.set(LONG_LE, at + 2 * Long.BYTES, bytesHeld);
        buffer.set(INT_LE, at + 3 * Long.BYTES, snapshotCrc);
        return this;
    }

    /**
     * @return the offset of the snapshot held in part (with {@link #partialSnapshot()}).
     */
    public long partialSnapshotOffset()
    {
        return buffer.get(LONG_LE, offset + length(replicaIdLength()));
    }

    /**
     * @return the length of the snapshot held in part.
     */
    public long partialTotalBytes()
    {
        return buffer.get(LONG_LE, offset + length(replicaIdLength()) + Long.BYTES);
    }

    /**
     * @return how many of its first bytes the replica holds.
     */
    public long partialBytesHeld()
    {
        return buffer.get(LONG_LE, offset + length(replicaIdLength()) + 2 * Long.BYTES);
    }

    /**
     * @return the CRC32C of the snapshot held in part.
     */
    public int partialCrc()
    {
        return buffer.get(INT_LE, offset + length(replicaIdLength()) + 3 * Long.BYTES);
    }

    /**
     * @return whether the replica's WAL is empty.
     */
    public boolean emptyWal()
    {
        return 0 != (flags() & EMPTY_WAL_FLAG);
    }

    /**
     * @return the replica's epoch.
     */
    public long epoch()
    {
        return buffer.get(LONG_LE, offset + EPOCH_OFFSET);
    }

    /**
     * @param epoch the replica's epoch.
     * @return this.
     */
    public HelloFlyweight epoch(final long epoch)
    {
        buffer.set(LONG_LE, offset + EPOCH_OFFSET, epoch);
        return this;
    }

    /**
     * @return the replica's next offset to write.
     */
    public long nextOffset()
    {
        return buffer.get(LONG_LE, offset + NEXT_OFFSET_OFFSET);
    }

    /**
     * @param nextOffset the replica's next offset to write.
     * @return this.
     */
    public HelloFlyweight nextOffset(final long nextOffset)
    {
        buffer.set(LONG_LE, offset + NEXT_OFFSET_OFFSET, nextOffset);
        return this;
    }

    /**
     * @return the replica's chained checksum at {@code nextOffset - 1} (unsigned), or {@link #NO_LAST_CHAIN}.
     */
    public long lastChain()
    {
        return buffer.get(LONG_LE, offset + LAST_CHAIN_OFFSET);
    }

    /**
     * @param lastChain the replica's chained checksum at {@code nextOffset - 1}, or {@link #NO_LAST_CHAIN}.
     * @return this.
     */
    public HelloFlyweight lastChain(final long lastChain)
    {
        buffer.set(LONG_LE, offset + LAST_CHAIN_OFFSET, lastChain);
        return this;
    }

    /**
     * @return the offset the replica's current epoch starts at.
     */
    public long epochStartOffset()
    {
        return buffer.get(LONG_LE, offset + EPOCH_START_OFFSET_OFFSET);
    }

    /**
     * @param epochStartOffset the offset the replica's current epoch starts at.
     * @return this.
     */
    public HelloFlyweight epochStartOffset(final long epochStartOffset)
    {
        buffer.set(LONG_LE, offset + EPOCH_START_OFFSET_OFFSET, epochStartOffset);
        return this;
    }

    /**
     * @return the {@link #nodeHash} of the id of the node that began the replica's current epoch.
     */
    public long epochNode()
    {
        return buffer.get(LONG_LE, offset + EPOCH_NODE_OFFSET);
    }

    /**
     * @param epochNode the {@link #nodeHash} of the id of the node that began the replica's current epoch.
     * @return this.
     */
    public HelloFlyweight epochNode(final long epochNode)
    {
        buffer.set(LONG_LE, offset + EPOCH_NODE_OFFSET, epochNode);
        return this;
    }

    /**
     * The 64-bit FNV-1a hash of a node id, as {@code HELLO} carries the node that began an epoch.
     *
     * @param nodeId a node id (a replica id, or a primary's).
     * @return its hash.
     */
    public static long nodeHash(final CharSequence nodeId)
    {
        long hash = 0xCBF2_9CE4_8422_2325L;
        for (int i = 0; i < nodeId.length(); i++)
        {
            hash ^= nodeId.charAt(i) & 0xFF;
            hash *= 0x0000_0100_0000_01B3L;
        }
        return hash;
    }

    /**
     * @return the high 64 bits of the replica's history id.
     */
    public long historyIdHi()
    {
        return buffer.get(LONG_LE, offset + HISTORY_ID_HI_OFFSET);
    }

    /**
     * @param historyIdHi the high 64 bits of the replica's history id.
     * @return this.
     */
    public HelloFlyweight historyIdHi(final long historyIdHi)
    {
        buffer.set(LONG_LE, offset + HISTORY_ID_HI_OFFSET, historyIdHi);
        return this;
    }

    /**
     * @return the low 64 bits of the replica's history id.
     */
    public long historyIdLo()
    {
        return buffer.get(LONG_LE, offset + HISTORY_ID_LO_OFFSET);
    }

    /**
     * @param historyIdLo the low 64 bits of the replica's history id.
     * @return this.
     */
    public HelloFlyweight historyIdLo(final long historyIdLo)
    {
        buffer.set(LONG_LE, offset + HISTORY_ID_LO_OFFSET, historyIdLo);
        return this;
    }

    /**
     * @param dst at least {@value #NONCE_LENGTH} bytes to copy the nonce into.
     * @return {@code dst}.
     */
    public byte[] copyNonceTo(final byte[] dst)
    {
        return Messages.copyOut(buffer, offset + NONCE_OFFSET, NONCE_LENGTH, dst);
    }

    /**
     * @param nonce exactly {@value #NONCE_LENGTH} bytes.
     * @return this.
     */
    public HelloFlyweight nonce(final byte[] nonce)
    {
        Messages.copyIn(nonce, buffer, offset + NONCE_OFFSET, NONCE_LENGTH);
        return this;
    }

    /**
     * @return the replica id length in bytes.
     */
    public int replicaIdLength()
    {
        return buffer.get(BYTE, offset + REPLICA_ID_LENGTH_OFFSET) & 0xFF;
    }

    /**
     * @return the replica id, as a new string.
     */
    public String replicaId()
    {
        return Messages.getUtf8(buffer, offset + REPLICA_ID_OFFSET, replicaIdLength());
    }

    /**
     * Sets the replica id and its length, which decides the frame length.
     *
     * @param replicaId 1 to 64 characters of {@code [A-Za-z0-9._-]}.
     * @return this.
     * @throws FerryException with {@code CONFIGURATION} if the id is invalid.
     */
    public HelloFlyweight replicaId(final CharSequence replicaId)
    {
        checkReplicaId(replicaId);
        final int length = replicaId.length();
        buffer.set(BYTE, offset + REPLICA_ID_LENGTH_OFFSET, (byte)length);
        Messages.putUtf8(replicaId, buffer, offset + REPLICA_ID_OFFSET, length);
        return this;
    }

    @Override
    public String toString()
    {
        if (null == buffer)
        {
            return "HelloFlyweight[unwrapped]";
        }
        return "HELLO[replicaId=" + replicaId() + ", protocolVersion=" + protocolVersion() + ", codecMask=0x" +
            Integer.toHexString(codecMask()) + ", flags=0x" + Integer.toHexString(flags()) + ", epoch=" + epoch() +
            ", nextOffset=" + nextOffset() + ", lastChain=" + Long.toHexString(lastChain()) + ", epochStart=" +
            epochStartOffset() + ", epochNode=" + Long.toHexString(epochNode()) + ", historyId=" +
            Messages.historyIdHex(historyIdHi(), historyIdLo()) + (partialSnapshot() ? ", partial=" +
            partialBytesHeld() + "/" + partialTotalBytes() + " bytes of the snapshot at " + partialSnapshotOffset() +
            " crc " + Integer.toHexString(partialCrc()) : "") + "]";
    }
}
