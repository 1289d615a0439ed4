package dev.ferry.engine.status;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;

/**
 * {@link PrimaryStatus} as one JSON document, as carried by STATUS_RESPONSE and printed by {@code ferry status --json}:
 * the record components as fields, in order, replicas as an array of objects. Written by hand so that a node
 * answering STATUS_REQUEST needs no JSON library (an embedding application gets none from Ferry); the command line
 * reads it back with Jackson ({@code cli.StatusDocuments}).
 */
public final class StatusJson
{
    private StatusJson()
    {
    }

    /**
     * @param status a status.
     * @return one JSON document.
     */
    public static String write(final PrimaryStatus status)
    {
        final StringBuilder json = new StringBuilder(256 + 384 * status.replicas().size());
        json.append("{\"head\":").append(status.head())
            .append(",\"oldest\":").append(status.oldest())
            .append(",\"historyId\":");
        string(json, status.historyId());
        json.append(",\"epoch\":").append(status.epoch()).append(",\"sync\":");
        string(json, status.sync());
        json.append(",\"durable\":").append(status.durable()).append(",\"replicas\":[");
        for (int i = 0; i < status.replicas().size(); i++)
        {
            final ReplicaStatus r = status.replicas().get(i);
            json.append(i == 0 ? "{" : ",{").append("\"id\":");
            string(json, r.id());
            json.append(",\"remote\":");
            string(json, r.remote());
            json.append(",\"state\":");
            string(json, r.state().name());
            json.append(",\"received\":").append(r.received())
                .append(",\"durable\":").append(r.durable())
                .append(",\"syncs\":").append(r.syncs())
                .append(",\"applied\":").append(r.applied())
                .append(",\"lagEntries\":").append(r.lagEntries())
                .append(",\"lagBytes\":").append(r.lagBytes())
                .append(",\"lagMillis\":").append(r.lagMillis())
                .append(",\"lastHeartbeatMsAgo\":").append(r.lastHeartbeatMsAgo())
                .append(",\"ackP50Micros\":").append(r.ackP50Micros())
                .append(",\"ackP99Micros\":").append(r.ackP99Micros())
                .append(",\"ackP999Micros\":").append(r.ackP999Micros())
                .append(",\"acks\":").append(r.acks())
                .append(",\"snapshots\":").append(r.snapshots())
                .append(",\"snapshotOffset\":").append(r.snapshotOffset())
                .append(",\"snapshotBytes\":").append(r.snapshotBytes())
                .append(",\"snapshotTotalBytes\":").append(r.snapshotTotalBytes())
                .append(",\"snapshotProgress\":").append(r.snapshotProgress())
                .append(",\"snapshotEtaMillis\":").append(r.snapshotEtaMillis())
                .append(",\"evictionEtaMillis\":").append(r.evictionEtaMillis())
                .append(",\"evictionWarning\":").append(r.evictionWarning())
                .append(",\"released\":").append(r.released())
                .append(",\"auditedOffset\":").append(r.auditedOffset())
                .append(",\"audits\":").append(r.audits())
                .append(",\"auditedEntries\":").append(r.auditedEntries())
                .append(",\"auditMismatches\":").append(r.auditMismatches())
                .append(",\"firstMismatchOffset\":").append(r.firstMismatchOffset())
                .append(",\"lastAuditMillisAgo\":").append(r.lastAuditMillisAgo())
                .append(",\"held\":").append(r.held())
                .append('}');
        }
        json.append("],\"applied\":").append(status.applied()).append(",\"fenced\":").append(status.fenced())
            .append(",\"role\":");
        string(json, status.role());
        json.append(",\"upstream\":");
        string(json, status.upstream());
        return json.append('}').toString();
    }

    private static void string(final StringBuilder json, final String value)
    {
        if (value == null)
        {
            json.append("null");
            return;
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
