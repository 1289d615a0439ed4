package dev.ferry.engine.serve;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background audit's pace as a pure function of a fake clock: over any stretch it grants at most one burst plus
 * the rate times the time, however often and for however much it is asked, and it does grant about that much.
 */
class AuditPacerTest
{
    private static final long SECOND = 1_000_000_000L;

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 100, 4096, 10_000, 1_000_000})
    void shouldNeverGrantMoreThanABurstPlusTheRate(final long rate)
    {
        final SplittableRandom random = new SplittableRandom(rate);
        long now = 5 * SECOND;
        final AuditPacer pacer = new AuditPacer(rate, now);
        final long start = now;
        long granted = 0;
        for (int i = 0; i < 200_000; i++)
        {
            now += random.nextLong(1, 200_000); // duty cycles 1 ns to 200 us apart: 10 s in all, about
            granted += pacer.grant(now, random.nextLong(1, 100_000));
            final long allowed = pacer.burst() + rate * (now - start) / SECOND;
            assertTrue(granted <= allowed, "granted " + granted + " > " + allowed + " after " + (now - start) + " ns");
        }
        final long elapsedRate = rate * (now - start) / SECOND;
        // what passes the full bucket between two calls is lost (1-2% at 1M/s with calls ~100 us apart): never more
        assertTrue(granted >= elapsedRate * 95 / 100 - 2 * pacer.burst(),
            "granted " + granted + " of " + elapsedRate + ": the pace is kept, not starved");
    }

    @Test
    void shouldGrantWholeRangesOnly()
    {
        final AuditPacer pacer = new AuditPacer(10_000, 0);
        assertEquals(4096, pacer.burst());
        assertEquals(4096, pacer.grant(0, 1_000_000), "starts full");
        assertEquals(0, pacer.grant(1_000_000, 1_000_000), "1 ms later: 10 entries, not a range");
        assertEquals(10, pacer.grant(1_000_000, 10), "but a range of 10 is all there is to ask");
        assertEquals(0, pacer.grant(400_000_000, 4096));
        assertEquals(0, pacer.grant(410_000_000, 4096), "4096 entries take 409.6 ms at 10,000 a second");
        assertEquals(4096, pacer.grant(411_000_000, 4096));
    }

    @Test
    void shouldKeepFractionsOfAnEntry()
    {
        final AuditPacer pacer = new AuditPacer(3, 0); // a burst of 3
        assertEquals(3, pacer.grant(0, 3));
        long granted = 0;
        for (long now = 1; now <= 10 * SECOND; now += SECOND / 7)
        {
            granted += pacer.grant(now, 1);
        }
        assertEquals(30, granted, 1, "3 a second over 10 s, in steps of 1/7 s");
    }

    @Test
    void shouldRefuseARateBelowOne()
    {
        assertThrows(IllegalArgumentException.class, () -> new AuditPacer(0, 0));
    }

    @Test
    void shouldNotOverflowAtHugeRatesOrLongPauses()
    {
        final AuditPacer pacer = new AuditPacer(Long.MAX_VALUE, 0);
        assertEquals(4096, pacer.grant(0, Long.MAX_VALUE));
        assertEquals(4096, pacer.grant(Long.MAX_VALUE / 2, Long.MAX_VALUE));
        assertEquals(0, pacer.grant(Long.MAX_VALUE / 2, 1));
    }
}
