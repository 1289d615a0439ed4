package dev.ferry.report.input;

import java.io.Serial;
import java.nio.file.Path;

/**
 * An input file could not be read or is not of the expected shape. The message starts with the file's path.
 */
public final class ReportInputException extends RuntimeException
{
    /** Serialisation version. */
    @Serial
    private static final long serialVersionUID = 1L;

    private final String file;

    /**
     * @param file   the file at fault.
     * @param reason what is wrong with it, without the path.
     * @param cause  the underlying error, or {@code null}.
     */
    public ReportInputException(final Path file, final String reason, final Throwable cause)
    {
        super(file + ": " + reason, cause);
        this.file = file.toString();
    }

    /**
     * @param file   the file at fault.
     * @param reason what is wrong with it, without the path.
     */
    public ReportInputException(final Path file, final String reason)
    {
        this(file, reason, null);
    }

    /**
     * @return the path of the file at fault, as given.
     */
    public String file()
    {
        return file;
    }
}
