package dev.ferry.engine.handshake;

import dev.ferry.error.ErrorCode;

/**
 * What a connecting replica gets, decided by {@link Resume#decide} on the serving side and checked by
 * {@link Resume#checkWelcome} on the following side. Sealed: every caller's {@code switch} handles every case, so the
 * cases still to come (a snapshot at X; truncate to X, then stream: the snapshot and epochs issues) will be added here
 * and the compiler will point at each place that must handle them.
 */
public sealed interface ResumeDecision
{
    /**
     * Stream entries from an offset.
     *
     * @param fromOffset the first offset sent: the replica's next offset, or the oldest retained for an empty one.
     */
    record Stream(long fromOffset) implements ResumeDecision
    {
    }

    /**
     * Refuse the replica with an error code and a reason a user can act on.
     *
     * @param code   the error code (its category says whether the replica retries).
     * @param reason what is wrong, naming the replica and the positions involved.
     */
    record Refuse(ErrorCode code, String reason) implements ResumeDecision
    {
    }
}
