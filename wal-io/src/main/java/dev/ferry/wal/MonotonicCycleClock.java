package dev.ferry.wal;

import net.openhft.chronicle.core.time.TimeProvider;

import java.util.concurrent.TimeUnit;

/**
 * The clock Chronicle picks roll cycles with, never earlier than the start of the newest cycle the WAL already has.
 * If the wall clock steps backwards (NTP, a restored VM, a restart on a host whose clock is behind), appends go on
 * into the newest cycle instead of an older one, where readers positioned at the end would never find them.
 */
final class MonotonicCycleClock implements TimeProvider
{
    private final TimeProvider delegate;
    private volatile long floorMillis = Long.MIN_VALUE;

    MonotonicCycleClock(final TimeProvider delegate)
    {
        this.delegate = delegate;
    }

    void floorMillis(final long floorMillis)
    {
        this.floorMillis = floorMillis;
    }

    @Override
    public long currentTimeMillis()
    {
        return Math.max(delegate.currentTimeMillis(), floorMillis);
    }

    @Override
    public long currentTimeMicros()
    {
        final long floor = floorMillis;
        final long micros = delegate.currentTimeMicros();
        return floor == Long.MIN_VALUE ? micros : Math.max(micros, TimeUnit.MILLISECONDS.toMicros(floor));
    }

    @Override
    public long currentTimeNanos()
    {
        final long floor = floorMillis;
        final long nanos = delegate.currentTimeNanos();
        return floor == Long.MIN_VALUE ? nanos : Math.max(nanos, TimeUnit.MILLISECONDS.toNanos(floor));
    }
}
