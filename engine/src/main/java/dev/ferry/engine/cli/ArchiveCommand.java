package dev.ferry.engine.cli;

import dev.ferry.engine.NodeAddress;
import dev.ferry.engine.archive.ArchiveContext;
import dev.ferry.engine.archive.ArchiveInspector;
import dev.ferry.engine.archive.ArchiveShipping;
import dev.ferry.engine.archive.ArchiveStore;
import dev.ferry.engine.archive.Archives;
import dev.ferry.engine.archive.Shipper;
import dev.ferry.engine.archive.SlotHolder;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.Secret;
import dev.ferry.wal.codec.Codec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    @Option(names = "--node", paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = {"The node whose WAL this is (its replication port), to hold a retention slot on: it then keeps "
            + "every entry not yet archived (up to its --slot-cap-bytes). Default: the address the node records in "
            + "<wal>/ferry-node.properties; without either, no slot is held."})
    InetSocketAddress node;

    @Option(names = "--slot", paramLabel = "ID", defaultValue = "archive",
        description = "The slot's id on the node (default: ${DEFAULT-VALUE}; one per shipper of a node).")
    String slotId;

    @Option(names = "--secret-file", paramLabel = "F",
        description = "The node's shared secret: the slot request is authenticated like a replica.")
    Path secretFile;

    @CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        try
        {
            return ship();
        }
        catch (final IOException ex)
        {
            throw storage(to, ex);
        }
    }

    /** An archive that failed to answer: STORAGE, one line, never INTERNAL. */
    static FerryException storage(final String uri, final IOException ex)
    {
        return new FerryException(ErrorCode.STORAGE, "the archive " + uri + " failed: " + ex, ex);
    }

    private Integer ship() throws IOException, InterruptedException
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
            final SlotHolder holder = holder();
            Cli.event("archiving " + wal + " to " + to + (holder == null ? " (no slot held: no --node, and no address " +
                "recorded in the WAL directory)" : " (holding slot " + holder.slotId() + " on " +
                Endpoint.format(holder.node()) + ")"));
            if (once)
            {
                try (Shipper shipper = new Shipper(context, holder))
                {
                    shipper.doWork(System.nanoTime());
                    shipper.flush();
                    if (shipper.status().lastError() != null || shipper.status().generation() == null)
                    {
                        report(shipper.status());
                        throw new FerryException(ErrorCode.STORAGE, "nothing shipped to " + to + ": " +
                            (shipper.status().lastError() == null ? "the WAL " + wal + " has no history yet (its node " +
                                "never started)" : shipper.status().lastError()));
                    }
                    if (holder != null && shipper.status().archivedNext() >= 0)
                    {
                        holder.accept(shipper.status().archivedNext());
                    }
                    report(shipper.status());
                }
                return 0;
            }
            final CountDownLatch stopped = new CountDownLatch(1);
            final ArchiveShipping shipping = ArchiveShipping.start(context, holder);
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                shipping.close(); // uploads what was built first
                report(shipping.status());
                stopped.countDown();
            }));
            while (!stopped.await(10, TimeUnit.SECONDS))
            {
                report(shipping.status());
                if (!shipping.isRunning())
                {
                    return Ferry.EXIT_FAILURE;
                }
            }
        }
        return 0;
    }

    /** @return the slot holder on the node, or null if the node's address is not known. */
    private SlotHolder holder()
    {
        final InetSocketAddress address = node != null ? node : NodeAddress.read(wal);
        if (address == null)
        {
            return null;
        }
        return new SlotHolder(address, secretFile == null ? Secret.NONE : Secret.load(secretFile), tls.config(), slotId,
            Cli::event);
    }

    private static void report(final Shipper.Status s)
    {
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
        public Integer call()
        {
            try (ArchiveStore store = Archives.openExisting(from))
            {
                System.out.print(json ? ArchiveInspector.listJson(store) + "\n" : ArchiveInspector.listText(store,
                    segments));
            }
            catch (final IOException ex)
            {
                throw storage(from, ex);
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
        public Integer call()
        {
            try (ArchiveStore store = Archives.openExisting(from))
            {
                final boolean ok = ArchiveInspector.verify(store, generation, System.out);
                return ok ? 0 : Ferry.EXIT_FAILURE;
            }
            catch (final IOException ex)
            {
                throw storage(from, ex);
            }
        }
    }
}
