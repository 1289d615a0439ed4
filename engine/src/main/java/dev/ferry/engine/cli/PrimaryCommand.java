package dev.ferry.engine.cli;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.Primary;
import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.state.KvEntry;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.wal.RetentionPolicy;
import dev.ferry.wal.SyncPolicy;
import dev.ferry.wal.codec.Codec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ferry primary}: runs a primary until killed.
 */
@Command(name = "primary", mixinStandardHelpOptions = true,
    description = {"Run a primary until killed: serve replicas from the WAL in --wal on --listen.",
        "With --generate N --size BYTES it first appends N generated entries (at --rate per second, default as fast",
        "as it can); with --stdin one entry per input line. Then it keeps serving.",
        "With --sync-replicas K each of those appends waits until K replicas have the entry at --sync-level; under",
        "--stdin each acknowledged entry is printed on stdout as 'acked OFFSET'. An entry not acknowledged within",
        "--sync-timeout is one TIMEOUT line on stderr: it stays in the WAL, keeps replicating, and the primary goes on."})
final class PrimaryCommand implements Callable<Integer>
{
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Option(names = "--wal", required = true, paramLabel = "DIR", description = "The WAL directory (created if missing).")
    Path wal;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "Where replicas connect.")
    InetSocketAddress listen;

    @Option(names = "--codec", paramLabel = "none|snappy|zstd", defaultValue = "none", converter = Converters.CodecName.class,
        description = "Batch compression for replicas that support it (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = "--zstd-level", paramLabel = "N", defaultValue = "3", description = "zstd level (default: ${DEFAULT-VALUE}).")
    int zstdLevel;

    @CommandLine.Mixin
    SecretOptions secret = new SecretOptions();

    @CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @CommandLine.Mixin
    StateOption state = new StateOption();

    @Option(names = "--keys", paramLabel = "K", defaultValue = "100000",
        description = "Under --state kv, --generate writes over this many keys, key:0 to key:K-1 (default: ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--generate", paramLabel = "N", description = "Append N generated entries, then keep serving.")
    Long generate;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64", description = "Generated entry size (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", paramLabel = "PER_SEC", defaultValue = "0", description = "Generated entries per second; 0 = as fast as possible.")
    long rate;

    @Option(names = "--stdin", description = "Append one entry per line of standard input, then keep serving.")
    boolean stdin;

    @Option(names = "--roll-cycle", paramLabel = "NAME", description = "Chronicle roll cycle, e.g. FAST_DAILY, FAST_HOURLY, TEST_SECONDLY.")
    String rollCycle;

    @Option(names = "--retain-age", paramLabel = "DURATION", converter = Converters.DurationValue.class,
        description = "Delete roll cycles older than this (e.g. 7d), never below the slowest replica.")
    Duration retainAge;

    @Option(names = "--retain-bytes", paramLabel = "N", defaultValue = "0", description = "Delete the oldest roll cycles while the WAL is larger.")
    long retainBytes;

    @Option(names = "--slot-cap-bytes", paramLabel = "N", defaultValue = "" + PrimaryConfig.SLOT_CAP_BYTES_DEFAULT,
        description = "A replica further behind than this no longer holds retention back (default: ${DEFAULT-VALUE}, "
            + "16 GiB; 0: no cap).")
    long slotCapBytes;

    @Option(names = "--snapshot-rate", paramLabel = "BYTES_PER_SEC", defaultValue = "0",
        description = "Send a snapshot to a replica at most this fast (default: 0, no limit; at least 4096).")
    long snapshotRate;

    @Option(names = "--audit-rate", paramLabel = "ENTRIES_PER_SEC",
        defaultValue = "" + PrimaryConfig.AUDIT_ENTRIES_PER_SEC_DEFAULT,
        description = "Check each streaming replica's entries against this primary's chained checksums in the "
            + "background, this many entries per second per replica (default: ${DEFAULT-VALUE}; 0: no audit). A "
            + "mismatch is logged and shown in ferry status.")
    long auditRate;

    @Option(names = "--snapshot-cap-bytes", paramLabel = "N", defaultValue = "" + PrimaryConfig.SLOT_CAP_BYTES_DEFAULT,
        description = "While a snapshot is sent to a replica, keep at most this much WAL after it for that replica "
            + "(default: ${DEFAULT-VALUE}, 16 GiB; 0: no cap), apart from --slot-cap-bytes.")
    long snapshotCapBytes;

    @Option(names = "--eviction-warning", paramLabel = "DURATION", defaultValue = "10m",
        converter = Converters.DurationValue.class,
        description = "Warn (in the log and in status) about a replica that falls behind fast enough to pass its cap, "
            + "and so to need a resync, within this time (default: ${DEFAULT-VALUE}; 0s: never).")
    Duration evictionWarning;

    @CommandLine.Mixin
    RespOptions resp = new RespOptions();

    @Option(names = "--archive", paramLabel = "URI",
        description = {"Ship this node's WAL to an archive (file:///path or s3://bucket/prefix) from within the node, on "
            + "a thread of its own, with the defaults of `ferry archive` (it holds a retention slot named archive); `ferry archive` beside the "
            + "node does the same with every setting."})
    String archive;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "Serve this node's figures in Prometheus' text format on GET /metrics there (figures only, no "
            + "secret: bind it where only the monitoring reaches it).")
    InetSocketAddress metrics;

    @Option(names = "--sync", paramLabel = "none|batch|interval", defaultValue = "batch",
        description = "WAL sync policy (default: ${DEFAULT-VALUE}): what survives a power loss; every append survives "
            + "kill -9 regardless. The generator and --stdin flush (batch: sync) after their appends.")
    String sync;

    @Option(names = "--sync-replicas", paramLabel = "K", defaultValue = "0",
        description = "Synchronous replication: each append waits until K replicas have the entry at --sync-level "
            + "(default: ${DEFAULT-VALUE}, asynchronous; at most " + PrimaryConfig.SYNC_REPLICAS_MAX + ").")
    int syncReplicas;

    @Option(names = "--sync-level", paramLabel = "received|durable|applied", converter = Converters.AckLevelName.class,
        description = "What --sync-replicas waits for (default: durable): received, durable (in the replica's WAL under "
            + "its sync policy) or applied (by its state machine).")
    AckLevel syncLevel;

    @Option(names = "--sync-timeout", paramLabel = "DURATION", defaultValue = "10s",
        converter = Converters.DurationValue.class,
        description = "How long an append waits for --sync-replicas before it is reported as TIMEOUT, the entry kept "
            + "in the WAL (default: ${DEFAULT-VALUE}).")
    Duration syncTimeout;

    @Option(names = "--idle", paramLabel = "backoff|yield|park|busy-spin", defaultValue = "backoff",
        description = "Sender thread idle strategy (busy-spin burns a core).")
    String idle;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        if (generate != null && stdin)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--generate and --stdin are exclusive");
        }
        if (size < 0 || rate < 0 || (generate != null && generate < 0))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--generate, --size and --rate must be >= 0");
        }
        final boolean kv = state.kv(spec.commandLine());
        if (keys < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--keys must be >= 1, was " + keys);
        }
        checkSync();
        final PrimaryConfig config = new PrimaryConfig()
            .walDirectory(wal)
            .listen(listen)
            .codec(codec)
            .zstdLevel(zstdLevel)
            .secretFile(secret.secretFile)
            .insecureNoSecret(secret.insecureNoSecret)
            .tls(tls.config())
            .idleStrategy(idle)
            .retention(new RetentionPolicy(retainAge, retainBytes))
            .slotCapBytes(slotCapBytes)
            .snapshotCapBytes(snapshotCapBytes)
            .evictionWarningMs(evictionWarning.toMillis())
            .metrics(metrics)
            .resp(resp.config(spec.commandLine()))
            .archive(archive == null ? null : new dev.ferry.engine.archive.ArchiveContext()
                .store(dev.ferry.engine.archive.Archives.open(archive)))
            .snapshotRateBytesPerSec(snapshotRate)
            .auditEntriesPerSec(auditRate)
            .stateMachine(state.stateMachine(spec.commandLine()))
            .syncReplicas(syncReplicas)
            .syncLevel(syncLevel)
            .syncTimeout(syncTimeout)
            .eventLog(Cli::event);
        config.wal().syncPolicy(SyncPolicy.of(sync));
        if (rollCycle != null)
        {
            config.wal().rollCycle(rollCycle);
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final Primary primary = Primary.open(config);
        secret.warnIfInsecure("primary on " + Endpoint.format(listen)); // once running: a failed start warns of nothing
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            primary.close();
            stopped.countDown();
        }));
        try
        {
            Cli.event("primary listening on " + Endpoint.format(primary.localAddress()) + (primary.respAddress() == null ?
                "" : ", Redis clients on " + Endpoint.format(primary.respAddress())) + ", WAL " + wal + " (history " +
                primary.history() + ", next offset " + primary.nextOffset() + ")");
            if (generate != null)
            {
                generate(primary, kv ? new KvGenerator(size, keys) : null);
            }
            else if (stdin)
            {
                readStdin(primary, kv, syncReplicas > 0);
            }
            stopped.await();
        }
        finally
        {
            primary.close();
        }
        return 0;
    }

    private void generate(final Primary primary, final KvGenerator kv)
    {
        final MemorySegment payload = MemorySegment.ofArray(new byte[Math.max(size, 0)]);
        for (int i = 8; i < size; i++)
        {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte)('a' + i % 26));
        }
        final long start = System.nanoTime();
        final long intervalNs = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long notAcknowledged = 0;
        for (long i = 0; i < generate; i++)
        {
            if (intervalNs > 0)
            {
                final long due = start + i * intervalNs;
                long now;
                while ((now = System.nanoTime()) < due)
                {
                    LockSupport.parkNanos(Math.min(due - now, 50_000));
                }
            }
            if (size >= 8)
            {
                payload.set(LONG_LE, 0, primary.nextOffset());
            }
            if (appendOrReport(primary, kv == null ? payload : kv.entry(i, payload)) < 0)
            {
                notAcknowledged++;
            }
            if ((i & 1023) == 0 && System.nanoTime() > nextReport)
            {
                nextReport += TimeUnit.SECONDS.toNanos(1);
                Cli.event("generated " + (i + 1) + " of " + generate + ", head " + primary.nextOffset());
            }
        }
        primary.flush();
        final double seconds = (System.nanoTime() - start) / 1e9;
        Cli.event(String.format("generated %d %s of %d bytes in %.2f s; head %d%s; serving until killed",
            generate, kv == null ? "entries" : "PUTs of values", size, seconds, primary.nextOffset(),
            syncReplicas == 0 ? "" : "; " + notAcknowledged + " not acknowledged by " + syncReplicas + " replica(s) " +
                "in time (still in the WAL, replicating)"));
    }

    private static void readStdin(final Primary primary, final boolean kv, final boolean sync) throws IOException
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final KvEntryWriter writer = kv ? new KvEntryWriter(256) : null;
        long count = 0;
        String line;
        while ((line = in.readLine()) != null)
        {
            // a malformed kv line stops here, naming it, before anything is appended for it
            final MemorySegment entry = kv ? kvEntry(writer, line, count + 1) :
                MemorySegment.ofArray(line.getBytes(StandardCharsets.UTF_8));
            final long offset = appendOrReport(primary, entry);
            primary.flush();
            if (sync && offset >= 0)
            {
                System.out.println("acked " + offset); // what a script may count on: replicated at --sync-level
                System.out.flush();
            }
            count++;
        }
        Cli.event("read " + count + " entries from stdin; head " + primary.nextOffset() + "; serving until killed");
    }

    /**
     * Append, from the only thread appending. Under {@code --sync-replicas}, an entry the replicas did not acknowledge
     * in time (TIMEOUT) or cannot (CONFIGURATION: a DURABLE wait that replicas without sync cannot meet) is one line on
     * stderr and the primary goes on: the entry is in the WAL and keeps replicating. An entry that did not reach the
     * WAL fails the command as before.
     *
     * @return the entry's offset once appended (and, in synchronous mode, acknowledged), or -1.
     */
    private static long appendOrReport(final Primary primary, final MemorySegment entry)
    {
        final long next = primary.nextOffset();
        try
        {
            return primary.append(entry);
        }
        catch (final FerryException ex)
        {
            if (primary.nextOffset() <= next)
            {
                throw ex;
            }
            Cli.event(ex.messageWithAdvice());
            return -1;
        }
    }

    /** The synchronous replication flags, checked before anything is opened: a usage error names the flag. */
    private void checkSync()
    {
        if (syncReplicas < 0 || syncReplicas > PrimaryConfig.SYNC_REPLICAS_MAX)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sync-replicas must be 0 (asynchronous) to " +
                PrimaryConfig.SYNC_REPLICAS_MAX + ", was " + syncReplicas);
        }
        if (syncLevel != null && syncReplicas == 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sync-level " +
                syncLevel.name().toLowerCase(java.util.Locale.ROOT) + " needs --sync-replicas K (how many replicas " +
                "each append waits for)");
        }
        if (!syncTimeout.isPositive())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sync-timeout must be above 0, was " +
                syncTimeout);
        }
    }

    /**
     * @return a PUT of the line's {@code key<TAB>value} in database 0.
     * @throws FerryException with {@code CONFIGURATION} naming the line if it is not {@code key<TAB>value}.
     */
    static MemorySegment kvEntry(final KvEntryWriter writer, final String line, final long lineNumber)
    {
        final int tab = line.indexOf('\t');
        if (tab <= 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "stdin line " + lineNumber + " is not key<TAB>value" +
                (tab == 0 ? " (the key is empty)" : " (no tab)") + ": '" + abbreviate(line) + "'; nothing was appended for it");
        }
        final byte[] key = line.substring(0, tab).getBytes(StandardCharsets.UTF_8);
        if (key.length > KvEntry.MAX_KEY_LENGTH)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "stdin line " + lineNumber + " has a key of " + key.length +
                " bytes; keys are at most " + KvEntry.MAX_KEY_LENGTH + "; nothing was appended for it");
        }
        return writer.reset().put(0, MemorySegment.ofArray(key),
            MemorySegment.ofArray(line.substring(tab + 1).getBytes(StandardCharsets.UTF_8)), 0).entry();
    }

    private static String abbreviate(final String line)
    {
        return line.length() <= 60 ? line : line.substring(0, 60) + "...";
    }
}
