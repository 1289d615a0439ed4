package dev.ferry.wal;

import dev.ferry.error.ErrorCode;

import java.time.Duration;

/**
 * What {@link Wal#retain(RetentionPolicy, long, long)} may delete: whole roll-cycle files older than
 * {@code maxAge}, and the oldest files while the WAL holds more than {@code maxBytes}; never the current cycle and
 * never a cycle holding an offset at or above the caller's floor (the slowest replica's position).
 *
 * @param maxAge   delete cycles that ended longer ago than this; {@code null} for no age limit.
 * @param maxBytes delete the oldest cycles while the WAL's files hold more bytes than this; 0 for no size limit.
 */
public record RetentionPolicy(Duration maxAge, long maxBytes)
{
    /** Keep everything. */
    public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(null, 0);

    /**
     * @throws WalException (CONFIGURATION) on a negative age or size.
     */
    public RetentionPolicy
    {
        if (maxAge != null && maxAge.isNegative())
        {
            throw new WalException(ErrorCode.CONFIGURATION, "retention maxAge must be >= 0, was " + maxAge);
        }
        if (maxBytes < 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "retention maxBytes must be >= 0, was " + maxBytes);
        }
    }
}
