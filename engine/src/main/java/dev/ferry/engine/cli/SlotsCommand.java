package dev.ferry.engine.cli;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.engine.status.StatusClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code ferry slots}: a primary's replication slots, and dropping one.
 */
@Command(name = "slots", mixinStandardHelpOptions = true,
    description = {"List a primary's replica slots: each holds the WAL back from where its replica is (a replica that",
        "is away keeps its slot, so it resumes without a resync, up to --slot-cap-bytes). With --drop ID, drop the slot",
        "of a disconnected replica: its retention is released at the next retention pass, and the replica, if it ever",
        "comes back, starts over as a new one. Authenticated like a replica (--secret-file)."})
final class SlotsCommand implements Callable<Integer>
{
    @CommandLine.Mixin
    PrimaryClientOptions client = new PrimaryClientOptions();

    @Option(names = "--drop", paramLabel = "ID", description = "Drop this slot (its replica must be disconnected).")
    String drop;

    @Override
    public Integer call()
    {
        if (drop != null)
        {
            System.out.println(StatusClient.dropSlot(client.primary, client.timeout, client.secret(), client.tls.config(),
                drop));
            return 0;
        }
        final PrimaryStatus status = client.status();
        if (client.json)
        {
            System.out.println(toJson(status));
            return 0;
        }
        print(status, System.out);
        return 0;
    }

    /** One JSON document: {@code {"head":N,"oldest":N,"slots":[{id, state, position, heldEntries, heldBytes, ...}]}}. */
    static String toJson(final PrimaryStatus status)
    {
        final StringBuilder out = new StringBuilder("{\"head\":").append(status.head()).append(",\"oldest\":")
            .append(status.oldest()).append(",\"slots\":[");
        for (int i = 0; i < status.replicas().size(); i++)
        {
            final ReplicaStatus r = status.replicas().get(i);
            out.append(i == 0 ? "{" : ",{").append("\"id\":\"").append(r.id()).append("\",\"state\":\"")
                .append(r.state()).append("\",\"position\":").append(position(r))
                .append(",\"heldEntries\":").append(r.lagEntries())
                .append(",\"heldBytes\":").append(r.lagBytes())
                .append(",\"lastSeenMsAgo\":").append(r.lastHeartbeatMsAgo())
                .append(",\"pastCap\":").append(r.released())
                .append(",\"evictionEtaMillis\":").append(r.evictionEtaMillis())
                .append(",\"kind\":\"").append(r.held() ? "holder" : "replica").append("\"}");
        }
        return out.append("]}").toString();
    }

    /** Where a slot holds the WAL from: its replica's durable offset, or received for one that never syncs. */
    private static long position(final ReplicaStatus r)
    {
        return r.syncs() ? r.durable() : r.received();
    }

    static void print(final PrimaryStatus status, final PrintStream out)
    {
        out.printf("head=%d oldest=%d slots=%d%n", status.head(), status.oldest(), status.replicas().size());
        out.printf("%-16s %-13s %14s %12s %14s %12s %-8s %s%n", "id", "state", "position", "heldEntries", "heldBytes",
            "lastSeen", "kind", "pastCap");
        for (final ReplicaStatus r : status.replicas())
        {
            out.printf("%-16s %-13s %14d %12d %14d %12s %-8s %s%n", r.id(), r.state(), position(r), r.lagEntries(),
                r.lagBytes(), r.lastHeartbeatMsAgo() < 0 ? "never" : r.lastHeartbeatMsAgo() + " ms ago",
                r.held() ? "holder" : "replica",
                r.released() ? "yes (released: needs a resync)" : "no");
        }
    }
}
