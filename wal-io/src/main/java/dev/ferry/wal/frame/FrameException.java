package dev.ferry.wal.frame;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.Serial;

/**
 * A frame that does not follow the protocol, failed a checksum, or could not be decompressed. The {@link Reason} says
 * which check failed and decides the {@link ErrorCode}: {@code PROTOCOL}, {@code CHECKSUM} or {@code COMPRESSION}.
 * <p>
 * Thrown only on bad input: a hot path allocates nothing unless it throws one of these.
 */
public final class FrameException extends FerryException
{
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Which check a frame failed.
     */
    public enum Reason
    {
        /** The length is smaller than the frame or message needs. */
        TOO_SHORT(ErrorCode.PROTOCOL),
        /** The length is larger than the configured maximum frame size. */
        TOO_LONG(ErrorCode.PROTOCOL),
        /** A length field disagrees with the bytes present (frame length, entries region, trailing or missing). */
        LENGTH_MISMATCH(ErrorCode.PROTOCOL),
        /** The protocol version is not the one this build speaks. */
        BAD_VERSION(ErrorCode.PROTOCOL),
        /** The type byte is not a known {@link MessageType}, or not the one expected. */
        UNKNOWN_TYPE(ErrorCode.PROTOCOL),
        /** A flag bit this version does not define is set. */
        BAD_FLAGS(ErrorCode.PROTOCOL),
        /** A field is out of range (count, offsets, lengths). */
        BAD_FIELD(ErrorCode.PROTOCOL),
        /** The frame's CRC32C does not match its bytes. */
        BAD_CHECKSUM(ErrorCode.CHECKSUM),
        /** An entry's payload CRC32C does not match its bytes. */
        BAD_ENTRY_CHECKSUM(ErrorCode.CHECKSUM),
        /** The codec id is not known. */
        UNKNOWN_CODEC(ErrorCode.COMPRESSION),
        /** Compressed bytes are corrupt or do not decompress to the declared length. */
        COMPRESSION(ErrorCode.COMPRESSION);

        private final ErrorCode code;

        Reason(final ErrorCode code)
        {
            this.code = code;
        }

        /**
         * @return the error code a frame failing this check is reported with.
         */
        public ErrorCode code()
        {
            return code;
        }
    }

    /** The failed check. */
    private final Reason reason;

    /**
     * @param reason  the failed check, which decides the error code.
     * @param message what was wrong, with the values read.
     */
    public FrameException(final Reason reason, final String message)
    {
        super(reason.code(), reason.name() + ": " + message);
        this.reason = reason;
    }

    /**
     * @param reason  the failed check, which decides the error code.
     * @param message what was wrong, with the values read.
     * @param cause   the underlying failure, e.g. from a codec library.
     */
    public FrameException(final Reason reason, final String message, final Throwable cause)
    {
        super(reason.code(), reason.name() + ": " + message, cause);
        this.reason = reason;
    }

    /**
     * @return the failed check.
     */
    public Reason reason()
    {
        return reason;
    }
}
