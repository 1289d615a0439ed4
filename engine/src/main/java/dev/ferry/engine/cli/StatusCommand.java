package dev.ferry.engine.cli;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code ferry status}: asks a running primary over its port.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Ask a running primary for head, oldest and per-replica progress, lag and ack latency.")
final class StatusCommand implements Callable<Integer>
{
    @CommandLine.Mixin
    PrimaryClientOptions client = new PrimaryClientOptions();

    @Override
    public Integer call()
    {
        final String document = client.statusJson();
        if (client.json)
        {
            System.out.println(document);
            return 0;
        }
        print(StatusDocuments.read(document), System.out);
        return 0;
    }

    /**
     * Prints a status as {@code ferry status} does: a summary line, then a table of the replicas.
     *
     * @param status the status, as {@link StatusDocuments#read(String)} returns it.
     * @param out    where to print.
     */
    static void print(final PrimaryStatus status, final PrintStream out)
    {
        out.printf("head=%d oldest=%d history=%s epoch=%d sync=%s durable=%d applied=%d replicas=%d%n",
            status.head(), status.oldest(), status.historyId(), status.epoch(), status.sync(), status.durable(),
            status.applied(), status.replicas().size());
        if (PrimaryStatus.REPLICA.equals(status.role()))
        {
            out.println("a replica serving replicas: it follows " + status.upstream() + "; head and durable are its own, " +
                "the replicas below follow it");
        }
        if (status.fenced())
        {
            out.println("FENCED: a node of a newer epoch superseded this primary; it refuses appends (restart it as a " +
                "replica of the new primary to rejoin)");
        }
        out.printf("%-16s %-22s %-12s %12s %14s %12s %10s %12s %9s %10s %10s%n",
            "id", "remote", "state", "received", "durable", "applied", "lagEntries", "lagBytes", "lagMillis",
            "ackP50us", "ackP99us");
        for (final ReplicaStatus r : status.replicas())
        {
            out.printf("%-16s %-22s %-12s %12d %14s %12d %10d %12d %9d %10.1f %10.1f%n",
                r.id(), r.remote(), r.state(), r.received(),
                r.syncs() ? Long.toString(r.durable()) : "none (no sync)", r.applied(), r.lagEntries(), r.lagBytes(),
                r.lagMillis(), r.ackP50Micros(), r.ackP99Micros());
            if (r.snapshotTotalBytes() > 0)
            {
                out.printf("%-16s   snapshot at offset %d: %.1f%% (%d of %d bytes, %s left; snapshots sent: %d)%n", "",
                    r.snapshotOffset(), 100 * r.snapshotProgress(), r.snapshotBytes(), r.snapshotTotalBytes(),
                    r.snapshotEtaMillis() < 0 ? "?" : r.snapshotEtaMillis() + " ms", r.snapshots());
            }
            if (r.auditMismatches() > 0 && r.firstMismatchOffset() >= 0)
            {
                out.printf("%-16s   AUDIT MISMATCH: holds different bytes from offset %d (%d found; stop it and " +
                    "resync it)%n", "", r.firstMismatchOffset(), r.auditMismatches());
            }
            else if (r.audits() > 0)
            {
                out.printf("%-16s   audit: %d entries checked in %d ranges, at offset %d, last %d ms ago, no mismatch%n",
                    "", r.auditedEntries(), r.audits(), r.auditedOffset(), r.lastAuditMillisAgo());
            }
            if (r.evictionEtaMillis() > 0)
            {
                out.printf("%-16s   %sfalls behind: passes its cap (then needs a resync) in about %d s%n", "",
                    r.evictionWarning() ? "WARNING: " : "", (r.evictionEtaMillis() + 999) / 1000);
            }
        }
    }
}
