package dev.ferry.net.idle;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

/**
 * Makes an {@link IdleStrategy} from its name, as given in configuration or on the command line
 * ({@code --idle backoff}).
 * <ul>
 *   <li>{@code busy-spin}: {@link BusySpinIdleStrategy}, burns a whole core;</li>
 *   <li>{@code yield}: {@link YieldingIdleStrategy}, burns a whole core unless others want it;</li>
 *   <li>{@code backoff}: {@link BackoffIdleStrategy} with its defaults, the default;</li>
 *   <li>{@code park}: {@link SleepingIdleStrategy} with its default period.</li>
 * </ul>
 */
public final class IdleStrategies
{
    /** The name of the default strategy. */
    public static final String DEFAULT = BackoffIdleStrategy.ALIAS;
    /** The valid names, for messages. */
    public static final String VALID_NAMES = BusySpinIdleStrategy.ALIAS + ", " + YieldingIdleStrategy.ALIAS + ", " +
        BackoffIdleStrategy.ALIAS + ", " + SleepingIdleStrategy.ALIAS;

    private IdleStrategies()
    {
    }

    /**
     * Creates a new strategy (one per thread) from its name, ignoring case and surrounding spaces.
     *
     * @param name {@code busy-spin}, {@code yield}, {@code backoff} or {@code park}.
     * @return a new strategy with default parameters.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} listing the valid names if the name is unknown.
     */
    public static IdleStrategy parse(final String name)
    {
        return parse(name, Parker.TIMED);
    }

    /**
     * {@link #parse(String)} with the way the parking strategies ({@code backoff}, {@code park}) wait.
     *
     * @param name   {@code busy-spin}, {@code yield}, {@code backoff} or {@code park}.
     * @param parker how {@code backoff} and {@code park} wait once they park.
     * @return a new strategy with default parameters.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} listing the valid names if the name is unknown.
     */
    public static IdleStrategy parse(final String name, final Parker parker)
    {
        final String trimmed = null == name ? "" : name.trim();
        if (BusySpinIdleStrategy.ALIAS.equalsIgnoreCase(trimmed))
        {
            return new BusySpinIdleStrategy();
        }
        if (YieldingIdleStrategy.ALIAS.equalsIgnoreCase(trimmed))
        {
            return new YieldingIdleStrategy();
        }
        if (BackoffIdleStrategy.ALIAS.equalsIgnoreCase(trimmed))
        {
            return new BackoffIdleStrategy(BackoffIdleStrategy.DEFAULT_MAX_SPINS, BackoffIdleStrategy.DEFAULT_MAX_YIELDS,
                BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS, BackoffIdleStrategy.DEFAULT_MAX_PARK_PERIOD_NS, parker);
        }
        if (SleepingIdleStrategy.ALIAS.equalsIgnoreCase(trimmed))
        {
            return new SleepingIdleStrategy(SleepingIdleStrategy.DEFAULT_PARK_NS, parker);
        }
        throw new FerryException(
            ErrorCode.CONFIGURATION, "unknown idle strategy '" + name + "': valid names are " + VALID_NAMES);
    }
}
