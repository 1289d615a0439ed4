package dev.ferry.engine.serve;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The time-to-eviction estimator as a pure function, on synthetic rates.
 */
class EvictionTest
{
    private static final long MB = 1 << 20;

    @Test
    void shouldDivideTheRoomLeftByTheLagsGrowth()
    {
        assertEquals(10_000, Eviction.millisToEviction(0, 10 * MB, MB), "10 MB of room at 1 MB/s: 10 s");
        assertEquals(2_500, Eviction.millisToEviction(5 * MB, 10 * MB, 2 * MB), "5 MB left at 2 MB/s: 2.5 s");
        assertEquals(1, Eviction.millisToEviction(10 * MB - 1, 10 * MB, 1e12), "at least 1 ms while at risk");
    }

    @Test
    void shouldSayNotAtRiskWithoutACapOrWhileItKeepsUp()
    {
        assertEquals(0, Eviction.millisToEviction(5 * MB, 0, MB), "no cap: never given up");
        assertEquals(0, Eviction.millisToEviction(5 * MB, 10 * MB, 0), "not falling behind");
        assertEquals(0, Eviction.millisToEviction(5 * MB, 10 * MB, -MB), "catching up");
        assertEquals(0, Eviction.millisToEviction(5 * MB, 10 * MB, Double.NaN), "no rate measured yet");
    }

    @Test
    void shouldSayPastTheCapAsOneMillisecond()
    {
        assertEquals(1, Eviction.millisToEviction(10 * MB, 10 * MB, 0));
        assertEquals(1, Eviction.millisToEviction(11 * MB, 10 * MB, MB));
    }

    @Test
    void shouldNeverOverflow()
    {
        assertEquals(Long.MAX_VALUE, Eviction.millisToEviction(0, Long.MAX_VALUE, 1e-9));
    }

    @Test
    void shouldAverageTheGrowthOfTheLag()
    {
        final double first = Eviction.growth(Double.NaN, MB, 1_000_000_000L);
        assertEquals(MB, first, 1e-6, "the first sample is the rate");
        final double steady = Eviction.growth(first, MB, 1_000_000_000L);
        assertEquals(MB, steady, 1e-6, "a steady rate stays");
        final double slower = Eviction.growth(steady, 0, 1_000_000_000L);
        assertTrue(slower < MB && slower > 0, "a pause pulls the average down, not to zero at once: " + slower);
        assertEquals(steady, Eviction.growth(steady, MB, 0), 0, "no time passed: unchanged");
    }
}
