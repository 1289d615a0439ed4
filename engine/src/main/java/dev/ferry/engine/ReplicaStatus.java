package dev.ferry.engine;

/**
 * One replica as the primary sees it. Positions are next offsets: {@code received = 10} means offsets below 10 are
 * received, so a caught-up replica shows {@code received == head}.
 *
 * @param id                 the replica's id.
 * @param remote             its address, host:port.
 * @param state              its connection as the primary sees it.
 * @param received           next offset received.
 * @param durable            next offset durable (on the replica's stable storage).
 * @param syncs              false if the replica never syncs (sync policy none): {@code durable} does not advance.
 * @param applied            next offset applied.
 * @param lagEntries         head minus received.
 * @param lagBytes           bytes not yet acknowledged (exact for entries sent, estimated beyond).
 * @param lagMillis          age of the oldest unacknowledged entry, from entry timestamps (0 when caught up).
 * @param lastHeartbeatMsAgo milliseconds since the replica was last heard from (-1 if never).
 * @param ackP50Micros       median append-to-ack latency, microseconds.
 * @param ackP99Micros       99th percentile append-to-ack latency.
 * @param ackP999Micros      99.9th percentile append-to-ack latency.
 * @param acks               acknowledgements recorded.
 */
public record ReplicaStatus(
    String id, String remote, SlotState state, long received, long durable, boolean syncs, long applied, long lagEntries, long lagBytes,
    long lagMillis, long lastHeartbeatMsAgo, double ackP50Micros, double ackP99Micros, double ackP999Micros, long acks)
{
}
