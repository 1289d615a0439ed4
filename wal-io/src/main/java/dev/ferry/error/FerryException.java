package dev.ferry.error;

import java.io.Serial;

/**
 * The root of Ferry's exceptions: each one names its {@link ErrorCode}, what happened, and (through the code)
 * what to do about it.
 */
public class FerryException extends RuntimeException
{
    @Serial
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String detail;

    /**
     * @param code    the error code.
     * @param message what happened, in words a user can act on.
     */
    public FerryException(final ErrorCode code, final String message)
    {
        super(code.name() + ": " + message);
        this.code = code;
        this.detail = message;
    }

    /**
     * @param code    the error code.
     * @param message what happened, in words a user can act on.
     * @param cause   the underlying failure.
     */
    public FerryException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(code.name() + ": " + message, cause);
        this.code = code;
        this.detail = message;
    }

    /**
     * @return the error code.
     */
    public ErrorCode code()
    {
        return code;
    }

    /**
     * @return what happened, without the code in front.
     */
    public String detail()
    {
        return detail;
    }

    /**
     * @return the message followed by the advice for this code.
     */
    public String messageWithAdvice()
    {
        return getMessage() + " (" + code.advice() + ")";
    }
}
