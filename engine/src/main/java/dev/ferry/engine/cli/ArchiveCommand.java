package dev.ferry.engine.cli;

import dev.ferry.engine.archive.ArchiveContext;
import dev.ferry.engine.archive.ArchiveStore;
import dev.ferry.engine.archive.Archives;
import dev.ferry.engine.archive.ArchiveInspector;
import dev.ferry.engine.archive.Shipper;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.codec.Codec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ferry archive}: ship a WAL to an archive until stopped; {@code archive ls} and {@code archive verify}.
 */
@Command(name = "archive", mixinStandardHelpOptions = true,
    description = {"Ship a node's WAL to an archive (a directory, file:///path, or an S3-compatible store,",
        "s3://bucket/prefix) until stopped: new entries as compressed segments (every --segment-interval or",
        "--segment-bytes), the node's state snapshots every --snapshot-interval, and retention (--retain). Runs beside",
        "the node (it reads the WAL as checksum does). With --node (or the address the node records in its WAL",
        "directory) it holds a retention slot on the node, authenticated with --secret-file, so the node keeps what is",
        "not yet archived. Resumes where the archive ends; begins a new generation when continuity breaks."},
    subcommands = {ArchiveCommand.Ls.class, ArchiveCommand.Verify.class})
final class ArchiveCommand implements Callable<Integer>
{
    @Option(names = "--wal", paramLabel = "DIR", description = "The WAL directory to ship (required to ship).")
    Path wal;

    @Option(names = "--to", paramLabel = "URI", description = "The archive: file:///path or s3://bucket/prefix.")
    String to;

    @Option(names = "--codec", paramLabel = "NAME", defaultValue = "zstd", converter = Converters.CodecName.class,
        description = "Compression of segments: none, snappy or zstd (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = "--segment-bytes", paramLabel = "N", defaultValue = "4194304",
        description = "Cut a segment at this many stored bytes (default: ${DEFAULT-VALUE}).")
    long segmentBytes;

    @Option(names = "--segment-interval", paramLabel = "DURATION", defaultValue = "1s",
        converter = Converters.DurationValue.class,
        description = "Cut a segment once its first entry is this old: the most the archive lags (default: ${DEFAULT-VALUE}).")
    Duration segmentInterval;

    @Option(names = "--snapshot-interval", paramLabel = "DURATION", defaultValue = "1h",
        converter = Converters.DurationValue.class,
        description = "Upload the node's newest state snapshot this often (default: ${DEFAULT-VALUE}).")
    Duration snapshotInterval;

    @Option(names = "--retain", paramLabel = "DURATION", defaultValue = "24h", converter = Converters.DurationValue.class,
        description = "Keep every point of this long ago restorable; older ones go (default: ${DEFAULT-VALUE}).")
    Duration retain;

    @Option(names = "--once", description = "Ship what the WAL holds now, then exit.")
    boolean once;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        if (wal == null || to == null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "ferry archive needs --wal DIR and --to URI (or a subcommand: ls, verify)");
        }
        if (!java.nio.file.Files.isDirectory(wal))
        {
            throw new FerryException(ErrorCode.STORAGE, "no WAL directory " + wal);
        }
        final ArchiveContext context = new ArchiveContext().walDirectory(wal).codec(codec).segmentBytes(segmentBytes)
            .segmentIntervalNs(segmentInterval.toNanos()).snapshotIntervalMillis(snapshotInterval.toMillis())
            .retentionMillis(retain.toMillis()).log(Cli::event);
        try (ArchiveStore store = Archives.open(to))
        {
            context.store(store).conclude();
            try (Shipper shipper = new Shipper(context, null))
            {
                Cli.event("archiving " + wal + " to " + to);
                if (once)
                {
                    shipper.doWork(System.nanoTime());
                    shipper.flush();
                    report(shipper);
                    return 0;
                }
                final CountDownLatch stopped = new CountDownLatch(1);
                final Thread main = Thread.currentThread();
                final boolean[] stopping = {false};
                Runtime.getRuntime().addShutdownHook(new Thread(() ->
                {
                    stopping[0] = true;
                    LockSupport.unpark(main);
                    try
                    {
                        stopped.await(10, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ignore)
                    {
                        Thread.currentThread().interrupt();
                    }
                }));
                long reportAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                try
                {
                    while (!stopping[0])
                    {
                        final long now = System.nanoTime();
                        if (shipper.doWork(now) == 0)
                        {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // idles parked: no spinning
                        }
                        if (now >= reportAt)
                        {
                            reportAt = now + TimeUnit.SECONDS.toNanos(10);
                            report(shipper);
                        }
                    }
                    shipper.flush();
                    report(shipper);
                }
                finally
                {
                    stopped.countDown();
                }
            }
        }
        return 0;
    }

    private static void report(final Shipper shipper)
    {
        final Shipper.Status s = shipper.status();
        Cli.event("archive: generation " + s.generation() + ", archived up to offset " + (s.archivedNext() - 1) +
            ", lag " + s.lagEntries() + " entries / " + s.lagMillis() + " ms, " + s.segments() + " segments, " +
            s.bytes() + " bytes uploaded" + (s.lastError() == null ? "" : ", last error: " + s.lastError()));
    }

    /** {@code ferry archive ls}. */
    @Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List an archive's generations, their snapshots and segments, with offset and time ranges and sizes.")
    static final class Ls implements Callable<Integer>
    {
        @Option(names = "--from", required = true, paramLabel = "URI", description = "The archive.")
        String from;

        @Option(names = "--json", description = "Print one JSON document.")
        boolean json;

        @Option(names = "--segments", description = "Also list every segment (text output).")
        boolean segments;

        @Override
        public Integer call() throws IOException
        {
            try (ArchiveStore store = Archives.openExisting(from))
            {
                System.out.print(json ? ArchiveInspector.listJson(store) + "\n" : ArchiveInspector.listText(store,
                    segments));
            }
            return 0;
        }
    }

    /** {@code ferry archive verify}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Restore an archive's newest point (of every generation, or of --generation) into a scratch",
            "directory and check it: every object's checksum, every entry's, the chained checksum end to end, and that",
            "the state rebuilds. Prints one line per generation, with the restored WAL's checksum line."})
    static final class Verify implements Callable<Integer>
    {
        @Option(names = "--from", required = true, paramLabel = "URI", description = "The archive.")
        String from;

        @Option(names = "--generation", paramLabel = "G", description = "Only this generation.")
        String generation;

        @Override
        public Integer call() throws IOException
        {
            try (ArchiveStore store = Archives.openExisting(from))
            {
                final boolean ok = ArchiveInspector.verify(store, generation, System.out);
                return ok ? 0 : Ferry.EXIT_FAILURE;
            }
        }
    }
}
