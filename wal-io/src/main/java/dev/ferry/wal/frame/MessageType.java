package dev.ferry.wal.frame;

/**
 * The type byte of a frame. The values are stable and go on the wire: append new types, never renumber or reuse.
 */
public enum MessageType
{
    /** Replica to primary: protocol version, replica id, history, epoch, last offset, codecs, auth proof. */
    HELLO(1),
    /** Primary to replica: chosen codec, start offset, stream or snapshot mode. */
    WELCOME(2),
    /** Primary to replica: a batch of consecutive entries. */
    BATCH(3),
    /** Replica to primary: received, durable and applied offsets. */
    ACK(4),
    /** Replica to primary: resend from an offset. */
    NACK(5),
    /** Either way: head offset and time, keeps an idle link alive. */
    HEARTBEAT(6),
    /** Primary to replica: a chunk of a snapshot. */
    SNAPSHOT_CHUNK(7),
    /** Primary to replica: the snapshot is complete at an offset. */
    SNAPSHOT_END(8),
    /** Either way: an error code and message before closing. */
    ERROR(9),
    /** Client to primary: asks for the status, with the client's nonce. */
    STATUS_REQUEST(10),
    /** Primary to client: head, oldest and per-replica progress, in one or more parts. */
    STATUS_RESPONSE(11),
    /** Primary to client (version 3): the primary's nonce, answering the client's first frame. */
    CHALLENGE(12),
    /** Client to primary (version 3): the client's proof over its first frame and the primary's nonce. */
    AUTH(13),
    /**
     * Operator to a replica's serving port (version 5): promote it to primary, with the client's nonce; authenticated
     * as {@code STATUS_REQUEST} is, answered by one {@code STATUS_RESPONSE} document or an {@code ERROR}.
     */
    PROMOTE_REQUEST(14),
    /**
     * Operator to primary (version 5): drop a replica's slot, with the client's nonce and the slot's id; authenticated
     * as {@code STATUS_REQUEST} is, answered by one {@code STATUS_RESPONSE} document or an {@code ERROR}.
     */
    DROP_SLOT_REQUEST(15),
    /**
     * Archive shipper to primary (version 5): hold a slot at an offset (create it, or move it), with the client's
     * nonce, the slot's id and the next offset it still needs; authenticated as {@code STATUS_REQUEST} is, answered by
     * one {@code STATUS_RESPONSE} document or an {@code ERROR}.
     */
    HOLD_SLOT_REQUEST(16),
    /**
     * Primary to a streaming replica (version 5): check a range of entries against the primary's chained checksums
     * (the background audit); answered by one {@code AUDIT_RESPONSE}.
     */
    AUDIT_REQUEST(17),
    /** Replica to primary (version 5): the result of an {@code AUDIT_REQUEST}. */
    AUDIT_RESPONSE(18);

    private static final MessageType[] BY_VALUE;

    static
    {
        int max = 0;
        for (final MessageType type : values())
        {
            max = Math.max(max, type.value);
        }
        BY_VALUE = new MessageType[max + 1];
        for (final MessageType type : values())
        {
            BY_VALUE[type.value] = type;
        }
    }

    private final int value;

    MessageType(final int value)
    {
        this.value = value;
    }

    /**
     * @return the stable byte value of this type, as sent on the wire.
     */
    public int value()
    {
        return value;
    }

    /**
     * @param value a type byte (0..255), possibly from an untrusted peer.
     * @return the type, or {@code null} if the value is unknown.
     */
    public static MessageType fromValue(final int value)
    {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
