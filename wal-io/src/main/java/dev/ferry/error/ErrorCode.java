package dev.ferry.error;

/**
 * Every error Ferry reports carries one of these codes. The numeric values are stable and go on the
 * wire in {@code ERROR} messages: append new codes at the end, never renumber or reuse one. Each code has an
 * {@link ErrorCategory} that decides what is done about it.
 */
public enum ErrorCode
{
    /** A socket could not be opened, was refused, or broke. Retry with back-off. */
    CONNECTION(1, ErrorCategory.RETRY, "check that the peer is running and reachable; the link is retried with back-off"),
    /** The peer sent bytes that do not follow the protocol (bad length, type, version, field). */
    PROTOCOL(2, ErrorCategory.RETRY, "the peer is not speaking Ferry's protocol at a compatible version; check both versions"),
    /** An entry arrived whose offset is not the next one expected. */
    SEQUENCE_GAP(3, ErrorCategory.RETRY, "the link is reset and resumes from the last offset written"),
    /** A CRC32C did not match: the bytes were damaged in flight or at rest. */
    CHECKSUM(4, ErrorCategory.RETRY, "the data was damaged; the batch is requested again, a damaged WAL needs a resync"),
    /** Compressed bytes could not be decompressed, or did not decompress to the declared length. */
    COMPRESSION(5, ErrorCategory.RETRY, "the compressed batch is corrupt or the codec is unsupported; it is requested again"),
    /** The peer's proof of the shared secret was wrong. */
    AUTHENTICATION(6, ErrorCategory.FATAL, "both sides must use the same secret file"),
    /** The offset asked for has been deleted by retention. */
    RETENTION(7, ErrorCategory.FATAL, "the replica is too far behind and needs a full resync (snapshot)"),
    /** The peer has entries or a history this node does not: the histories diverged. */
    DIVERGED(8, ErrorCategory.FATAL, "the replica's WAL is not a prefix of the primary's; it must be truncated or resynced"),
    /** The peer is on an older epoch than ours: it is no longer the primary. */
    FENCED(9, ErrorCategory.FATAL, "a newer primary exists; point replicas at it"),
    /** A bounded buffer is full. */
    OVERLOADED(10, ErrorCategory.RETRY, "the consumer is slower than the producer; slow down or add capacity"),
    /** A bug in Ferry: an invariant was broken. */
    INTERNAL(11, ErrorCategory.FATAL, "this is a bug in Ferry; please report it with the message"),
    /** The WAL's storage failed: missing or unwritable directory, disk full, locked by another process. */
    STORAGE(12, ErrorCategory.FATAL, "check the directory exists, is writable, has free space and is not used by another process"),
    /** A configuration value or an argument is out of range. */
    CONFIGURATION(13, ErrorCategory.USAGE, "correct the named setting or argument"),
    /** An entry could not be applied by the state machine (malformed for it): applying stops at its offset. */
    APPLY(14, ErrorCategory.FATAL,
        "the state machine stopped at the named offset; the WAL keeps that entry and everything after it"),
    /**
     * A wait for replicas ended before enough of them had an entry at the asked level: its timeout passed, or the
     * waiting thread was interrupted. The entry is not lost: it stays in the WAL and keeps replicating.
     */
    TIMEOUT(15, ErrorCategory.RETRY,
        "nothing is lost; check that enough replicas are connected and keeping up, or allow a longer timeout");

    private static final ErrorCode[] BY_VALUE;

    static
    {
        int max = 0;
        for (final ErrorCode code : values())
        {
            max = Math.max(max, code.value);
        }
        BY_VALUE = new ErrorCode[max + 1];
        for (final ErrorCode code : values())
        {
            BY_VALUE[code.value] = code;
        }
    }

    private final int value;
    private final ErrorCategory category;
    private final String advice;

    ErrorCode(final int value, final ErrorCategory category, final String advice)
    {
        this.value = value;
        this.category = category;
        this.advice = advice;
    }

    /**
     * @return what this code means for the one who meets it: retry, stop, or correct the call.
     */
    public ErrorCategory category()
    {
        return category;
    }

    /**
     * @return the stable numeric value of this code, as sent on the wire.
     */
    public int value()
    {
        return value;
    }

    /**
     * @return what a user should do about an error with this code.
     */
    public String advice()
    {
        return advice;
    }

    /**
     * @param value a numeric value, possibly from an untrusted peer.
     * @return the code, or {@code null} if the value is unknown.
     */
    public static ErrorCode fromValue(final int value)
    {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
