package dev.ferry.engine.serve;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.history.History;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.wal.Wal;

/**
 * What every session of a serving node shares, fixed for the agent's life (a replica's serving agent is rebuilt when its WAL or history is replaced): its settings, WAL, history, slots, secret,
 * event log and status. Handed to each {@link DownstreamSession} at creation, so a session depends on these and on
 * {@link Sessions} only, not on the agent that runs it.
 *
 * @param config  the node's settings.
 * @param wal     its WAL (the sessions read it through their cursors).
 * @param history its history.
 * @param slots   every downstream replica's slot.
 * @param auth    the secret's proofs.
 * @param log     the event log.
 * @param status  the node's status, computed off the sender thread, for STATUS_REQUEST.
 * @param fence   whether the node was superseded by a newer epoch (a replica of it says so in its HELLO).
 * @param counters errors by code, NACKs: for the metrics endpoint.
 * @param cascading null for a primary; for a replica serving replicas, whom it follows and who promotes it.
 */
record Serving(PrimaryConfig config, Wal wal, History history, SlotTable slots, HandshakeAuth auth, EventLog log,
    StatusPublisher status, dev.ferry.engine.history.Fence fence, dev.ferry.engine.metrics.ErrorCounters counters,
    Cascading cascading)
{
}
