package dev.ferry.net.idle;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.idle.BackoffIdleStrategy.State;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The back-off steps, observed through {@link BackoffIdleStrategy#state()} and
 * {@link BackoffIdleStrategy#parkPeriodNs()}, never through timing.
 */
class BackoffIdleStrategyTest
{
    @Test
    void shouldSpinThenYieldThenPark()
    {
        final BackoffIdleStrategy strategy = new BackoffIdleStrategy(2, 3, 1, 8);
        assertEquals(State.NOT_IDLE, strategy.state());

        strategy.idle(0);
        assertEquals(State.SPINNING, strategy.state());
        strategy.idle(0);
        assertEquals(State.SPINNING, strategy.state());

        for (int i = 0; i < 3; i++)
        {
            strategy.idle(0);
            assertEquals(State.YIELDING, strategy.state());
        }

        strategy.idle(0);
        assertEquals(State.PARKING, strategy.state());
    }

    @Test
    void shouldDoubleTheParkPeriodUpToTheMaximum()
    {
        final BackoffIdleStrategy strategy = new BackoffIdleStrategy(0, 0, 1, 5);
        assertEquals(1, strategy.parkPeriodNs());
        final long[] expectedAfter = {2, 4, 5, 5};
        for (final long expected : expectedAfter)
        {
            strategy.idle(0);
            assertEquals(State.PARKING, strategy.state());
            assertEquals(expected, strategy.parkPeriodNs());
        }
    }

    @Test
    void shouldReachParkingWithDefaultsAndResetToSpinning()
    {
        final BackoffIdleStrategy strategy = new BackoffIdleStrategy();
        final long passesBeforeParking = strategy.maxSpins() + strategy.maxYields();
        for (long i = 0; i < passesBeforeParking; i++)
        {
            strategy.idle(0);
        }
        assertEquals(State.YIELDING, strategy.state());
        strategy.idle(0);
        assertEquals(State.PARKING, strategy.state());
        assertEquals(2 * BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS, strategy.parkPeriodNs());

        strategy.reset();
        assertEquals(State.NOT_IDLE, strategy.state());
        assertEquals(BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS, strategy.parkPeriodNs());
        strategy.idle(0);
        assertEquals(State.SPINNING, strategy.state());
    }

    @Test
    void shouldResetOnWork()
    {
        final BackoffIdleStrategy strategy = new BackoffIdleStrategy(0, 0, 1, 1);
        strategy.idle(0);
        assertEquals(State.PARKING, strategy.state());
        strategy.idle(1);
        assertEquals(State.NOT_IDLE, strategy.state());
        strategy.idle(0);
        assertEquals(State.PARKING, strategy.state());
    }

    @Test
    void shouldRejectBadParameters()
    {
        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(FerryException.class, () -> new BackoffIdleStrategy(-1, 0, 1, 1)).code());
        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(FerryException.class, () -> new BackoffIdleStrategy(0, -1, 1, 1)).code());
        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(FerryException.class, () -> new BackoffIdleStrategy(0, 0, 0, 1)).code());
        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(FerryException.class, () -> new BackoffIdleStrategy(0, 0, 2, 1)).code());
    }
}
