package dev.ferry.engine.cli;

import dev.ferry.engine.archive.ArchiveStore;
import dev.ferry.engine.archive.Archives;
import dev.ferry.engine.archive.Restore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/**
 * {@code ferry restore}: rebuild a WAL and its state from an archive at a point.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Rebuild a WAL (and the state snapshot its node loads) from an archive, at the newest point, at an",
        "offset (inclusive) or at a time (the last entry written at or before it). The WAL holds the generation's",
        "entries from its oldest archived one, at their offsets and chained checksums; a node started on it loads",
        "the state and serves as a primary or a replica. A damaged or missing segment stops the restore at the last",
        "good point before it (exit 1, the message names it)."})
final class RestoreCommand implements Callable<Integer>
{
    @Option(names = "--from", required = true, paramLabel = "URI", description = "The archive.")
    String from;

    @Option(names = "--wal", required = true, paramLabel = "DIR", description = "The WAL directory to create (missing or empty).")
    Path wal;

    @Option(names = "--to-offset", paramLabel = "N", description = "The last offset restored.")
    Long toOffset;

    @Option(names = "--to-time", paramLabel = "T",
        description = {"The time restored to: the last entry written at or before it. ISO-8601 (2026-12-06T15:04:05.123Z, "
            + "with an offset, or without one for UTC), or a number since the epoch in seconds, milliseconds, "
            + "microseconds or nanoseconds (told apart by magnitude; ferry dump prints nanoseconds)."})
    String toTime;

    @Option(names = "--generation", paramLabel = "G", description = "The generation (default: the newest that holds the point).")
    String generation;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        if (toOffset != null && toTime != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to-offset and --to-time exclude each other");
        }
        if (toOffset != null && toOffset < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to-offset must be >= 0");
        }
        final Long timeNs = toTime == null ? null : checkedTime(toTime);
        try (ArchiveStore store = Archives.openExisting(from))
        {
            final Restore.Result result = Restore.run(store, wal, new Restore.Target(toOffset, timeNs, generation),
                Cli::event);
            System.out.println("restored generation=" + result.generation() + " first=" + result.first() + " last=" +
                result.last() + " snapshot=" + result.snapshotOffset() + " segments=" + result.segments() +
                (result.lastTimeNs() > 0 ? " lastTime=" + Instant.ofEpochSecond(0, result.lastTimeNs()) : "") +
                " wal=" + wal);
        }
        return 0;
    }

    /**
     * @param text ISO-8601 with a zone or offset ({@code 2026-12-06T15:04:05.123Z}), without one (read as UTC), or a
     *             number since the epoch whose magnitude says its unit: seconds (below 10^11), milliseconds (below
     *             10^14), microseconds (below 10^17), else nanoseconds, as {@code ferry dump} prints timestamps.
     * @return nanoseconds since the epoch.
     */
    static long parseTime(final String text)
    {
        final String t = text.trim();
        if (t.matches("[0-9]{1,19}"))
        {
            final long n = Long.parseLong(t);
            return n < 100_000_000_000L ? Math.multiplyExact(n, 1_000_000_000L) :
                n < 100_000_000_000_000L ? Math.multiplyExact(n, 1_000_000L) :
                    n < 100_000_000_000_000_000L ? Math.multiplyExact(n, 1_000L) : n;
        }
        final Instant at;
        if (t.endsWith("Z") || t.endsWith("z"))
        {
            at = Instant.parse(t.toUpperCase(java.util.Locale.ROOT));
        }
        else if (t.matches(".*[+-][0-9]{2}:?[0-9]{2}$") && t.contains("T"))
        {
            at = OffsetDateTime.parse(t).toInstant();
        }
        else
        {
            at = java.time.LocalDateTime.parse(t).toInstant(java.time.ZoneOffset.UTC);
        }
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    }

    private Long checkedTime(final String text)
    {
        try
        {
            return parseTime(text);
        }
        catch (final DateTimeParseException | ArithmeticException | NumberFormatException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to-time '" + text + "' is not a time: " +
                "ISO-8601 (2026-12-06T15:04:05Z, with an offset, or without one for UTC) or a number of seconds, " +
                "milliseconds, microseconds or nanoseconds since the epoch");
        }
    }
}
