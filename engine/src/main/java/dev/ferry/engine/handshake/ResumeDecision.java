package dev.ferry.engine.handshake;

import dev.ferry.error.ErrorCode;

/**
 * What a connecting replica gets, decided by {@link Resume#decide} on the serving side and checked by
 * {@link Resume#checkWelcome} on the following side. Sealed: every caller's {@code switch} handles every case.
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
     * Bring the replica back by a snapshot: the server ships one consistent at an offset it chooses, then streams from
     * there. Only for a replica that runs a state machine, from a server that runs one.
     *
     * @param reason why the replica cannot simply stream (what would have been refused), for the logs.
     */
    record Snapshot(String reason) implements ResumeDecision
    {
    }

    /**
     * The replica's entries from an offset on diverged from the server's, and the epochs prove where: it removes them
     * (keeping them aside) and streams from there, once its chained checksum before that offset equals the server's.
     *
     * @param fromOffset the first offset the replica removes and the server sends: where the replica's last common
     *                   epoch ends on the server.
     * @param reason     what diverged, for the logs.
     */
    record Truncate(long fromOffset, String reason) implements ResumeDecision
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
