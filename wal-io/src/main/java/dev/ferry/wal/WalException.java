package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.Serial;

/**
 * An error from the WAL: storage failures, gaps or different entries in {@code appendAt}, corrupt entries, bad
 * arguments.
 */
public final class WalException extends FerryException
{
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param code    the error code.
     * @param message what happened.
     */
    public WalException(final ErrorCode code, final String message)
    {
        super(code, message);
    }

    /**
     * @param code    the error code.
     * @param message what happened.
     * @param cause   the underlying failure.
     */
    public WalException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(code, message, cause);
    }
}
