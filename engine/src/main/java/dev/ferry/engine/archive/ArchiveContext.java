package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.codec.Codec;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A shipper's settings, with defaults (Litestream's, where it has one): segments cut at 4 MiB or after 1 s, a
 * snapshot uploaded every hour (when the node has written a newer one), 24 h of history kept, segments zstd-compressed.
 */
public final class ArchiveContext
{
    /** Default {@link #segmentBytes()}: 4 MiB. */
    public static final long SEGMENT_BYTES_DEFAULT = 4L << 20;
    /** Default {@link #segmentIntervalNs()}: 1 s, Litestream's sync interval. */
    public static final long SEGMENT_INTERVAL_NS_DEFAULT = TimeUnit.SECONDS.toNanos(1);
    /** Default {@link #snapshotIntervalMillis()}: 1 h. */
    public static final long SNAPSHOT_INTERVAL_MILLIS_DEFAULT = TimeUnit.HOURS.toMillis(1);
    /** Default {@link #retentionMillis()}: 24 h, Litestream's. */
    public static final long RETENTION_MILLIS_DEFAULT = TimeUnit.HOURS.toMillis(24);

    private Path walDirectory;
    private ArchiveStore store;
    private Codec codec = Codec.ZSTD;
    private long segmentBytes = SEGMENT_BYTES_DEFAULT;
    private long segmentIntervalNs = SEGMENT_INTERVAL_NS_DEFAULT;
    private long snapshotIntervalMillis = SNAPSHOT_INTERVAL_MILLIS_DEFAULT;
    private long retentionMillis = RETENTION_MILLIS_DEFAULT;
    private long retentionCheckMillis = -1;
    private EventLog log = EventLog.NONE;
    private LongSupplier clockMillis = System::currentTimeMillis;

    /**
     * @return the WAL directory shipped.
     */
    public Path walDirectory()
    {
        return walDirectory;
    }

    /**
     * @param walDirectory the WAL directory shipped.
     * @return this.
     */
    public ArchiveContext walDirectory(final Path walDirectory)
    {
        this.walDirectory = walDirectory;
        return this;
    }

    /**
     * @return the archive.
     */
    public ArchiveStore store()
    {
        return store;
    }

    /**
     * @param store the archive.
     * @return this.
     */
    public ArchiveContext store(final ArchiveStore store)
    {
        this.store = store;
        return this;
    }

    /**
     * @return the codec tried on each segment's frames.
     */
    public Codec codec()
    {
        return codec;
    }

    /**
     * @param codec the codec tried on each segment's frames (zstd by default).
     * @return this.
     */
    public ArchiveContext codec(final Codec codec)
    {
        this.codec = codec;
        return this;
    }

    /**
     * @return the stored size at which a segment is cut.
     */
    public long segmentBytes()
    {
        return segmentBytes;
    }

    /**
     * @param segmentBytes the stored size at which a segment is cut.
     * @return this.
     */
    public ArchiveContext segmentBytes(final long segmentBytes)
    {
        this.segmentBytes = segmentBytes;
        return this;
    }

    /**
     * @return how long a segment's first entry waits before the segment is cut: the most an archive lags when writes
     *         are slow.
     */
    public long segmentIntervalNs()
    {
        return segmentIntervalNs;
    }

    /**
     * @param segmentIntervalNs how long a segment's first entry waits before the segment is cut.
     * @return this.
     */
    public ArchiveContext segmentIntervalNs(final long segmentIntervalNs)
    {
        this.segmentIntervalNs = segmentIntervalNs;
        return this;
    }

    /**
     * @return how often the node's newest state snapshot is uploaded (if newer than the archive's).
     */
    public long snapshotIntervalMillis()
    {
        return snapshotIntervalMillis;
    }

    /**
     * @param snapshotIntervalMillis how often the node's newest state snapshot is uploaded.
     * @return this.
     */
    public ArchiveContext snapshotIntervalMillis(final long snapshotIntervalMillis)
    {
        this.snapshotIntervalMillis = snapshotIntervalMillis;
        return this;
    }

    /**
     * @return how far back every point stays restorable.
     */
    public long retentionMillis()
    {
        return retentionMillis;
    }

    /**
     * @param retentionMillis how far back every point stays restorable.
     * @return this.
     */
    public ArchiveContext retentionMillis(final long retentionMillis)
    {
        this.retentionMillis = retentionMillis;
        return this;
    }

    /**
     * @return how often retention runs (default: a quarter of the retention, at most a minute).
     */
    public long retentionCheckMillis()
    {
        return retentionCheckMillis;
    }

    /**
     * @param retentionCheckMillis how often retention runs.
     * @return this.
     */
    public ArchiveContext retentionCheckMillis(final long retentionCheckMillis)
    {
        this.retentionCheckMillis = retentionCheckMillis;
        return this;
    }

    /**
     * @return where events go.
     */
    public EventLog log()
    {
        return log;
    }

    /**
     * @param log where events go.
     * @return this.
     */
    public ArchiveContext log(final EventLog log)
    {
        this.log = log;
        return this;
    }

    /**
     * @return the wall clock, in ms.
     */
    public LongSupplier clockMillis()
    {
        return clockMillis;
    }

    /**
     * @param clockMillis the wall clock, in ms (tests move it).
     * @return this.
     */
    public ArchiveContext clockMillis(final LongSupplier clockMillis)
    {
        this.clockMillis = clockMillis;
        return this;
    }

    /**
     * Check the settings once.
     *
     * @return this.
     * @throws FerryException CONFIGURATION naming the setting that is wrong.
     */
    public ArchiveContext conclude()
    {
        if (walDirectory == null || store == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "an archive needs a WAL directory and a store");
        }
        if (segmentBytes < 1024 || segmentBytes > (256L << 20))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "segmentBytes " + segmentBytes +
                " must be between 1 KiB and 256 MiB");
        }
        if (segmentIntervalNs <= 0 || snapshotIntervalMillis <= 0 || retentionMillis <= 0)
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                "the segment interval, the snapshot interval and the retention must be positive");
        }
        if (retentionCheckMillis <= 0)
        {
            retentionCheckMillis = Math.max(1, Math.min(TimeUnit.MINUTES.toMillis(1), retentionMillis / 4));
        }
        return this;
    }
}
