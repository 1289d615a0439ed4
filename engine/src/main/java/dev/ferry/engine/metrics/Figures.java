package dev.ferry.engine.metrics;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaState;
import dev.ferry.engine.ReplicaStatus;

/**
 * A node's figures in Prometheus' text format: the primary's status ({@code ferry status --json}, figure for figure)
 * and counters; a replica's positions, state and counters. The names are listed in the README.
 */
public final class Figures
{
    private Figures()
    {
    }

    /**
     * @param status   the primary's status.
     * @param counters its counters.
     * @return the text of one scrape.
     */
    public static String primary(final PrimaryStatus status, final ErrorCounters counters)
    {
        final PrometheusText out = new PrometheusText();
        gauge(out, "ferry_primary_head", "the next offset to be appended", status.head());
        gauge(out, "ferry_primary_oldest", "the oldest offset retained", status.oldest());
        gauge(out, "ferry_primary_epoch", "the current epoch of the WAL's history", status.epoch());
        gauge(out, "ferry_primary_durable", "the primary's own next offset on stable storage", status.durable());
        gauge(out, "ferry_primary_applied", "the next offset its state machine applies", status.applied());
        gauge(out, "ferry_primary_fenced", "1 if a node of a newer epoch superseded it (it refuses appends)",
            status.fenced() ? 1 : 0);
        gauge(out, "ferry_primary_replicas", "replicas with a slot", status.replicas().size());
        replicas(out, "ferry_primary_replica_", status.replicas());
        counters.write(out, "ferry_primary");
        return out.toString();
    }

    /**
     * The figures of a serving node's downstream replicas, one sample per replica of each figure.
     *
     * @param out      where to write.
     * @param prefix   the figures' names start with it ({@code ferry_primary_replica_}).
     * @param replicas the replicas' status.
     */
    private static void replicas(final PrometheusText out, final String prefix,
        final java.util.List<ReplicaStatus> replicas)
    {
        final String[][] perReplica = {
            {"received", "its next offset received"},
            {"durable", "its next offset durable"},
            {"applied", "its next offset applied"},
            {"lag_entries", "head minus received"},
            {"lag_bytes", "bytes not yet acknowledged"},
            {"lag_millis", "age of the oldest unacknowledged entry"},
            {"connected", "1 if connected (streaming or taking a snapshot)"},
            {"ack_latency_micros", "append-to-ack latency percentiles"},
            {"snapshot_progress", "the fraction of the snapshot in flight sent, 0..1"},
            {"eviction_eta_millis", "time until it passes its cap at the current rates (0: not at risk)"},
            {"eviction_warning", "1 if that time is under --eviction-warning"},
            {"released", "1 if its slot was given up past its cap (it needs a resync)"}};
        for (final String[] figure : perReplica)
        {
            final String name = prefix + figure[0];
            out.help(name, figure[1], "gauge");
            for (final ReplicaStatus r : replicas)
            {
                switch (figure[0])
                {
                    case "received" -> out.sample(name, "replica", r.id(), r.received());
                    case "durable" -> out.sample(name, "replica", r.id(), r.durable());
                    case "applied" -> out.sample(name, "replica", r.id(), r.applied());
                    case "lag_entries" -> out.sample(name, "replica", r.id(), r.lagEntries());
                    case "lag_bytes" -> out.sample(name, "replica", r.id(), r.lagBytes());
                    case "lag_millis" -> out.sample(name, "replica", r.id(), r.lagMillis());
                    case "connected" -> out.sample(name, "replica", r.id(),
                        r.state() == dev.ferry.engine.SlotState.DISCONNECTED ? 0 : 1);
                    case "ack_latency_micros" ->
                    {
                        out.sample(name, "replica", r.id(), "quantile", "0.5", r.ackP50Micros());
                        out.sample(name, "replica", r.id(), "quantile", "0.99", r.ackP99Micros());
                        out.sample(name, "replica", r.id(), "quantile", "0.999", r.ackP999Micros());
                    }
                    case "snapshot_progress" -> out.sample(name, "replica", r.id(), r.snapshotProgress());
                    case "eviction_eta_millis" -> out.sample(name, "replica", r.id(), r.evictionEtaMillis());
                    case "eviction_warning" -> out.sample(name, "replica", r.id(), r.evictionWarning() ? 1 : 0);
                    default -> out.sample(name, "replica", r.id(), r.released() ? 1 : 0);
                }
            }
        }
        final String[][] audit = {
            {"audited_offset", "gauge", "the next offset the background audit's current pass checks"},
            {"first_mismatch_offset", "gauge",
                "the first offset at which it holds other bytes than the primary (-1: none found)"},
            {"last_audit_millis_ago", "gauge", "milliseconds since the audit last checked a range (-1: never)"},
            {"audits_total", "counter", "ranges the background audit checked"},
            {"audited_entries_total", "counter", "entries the background audit checked"},
            {"audit_mismatches_total", "counter", "entries the background audit found differing from the primary's"}};
        for (final String[] figure : audit)
        {
            final String name = prefix + figure[0];
            out.help(name, figure[2], figure[1]);
            for (final ReplicaStatus r : replicas)
            {
                out.sample(name, "replica", r.id(), switch (figure[0])
                {
                    case "audited_offset" -> r.auditedOffset();
                    case "first_mismatch_offset" -> r.firstMismatchOffset();
                    case "last_audit_millis_ago" -> r.lastAuditMillisAgo();
                    case "audits_total" -> r.audits();
                    case "audited_entries_total" -> r.auditedEntries();
                    default -> r.auditMismatches();
                });
            }
        }
    }

    /**
     * The figures of the replicas a replica serves ({@code --serve}, cascading), as a primary's are, named
     * {@code ferry_replica_downstream_*}, and its serving side's counters ({@code ferry_replica_downstream_errors_total}
     * and the rest).
     *
     * @param status   the replica's serving status.
     * @param counters its serving side's counters.
     * @return the text to add to the replica's scrape.
     */
    public static String downstream(final PrimaryStatus status, final ErrorCounters counters)
    {
        final PrometheusText out = new PrometheusText();
        gauge(out, "ferry_replica_downstream_replicas", "replicas following this one (cascading) with a slot",
            status.replicas().size());
        replicas(out, "ferry_replica_downstream_", status.replicas());
        counters.write(out, "ferry_replica_downstream");
        return out.toString();
    }

    /**
     * A replica's own figures.
     *
     * @param id          its id.
     * @param state       its state.
     * @param received    its next offset received.
     * @param durable     its next offset durable.
     * @param applied     its next offset applied.
     * @param primaryHead the primary's head as last reported.
     * @param snapshots   snapshots loaded since it started.
     * @param truncations divergent suffixes truncated since it started.
     * @param counters    its counters.
     * @return the text of one scrape.
     */
    public static String replica(final String id, final ReplicaState state, final long received, final long durable,
        final long applied, final long primaryHead, final long snapshots, final long truncations,
        final ErrorCounters counters)
    {
        final PrometheusText out = new PrometheusText();
        out.help("ferry_replica_state", "1 for the replica's current state", "gauge");
        for (final ReplicaState each : ReplicaState.values())
        {
            out.sample("ferry_replica_state", "replica", id, "state", each.name(), each == state ? 1 : 0);
        }
        gauge(out, "ferry_replica_received", "its next offset received", received);
        gauge(out, "ferry_replica_durable", "its next offset durable", durable);
        gauge(out, "ferry_replica_applied", "its next offset applied", applied);
        gauge(out, "ferry_replica_primary_head", "the primary's head as last reported", primaryHead);
        gauge(out, "ferry_replica_lag_entries", "the primary's head minus received", Math.max(0, primaryHead - received));
        out.help("ferry_replica_snapshots_loaded_total", "snapshots loaded since it started", "counter");
        out.sample("ferry_replica_snapshots_loaded_total", snapshots);
        out.help("ferry_replica_truncations_total", "divergent suffixes truncated since it started", "counter");
        out.sample("ferry_replica_truncations_total", truncations);
        counters.write(out, "ferry_replica");
        return out.toString();
    }

    private static void gauge(final PrometheusText out, final String name, final String help, final double value)
    {
        out.help(name, help, "gauge");
        out.sample(name, value);
    }
}
