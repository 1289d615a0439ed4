package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Settings of a {@link Wal}, validated once by {@link #conclude()}. Fluent setters reuse the accessor's name.
 * Defaults come from system properties named by the {@code *_PROP_NAME} constants.
 */
public final class WalConfig
{
    /** System property for the roll cycle name (a {@link RollCycles} constant). */
    public static final String ROLL_CYCLE_PROP_NAME = "ferry.wal.rollCycle";
    /** Default roll cycle. */
    public static final String ROLL_CYCLE_DEFAULT = "FAST_DAILY";
    /** System property for the largest payload accepted, in bytes. */
    public static final String MAX_PAYLOAD_BYTES_PROP_NAME = "ferry.wal.maxPayloadBytes";
    /** Default largest payload: 1 MiB. */
    public static final int MAX_PAYLOAD_BYTES_DEFAULT = 1 << 20;
    /** Upper bound of {@link #maxPayloadBytes()}: 16 MiB (Chronicle's document limit is a quarter of its block). */
    public static final int MAX_PAYLOAD_BYTES_LIMIT = 16 << 20;
    /** System property for the free disk space below which appends are refused, in bytes. */
    public static final String MIN_FREE_BYTES_PROP_NAME = "ferry.wal.minFreeBytes";
    /** Default reserve of free disk space: 64 MiB. */
    public static final long MIN_FREE_BYTES_DEFAULT = 64L << 20;

    private static final List<Class<? extends Enum<?>>> ROLL_CYCLE_FAMILIES =
        List.of(RollCycles.class, LargeRollCycles.class, SparseRollCycles.class, TestRollCycles.class);

    private Path directory;
    private RollCycle rollCycle;
    private SyncPolicy syncPolicy = SyncPolicy.NONE;
    private long syncIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
    private int maxPayloadBytes = Integer.getInteger(MAX_PAYLOAD_BYTES_PROP_NAME, MAX_PAYLOAD_BYTES_DEFAULT);
    private long minFreeBytes = Long.getLong(MIN_FREE_BYTES_PROP_NAME, MIN_FREE_BYTES_DEFAULT);
    private boolean readOnly;
    private boolean readAround;
    private boolean releaseCache = !"false".equals(System.getProperty(PageCacheRelease.PROP_NAME));
    private boolean singleWriter;
    private long firstOffset;
    private int firstChain = Chain.SEED;
    private LongSupplier clockNs;
    private TimeProvider cycleClock = SystemTimeProvider.INSTANCE;
    private boolean concluded;

    /**
     * @return the WAL's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param directory the WAL's directory; created (with parents) unless read-only.
     * @return this.
     */
    public WalConfig directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * @return the Chronicle roll cycle: entries are grouped into one file per cycle, the unit of retention.
     */
    public RollCycle rollCycle()
    {
        return rollCycle;
    }

    /**
     * @param rollCycle the Chronicle roll cycle (must match the one the WAL was created with).
     * @return this.
     */
    public WalConfig rollCycle(final RollCycle rollCycle)
    {
        this.rollCycle = rollCycle;
        return this;
    }

    /**
     * @param name a Chronicle roll cycle name ({@link RollCycles}, {@link TestRollCycles}, ...), case-insensitive, e.g. {@code TEST_SECONDLY} or {@code FAST_DAILY}.
     * @return this.
     * @throws WalException (CONFIGURATION) naming the valid choices if the name is unknown.
     */
    public WalConfig rollCycle(final String name)
    {
        this.rollCycle = parseRollCycle(name);
        return this;
    }

    /**
     * @return when entries are forced to the storage device.
     */
    public SyncPolicy syncPolicy()
    {
        return syncPolicy;
    }

    /**
     * @param syncPolicy when entries are forced to the storage device.
     * @return this.
     */
    public WalConfig syncPolicy(final SyncPolicy syncPolicy)
    {
        this.syncPolicy = syncPolicy;
        return this;
    }

    /**
     * @return the minimum time between syncs under {@link SyncPolicy#INTERVAL}.
     */
    public long syncIntervalNs()
    {
        return syncIntervalNs;
    }

    /**
     * @param syncIntervalNs the minimum time between syncs under {@link SyncPolicy#INTERVAL}.
     * @return this.
     */
    public WalConfig syncIntervalNs(final long syncIntervalNs)
    {
        this.syncIntervalNs = syncIntervalNs;
        return this;
    }

    /**
     * @return the largest payload accepted, in bytes.
     */
    public int maxPayloadBytes()
    {
        return maxPayloadBytes;
    }

    /**
     * @param maxPayloadBytes the largest payload accepted, in bytes.
     * @return this.
     */
    public WalConfig maxPayloadBytes(final int maxPayloadBytes)
    {
        this.maxPayloadBytes = maxPayloadBytes;
        return this;
    }

    /**
     * @return the free disk space below which appends are refused with a STORAGE error (0 turns the check off).
     */
    public long minFreeBytes()
    {
        return minFreeBytes;
    }

    /**
     * @param minFreeBytes the free disk space below which appends are refused (0 turns the check off).
     * @return this.
     */
    public WalConfig minFreeBytes(final long minFreeBytes)
    {
        this.minFreeBytes = minFreeBytes;
        return this;
    }

    /**
     * @return true to leave the kernel's mmap read-around on for Chronicle's mappings of the WAL; false (the default)
     *         gives the part the appender writes {@code MADV_RANDOM}, so a page fault zero-fills one page (see
     *         {@link ChunkAdvisor}). A {@link WalPretoucher}'s own mapping is always advised.
     */
    public boolean readAround()
    {
        return readAround;
    }

    /**
     * @param readAround true for the kernel's default read-around on page faults: fewer, larger faults, cheaper on a
     *                   host whose free memory is already backed (bare metal); false (default) for one page per
     *                   fault, which bounds the longest fault and was 3–6× cheaper per page on a VM whose balloon
     *                   returns free memory to the host.
     * @return this.
     */
    public WalConfig readAround(final boolean readAround)
    {
        this.readAround = readAround;
        return this;
    }

    /**
     * @return true (the default) if a {@link WalPretoucher} drops from the page cache what every cursor has read of
     *         the file being written ({@link PageCacheRelease}); {@code -Dferry.wal.releaseCache=false} sets false.
     */
    public boolean releaseCache()
    {
        return releaseCache;
    }

    /**
     * @param releaseCache true to drop from the page cache what every cursor has read, so the WAL's new pages reuse
     *                     memory already in use (25% less CPU per replicated entry measured on a VM, where a page of
     *                     memory never used before costs a fault on the host); false to leave it cached, for readers
     *                     far behind to find (they then read it back from disk).
     * @return this.
     */
    public WalConfig releaseCache(final boolean releaseCache)
    {
        this.releaseCache = releaseCache;
        return this;
    }

    /**
     * @return true if one thread writes the WAL (see {@link #singleWriter(boolean)}).
     */
    public boolean singleWriter()
    {
        return singleWriter;
    }

    /**
     * @param singleWriter true if the application appends from one thread only, as a raw Chronicle appender is used:
     *                     appends then take no lock of Ferry's own (Chronicle's write lock is still taken): one
     *                     compare-and-set less, 207-210 ns against 216 ns for a 64 B append here. {@link Wal#append}, {@link Wal#appendAt},
     *                     {@link Wal#flush}, {@link Wal#sync} and {@link Wal#truncateAfter} belong to the first thread
     *                     that calls one of them; any other thread gets a CONFIGURATION error and writes nothing.
     *                     {@link Wal#close} may come from any thread once the writer has stopped. False (default):
     *                     any number of threads may append.
     * @return this.
     */
    public WalConfig singleWriter(final boolean singleWriter)
    {
        this.singleWriter = singleWriter;
        return this;
    }

    /**
     * @return true to open an existing WAL for reading only (no lock taken: another process may be writing it).
     */
    public boolean readOnly()
    {
        return readOnly;
    }

    /**
     * @param readOnly true to open an existing WAL for reading only.
     * @return this.
     */
    public WalConfig readOnly(final boolean readOnly)
    {
        this.readOnly = readOnly;
        return this;
    }

    /**
     * @return the offset the first entry of an empty WAL gets from {@link Wal#append}.
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * @param firstOffset the offset the first entry of an empty WAL gets from {@link Wal#append}.
     * @return this.
     */
    public WalConfig firstOffset(final long firstOffset)
    {
        this.firstOffset = firstOffset;
        return this;
    }

    /**
     * @return the chained checksum the first entry of an empty WAL folds in ({@link Chain}).
     */
    public int firstChain()
    {
        return firstChain;
    }

    /**
     * @param firstChain the chained checksum the first entry of an empty WAL folds in: {@link Chain#SEED} for a WAL
     *                   that starts at offset 0; the chain a snapshot carries for one that starts at the snapshot's
     *                   offset.
     * @return this.
     */
    public WalConfig firstChain(final int firstChain)
    {
        this.firstChain = firstChain;
        return this;
    }

    /**
     * @return the clock stamping appended entries, nanoseconds since the epoch.
     */
    public LongSupplier clockNs()
    {
        return clockNs;
    }

    /**
     * @param clockNs the clock stamping appended entries, nanoseconds since the epoch.
     * @return this.
     */
    public WalConfig clockNs(final LongSupplier clockNs)
    {
        this.clockNs = clockNs;
        return this;
    }

    /**
     * @return the clock that decides which roll cycle an append falls in (the system clock unless a test sets one).
     */
    public TimeProvider cycleClock()
    {
        return cycleClock;
    }

    /**
     * @param cycleClock the clock that decides which roll cycle an append falls in; tests set one to roll files
     *                   without waiting.
     * @return this.
     */
    public WalConfig cycleClock(final TimeProvider cycleClock)
    {
        this.cycleClock = cycleClock;
        return this;
    }

    /**
     * A full copy of every setting, not yet concluded: e.g. to reopen a WAL with the same settings and one changed.
     * A setting added to this class must be added here too ({@code WalConfigTest} fails otherwise).
     *
     * @return a new config with the same settings.
     */
    public WalConfig copy()
    {
        final WalConfig copy = new WalConfig();
        copy.directory = directory;
        copy.rollCycle = rollCycle;
        copy.syncPolicy = syncPolicy;
        copy.syncIntervalNs = syncIntervalNs;
        copy.maxPayloadBytes = maxPayloadBytes;
        copy.minFreeBytes = minFreeBytes;
        copy.readOnly = readOnly;
        copy.readAround = readAround;
        copy.releaseCache = releaseCache;
        copy.singleWriter = singleWriter;
        copy.firstOffset = firstOffset;
        copy.firstChain = firstChain;
        copy.clockNs = clockNs;
        copy.cycleClock = cycleClock;
        return copy;
    }

    /**
     * Validate and fill defaults; called by {@link Wal#open(WalConfig)}.
     *
     * @return this.
     * @throws WalException (CONFIGURATION) naming the setting that is wrong.
     */
    public WalConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (directory == null)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WalConfig.directory is not set");
        }
        if (rollCycle == null)
        {
            rollCycle = parseRollCycle(System.getProperty(ROLL_CYCLE_PROP_NAME, ROLL_CYCLE_DEFAULT));
        }
        if (syncPolicy == null)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WalConfig.syncPolicy is null");
        }
        if (syncPolicy == SyncPolicy.INTERVAL && syncIntervalNs <= 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION,
                "WalConfig.syncIntervalNs must be > 0 with SyncPolicy.INTERVAL, was " + syncIntervalNs);
        }
        if (maxPayloadBytes < 0 || maxPayloadBytes > MAX_PAYLOAD_BYTES_LIMIT)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WalConfig.maxPayloadBytes (" + MAX_PAYLOAD_BYTES_PROP_NAME +
                ") must be in [0, " + MAX_PAYLOAD_BYTES_LIMIT + "], was " + maxPayloadBytes);
        }
        if (minFreeBytes < 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WalConfig.minFreeBytes (" + MIN_FREE_BYTES_PROP_NAME +
                ") must be >= 0, was " + minFreeBytes);
        }
        if (firstOffset < 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WalConfig.firstOffset must be >= 0, was " + firstOffset);
        }
        if (cycleClock == null)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WalConfig.cycleClock is null");
        }
        if (clockNs == null)
        {
            clockNs = new EpochNanoClock();
        }
        concluded = true;
        return this;
    }

    /**
     * @param name a {@link RollCycles} constant name, case-insensitive.
     * @return the roll cycle.
     * @throws WalException (CONFIGURATION) naming the valid choices if the name is unknown.
     */
    public static RollCycle parseRollCycle(final String name)
    {
        final String wanted = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        final StringBuilder names = new StringBuilder();
        for (final Class<? extends Enum<?>> family : ROLL_CYCLE_FAMILIES)
        {
            for (final Enum<?> cycle : family.getEnumConstants())
            {
                if (cycle.name().equals(wanted))
                {
                    return (RollCycle)cycle;
                }
                names.append(names.isEmpty() ? "" : ", ").append(cycle.name());
            }
        }
        throw new WalException(ErrorCode.CONFIGURATION, "unknown roll cycle '" + name + "'; one of: " + names);
    }

    /**
     * Wall-clock nanoseconds anchored once to {@link System#currentTimeMillis()} and advanced by
     * {@link System#nanoTime()}: cheap, monotonic within the process, comparable across hosts to NTP accuracy.
     */
    static final class EpochNanoClock implements LongSupplier
    {
        private final long offsetNs = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();

        @Override
        public long getAsLong()
        {
            return offsetNs + System.nanoTime();
        }
    }
}
