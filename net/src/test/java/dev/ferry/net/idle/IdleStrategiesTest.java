package dev.ferry.net.idle;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle strategies by name.
 */
class IdleStrategiesTest
{
    @Test
    void shouldParseEveryName()
    {
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.parse("busy-spin"));
        assertInstanceOf(YieldingIdleStrategy.class, IdleStrategies.parse("yield"));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.parse("backoff"));
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategies.parse("park"));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.parse(IdleStrategies.DEFAULT));
    }

    @Test
    void shouldParseIgnoringCaseAndSpaces()
    {
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.parse(" Busy-Spin "));
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategies.parse("PARK\n"));
    }

    @Test
    void shouldRoundTripAliases()
    {
        for (final String name : new String[] {"busy-spin", "yield", "backoff", "park"})
        {
            assertEquals(name, IdleStrategies.parse(name).alias());
        }
    }

    @Test
    void shouldCreateANewInstanceEachTime()
    {
        assertNotSame(IdleStrategies.parse("backoff"), IdleStrategies.parse("backoff"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "spin", "busy_spin", "sleep", "backoff:1ms", "noop"})
    void shouldRejectUnknownNameListingValidOnes(final String name)
    {
        final FerryException ex = assertThrows(FerryException.class, () -> IdleStrategies.parse(name));
        assertEquals(ErrorCode.CONFIGURATION, ex.code());
        for (final String valid : new String[] {"busy-spin", "yield", "backoff", "park"})
        {
            assertTrue(ex.getMessage().contains(valid), ex.getMessage());
        }
        assertTrue(ex.getMessage().contains("'" + name + "'"), ex.getMessage());
    }

    @Test
    void shouldRejectNullName()
    {
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> IdleStrategies.parse(null)).code());
    }

    @Test
    void shouldIdleWithoutBlockingForSimpleStrategies()
    {
        for (final IdleStrategy strategy : new IdleStrategy[] {
            new BusySpinIdleStrategy(), new YieldingIdleStrategy(), new SleepingIdleStrategy(1)})
        {
            strategy.idle(0);
            strategy.idle(1);
            strategy.reset();
        }
        assertEquals(1, new SleepingIdleStrategy(1).parkNs());
        assertEquals(
            ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> new SleepingIdleStrategy(0)).code());
    }
}
