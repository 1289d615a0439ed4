package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ferry archive ls} and {@code ferry archive verify}: what an archive holds, from its listing (and each
 * generation's small meta object), and whether its newest points restore.
 */
public final class ArchiveInspector
{
    private ArchiveInspector()
    {
    }

    /**
     * @param store    the archive.
     * @param segments whether to list every segment.
     * @return one block per generation: its range, snapshots and segments with sizes and offset/time ranges.
     * @throws IOException if the archive cannot be listed.
     */
    public static String listText(final ArchiveStore store, final boolean segments) throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        final StringBuilder out = new StringBuilder();
        out.append("archive ").append(store.uri()).append(": ").append(generations.size()).append(" generation(s)\n");
        for (final ArchiveLayout.Listing g : generations)
        {
            final GenerationMeta meta = meta(store, g.name());
            out.append("generation ").append(g.name())
                .append(meta == null ? " (no meta)" : " history " + meta.history() + " from offset " + meta.startOffset() +
                    " (" + meta.reason() + ")")
                .append('\n');
            out.append("  offsets ").append(range(g)).append(", times ").append(times(g)).append(", ")
                .append(g.segments().size()).append(" segments, ").append(g.snapshots().size()).append(" snapshots, ")
                .append(g.bytes()).append(" bytes\n");
            for (final ArchiveLayout.Snapshot s : g.snapshots())
            {
                out.append("  snapshot offset=").append(s.offset()).append(" time=").append(Instant.ofEpochMilli(
                    s.timeMillis())).append(" bytes=").append(s.size()).append('\n');
            }
            if (segments)
            {
                for (final ArchiveLayout.Segment s : g.segments())
                {
                    out.append("  segment offsets=").append(s.first()).append('-').append(s.last()).append(" times=")
                        .append(Instant.ofEpochMilli(s.firstMillis())).append('/').append(Instant.ofEpochMilli(
                            s.lastMillis())).append(" bytes=").append(s.size()).append('\n');
                }
            }
        }
        return out.toString();
    }

    /**
     * @param store the archive.
     * @return one JSON document: {@code {"uri":…,"generations":[{name, historyId, epoch, startOffset, reason, first,
     *         last, firstTime, lastTime, bytes, snapshots:[{offset, timeMillis, bytes}], segments:[{first, last,
     *         firstMillis, lastMillis, bytes}]}]}}.
     * @throws IOException if the archive cannot be listed.
     */
    public static String listJson(final ArchiveStore store) throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        final StringBuilder out = new StringBuilder("{\"uri\":\"").append(escape(store.uri())).append("\",\"generations\":[");
        for (int i = 0; i < generations.size(); i++)
        {
            final ArchiveLayout.Listing g = generations.get(i);
            final GenerationMeta meta = meta(store, g.name());
            out.append(i == 0 ? "{" : ",{").append("\"name\":\"").append(g.name()).append('"');
            if (meta != null)
            {
                out.append(",\"historyId\":\"").append(meta.history().id()).append("\",\"epoch\":")
                    .append(meta.history().epoch()).append(",\"startOffset\":").append(meta.startOffset())
                    .append(",\"reason\":\"").append(escape(meta.reason())).append('"');
            }
            out.append(",\"first\":").append(g.segments().isEmpty() ? -1 : g.segments().getFirst().first())
                .append(",\"last\":").append(g.lastOffset())
                .append(",\"firstMillis\":").append(g.segments().isEmpty() ? 0 : g.segments().getFirst().firstMillis())
                .append(",\"lastMillis\":").append(g.lastMillis())
                .append(",\"bytes\":").append(g.bytes()).append(",\"snapshots\":[");
            for (int j = 0; j < g.snapshots().size(); j++)
            {
                final ArchiveLayout.Snapshot s = g.snapshots().get(j);
                out.append(j == 0 ? "{" : ",{").append("\"offset\":").append(s.offset()).append(",\"timeMillis\":")
                    .append(s.timeMillis()).append(",\"bytes\":").append(s.size()).append('}');
            }
            out.append("],\"segments\":[");
            for (int j = 0; j < g.segments().size(); j++)
            {
                final ArchiveLayout.Segment s = g.segments().get(j);
                out.append(j == 0 ? "{" : ",{").append("\"first\":").append(s.first()).append(",\"last\":")
                    .append(s.last()).append(",\"firstMillis\":").append(s.firstMillis()).append(",\"lastMillis\":")
                    .append(s.lastMillis()).append(",\"bytes\":").append(s.size()).append('}');
            }
            out.append("]}");
        }
        return out.append("]}").toString();
    }

    /**
     * Restore the newest point of each generation (or of one) into a scratch directory, and check it: the objects'
     * checksums and every entry's are checked by the restore itself; then the restored WAL's chained checksum must
     * equal the one the last segment recorded, and the state must rebuild from its snapshot and entries.
     *
     * @param store      the archive.
     * @param generation one generation, or null for all.
     * @param out        one line per generation: {@code <generation> ok first=… last=… count=… digest=…} or
     *                   {@code <generation> FAILED <why>}.
     * @return whether every generation checked is whole.
     * @throws IOException if the archive cannot be listed or a scratch directory made.
     */
    public static boolean verify(final ArchiveStore store, final String generation, final PrintStream out)
        throws IOException
    {
        final List<ArchiveLayout.Listing> generations = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS));
        boolean ok = true;
        int checked = 0;
        for (final ArchiveLayout.Listing g : generations)
        {
            if (generation != null && !generation.equals(g.name()))
            {
                continue;
            }
            checked++;
            final Path scratch = Files.createTempDirectory("ferry-verify-");
            try
            {
                out.println(g.name() + " " + verifyOne(store, g, scratch.resolve("wal")));
            }
            catch (final FerryException ex)
            {
                ok = false;
                out.println(g.name() + " FAILED " + ex.getMessage());
            }
            finally
            {
                delete(scratch);
            }
        }
        if (checked == 0)
        {
            out.println(generation == null ? "the archive " + store.uri() + " holds no generation" :
                "no generation " + generation + " in " + store.uri());
            return false;
        }
        return ok;
    }

    private static String verifyOne(final ArchiveStore store, final ArchiveLayout.Listing g, final Path wal)
        throws IOException
    {
        final Restore.Result result = Restore.run(store, wal, new Restore.Target(null, null, g.name()), EventLog.NONE);
        try (Wal w = Wal.open(new WalConfig().directory(wal).readOnly(true)))
        {
            w.refresh();
            if (!g.segments().isEmpty())
            {
                final ArchiveLayout.Segment last = g.segments().getLast();
                final byte[] object = SegmentFormat.load(store, last.key());
                final long expected = Integer.toUnsignedLong(SegmentFormat.header(object, last.key()).chainAfter());
                if (w.chain(result.last()) != expected)
                {
                    throw new FerryException(dev.ferry.error.ErrorCode.CHECKSUM, "the restored WAL's chained checksum " +
                        "at offset " + result.last() + " is " + Long.toHexString(w.chain(result.last())) +
                        ", the archive recorded " + Long.toHexString(expected));
                }
            }
            String state = "";
            if (result.snapshotOffset() >= 0 || result.first() == 0)
            {
                final KvStateMachine kv = new KvStateMachine();
                try (Applier applier = Applier.openReadOnly(w, kv, EventLog.NONE))
                {
                    while (applier.doWork(System.nanoTime()) > 0)
                    {
                        // replay to the end
                    }
                    state = applier.lastError() == null ? " state=ok(" + kv.size(0) + " keys in db 0)" :
                        " state=not-kv(" + applier.lastError().getMessage() + ")";
                }
                catch (final FerryException ex)
                {
                    state = " state=not-kv(" + ex.getMessage() + ")";
                }
            }
            return "ok " + WalDigest.of(w, -1, -1) + " snapshot=" + result.snapshotOffset() + state;
        }
    }

    private static GenerationMeta meta(final ArchiveStore store, final String generation)
    {
        try
        {
            return GenerationMeta.load(store, generation);
        }
        catch (final IOException | FerryException ex)
        {
            return null;
        }
    }

    private static String range(final ArchiveLayout.Listing g)
    {
        return g.segments().isEmpty() ? "none" : g.segments().getFirst().first() + "-" + g.lastOffset();
    }

    private static String times(final ArchiveLayout.Listing g)
    {
        return g.segments().isEmpty() ? "none" : Instant.ofEpochMilli(g.segments().getFirst().firstMillis()) + "/" +
            Instant.ofEpochMilli(g.lastMillis());
    }

    private static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c)); // a control character: still one JSON string
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void delete(final Path root) throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
