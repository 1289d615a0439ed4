package dev.ferry.jmh.harness;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.archive.ArchiveContext;
import dev.ferry.engine.archive.DirectoryStore;
import dev.ferry.engine.archive.Restore;
import dev.ferry.engine.archive.Shipper;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The archive, measured (issue 20), in this JVM, to a directory on the scratch file system:
 * <ul>
 *   <li>shipping: a WAL of {@code entries} key-value PUTs (64 B values) shipped whole by a {@link Shipper} (zstd
 *       segments), beside a raw copy of the same payload bytes (one file, fsynced) to the same directory;</li>
 *   <li>restore: the archive restored into a new WAL, beside a raw copy of the same bytes back;</li>
 *   <li>the shipper's cost on appends: the same appends timed with and without a shipper following the WAL on its own
 *       thread (parked when idle), alternated over {@value #PAIRS} pairs, medians.</li>
 * </ul>
 * Rates are payload bytes per second, so the archive and the raw copy move exactly the same data.
 */
final class ArchiveRun
{
    private static final int PAIRS = 3;
    private static final int VALUE_BYTES = 64;

    private final BenchOptions options;
    private final BenchOutput output;

    ArchiveRun(final BenchOptions options, final BenchOutput output)
    {
        this.options = options;
        this.output = output;
    }

    void run(final Path scratch) throws IOException
    {
        final int entries = Math.max(100_000, options.entries);
        output.progress("archive: shipping and restoring " + entries + " entries, and the shipper's cost on appends");
        final Path dir = Files.createDirectories(scratch.resolve("archive-run"));
        final Path wal = dir.resolve("wal");
        final long payloadBytes = writeWal(wal, entries, null);

        final Path archive = dir.resolve("archive");
        final double ship;
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
            Shipper shipper = new Shipper(new ArchiveContext().walDirectory(wal).store(store), null))
        {
            final long start = System.nanoTime();
            shipper.doWork(start);
            shipper.flush();
            ship = payloadBytes * 1e9 / (System.nanoTime() - start);
            if (shipper.status().archivedNext() != entries)
            {
                throw new IllegalStateException("the shipper archived up to " + shipper.status().archivedNext() +
                    ", not " + entries);
            }
        }
        final Path raw = dir.resolve("payload.raw");
        writeRaw(wal, raw);
        final double rawShip = copyRate(raw, archive.resolve("raw-copy"), payloadBytes);

        final double restore;
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            final long start = System.nanoTime();
            final Restore.Result result = Restore.run(store, dir.resolve("restored"), Restore.Target.NEWEST, EventLog.NONE);
            restore = payloadBytes * 1e9 / (System.nanoTime() - start);
            if (result.last() != entries - 1)
            {
                throw new IllegalStateException("restored up to " + result.last() + ", not " + (entries - 1));
            }
        }
        final double rawRestore = copyRate(archive.resolve("raw-copy"), dir.resolve("raw-back"), payloadBytes);
        output.throughput("throughput.archive.ship", ship, "throughput.archive.rawCopy").put("unit", "bytes/s");
        output.throughput("throughput.archive.rawCopy", rawShip, null).put("unit", "bytes/s");
        output.throughput("throughput.archive.restore", restore, "throughput.archive.rawCopyBack").put("unit", "bytes/s");
        output.throughput("throughput.archive.rawCopyBack", rawRestore, null).put("unit", "bytes/s");

        final double[] without = new double[PAIRS];
        final double[] with = new double[PAIRS];
        for (int pair = 0; pair < PAIRS; pair++)
        {
            without[pair] = appendRate(dir.resolve("plain-" + pair), entries, null);
            with[pair] = appendRate(dir.resolve("shipped-" + pair), entries, dir.resolve("archive-" + pair));
        }
        BenchOutput.trialResult(output.throughput("throughput.archive.appendWithShipper", BenchOutput.median(with),
            "throughput.archive.appendWithoutShipper"), with);
        BenchOutput.trialResult(output.throughput("throughput.archive.appendWithoutShipper", BenchOutput.median(without),
            null), without);
        output.done(String.format("archive: shipped at %.0f MB/s (raw copy %.0f MB/s), restored at %.0f MB/s (raw %.0f " +
            "MB/s); appends %.2f M/s with a shipper, %.2f M/s without (%.2fx)", ship / 1e6, rawShip / 1e6, restore / 1e6,
            rawRestore / 1e6, BenchOutput.median(with) / 1e6, BenchOutput.median(without) / 1e6,
            BenchOutput.median(with) / BenchOutput.median(without)));
        Host.deleteTree(dir);
    }

    /** @return the payload bytes written. */
    private static long writeWal(final Path directory, final int entries, final Runnable afterEach)
    {
        long bytes = 0;
        try (Wal wal = Wal.open(new WalConfig().directory(directory)))
        {
            History.create("bench").save(directory);
            final KvEntryWriter writer = new KvEntryWriter(256);
            final String value = "v".repeat(VALUE_BYTES);
            for (int i = 0; i < entries; i++)
            {
                final MemorySegment entry = writer.reset().put(0, "key:" + (i % 100_000), value).entry();
                wal.append(entry);
                bytes += entry.byteSize();
            }
            wal.sync();
        }
        return bytes;
    }

    /** The entries per second of appending {@code entries}, with a shipper following on its own thread if asked. */
    private static double appendRate(final Path directory, final int entries, final Path archive)
    {
        try (Wal wal = Wal.open(new WalConfig().directory(directory)))
        {
            History.create("bench").save(directory);
            final AtomicBoolean stop = new AtomicBoolean();
            Thread shipping = null;
            if (archive != null)
            {
                shipping = Thread.ofPlatform().name("bench-shipper").start(() ->
                {
                    try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive);
                        Shipper shipper = new Shipper(new ArchiveContext().walDirectory(directory).store(store), null))
                    {
                        while (!stop.get())
                        {
                            if (shipper.doWork(System.nanoTime()) == 0)
                            {
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            }
                        }
                        shipper.flush();
                    }
                    catch (final IOException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
            }
            final KvEntryWriter writer = new KvEntryWriter(256);
            final String value = "v".repeat(VALUE_BYTES);
            final long start = System.nanoTime();
            for (int i = 0; i < entries; i++)
            {
                wal.append(writer.reset().put(0, "key:" + (i % 100_000), value).entry());
            }
            final double rate = entries * 1e9 / (System.nanoTime() - start);
            stop.set(true);
            if (shipping != null)
            {
                shipping.join(TimeUnit.MINUTES.toMillis(2));
            }
            return rate;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The WAL's payloads, concatenated into one file: what a raw copy moves. */
    private static void writeRaw(final Path wal, final Path raw) throws IOException
    {
        try (Wal w = Wal.open(new WalConfig().directory(wal).readOnly(true)); var cursor = w.cursor();
            OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(raw), 1 << 20))
        {
            w.refresh();
            cursor.seek(0);
            final byte[][] buffer = {new byte[4096]};
            while (cursor.poll(e ->
            {
                if (buffer[0].length < e.length())
                {
                    buffer[0] = new byte[e.length()];
                }
                MemorySegment.copy(e.payload(), 0, MemorySegment.ofArray(buffer[0]), 0, e.length());
                try
                {
                    out.write(buffer[0], 0, e.length());
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                return true;
            }, 65536) > 0)
            {
                // copy
            }
        }
    }

    /** Copy a file and fsync it: bytes per second. */
    private static double copyRate(final Path from, final Path to, final long bytes) throws IOException
    {
        final long start = System.nanoTime();
        Files.copy(from, to);
        try (FileChannel channel = FileChannel.open(to, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        return bytes * 1e9 / (System.nanoTime() - start);
    }
}
