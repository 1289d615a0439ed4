package dev.ferry.wal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cycle clock never goes below its floor, and in sharing mode hands the appending thread the reading Chronicle
 * made for it, and only that thread's.
 */
class MonotonicCycleClockTest
{
    private static final long NOW_NS = 1_800_000_000_123_456_789L;

    @Test
    void shouldHandTheAppendingThreadTheReadingThatPickedTheCycle()
    {
        final AtomicLong reads = new AtomicLong();
        final MonotonicCycleClock clock = MonotonicCycleClock.sharing(() -> NOW_NS + reads.incrementAndGet());
        assertTrue(clock.shares());
        clock.capture(Thread.currentThread());
        assertEquals((NOW_NS + 1) / 1_000_000, clock.currentTimeMillis(), "the entry clock's milliseconds");
        assertEquals(NOW_NS + 1, clock.release(), "the very reading Chronicle made");
        assertEquals(1, reads.get(), "one read for both");
        assertEquals(Long.MIN_VALUE, clock.release(), "released: nothing kept any more");
    }

    @Test
    void shouldNotHandOverAReadingMadeByAnotherThread() throws InterruptedException
    {
        final MonotonicCycleClock clock = MonotonicCycleClock.sharing(() -> NOW_NS);
        clock.capture(Thread.currentThread());
        final Thread tailer = Thread.ofPlatform().start(clock::currentTimeMillis);
        tailer.join();
        assertEquals(Long.MIN_VALUE, clock.release(), "a tailer's reading is not this append's");
        clock.capture(Thread.currentThread());
        assertEquals(Long.MIN_VALUE, clock.release(), "no reading since capture: the append reads the clock itself");
    }

    @Test
    void shouldNeverGoBelowTheFloorInEitherMode()
    {
        final long floor = NOW_NS / 1_000_000 + 60_000;
        final MonotonicCycleClock shared = MonotonicCycleClock.sharing(() -> NOW_NS);
        final SetTimeProvider time = new SetTimeProvider(NOW_NS);
        final MonotonicCycleClock own = new MonotonicCycleClock(time);
        assertFalse(own.shares());
        for (final MonotonicCycleClock clock : new MonotonicCycleClock[] {shared, own})
        {
            assertEquals(NOW_NS / 1_000_000, clock.currentTimeMillis());
            clock.floorMillis(floor);
            assertEquals(floor, clock.currentTimeMillis());
            assertEquals(floor * 1_000, clock.currentTimeMicros());
            assertEquals(floor * 1_000_000, clock.currentTimeNanos());
        }
    }
}
