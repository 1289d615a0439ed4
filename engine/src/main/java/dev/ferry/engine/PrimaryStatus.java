package dev.ferry.engine;

import java.util.List;

/**
 * A primary's status, as {@link Primary#status()} returns it and {@code ferry status} prints it.
 *
 * @param head      the next offset to be appended.
 * @param oldest    the oldest offset retained.
 * @param historyId the WAL's history id.
 * @param epoch     the WAL's epoch.
 * @param replicas  every replica the primary has seen since it started.
 */
public record PrimaryStatus(long head, long oldest, String historyId, long epoch, List<ReplicaStatus> replicas)
{
}
