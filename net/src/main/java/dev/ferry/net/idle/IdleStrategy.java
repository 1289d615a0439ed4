package dev.ferry.net.idle;

/**
 * What a duty-cycle thread does when a pass found no work, as in Agrona: call {@link #idle(int)} after every pass with
 * the work done; any work resets the strategy, none lets it back off.
 * <pre>{@code
 * while (running)
 * {
 *     idle.idle(agent.doWork());
 * }
 * }</pre>
 * CPU cost on an idle link, which matters on small machines:
 * <ul>
 *   <li>{@link BusySpinIdleStrategy} ({@code busy-spin}) burns a whole core, always: lowest latency, but on a 2-core
 *   machine busy-spinning on both ends of a link (or two spinning agents) starves everything else, the JIT and GC
 *   threads included.</li>
 *   <li>{@link YieldingIdleStrategy} ({@code yield}) also shows as a whole core busy; it only gives way when another
 *   thread is runnable.</li>
 *   <li>{@link BackoffIdleStrategy} ({@code backoff}) spins and yields for a few passes, then parks with growing
 *   periods: near busy-spin latency under load, close to nothing when idle. The default.</li>
 *   <li>{@link SleepingIdleStrategy} ({@code park}) parks for a fixed period on every idle pass: cheapest, adds up to
 *   that period (plus the OS timer slack, about 50 µs on Linux) of latency.</li>
 * </ul>
 * How the two parking strategies wait is a {@link Parker}: by default they sleep the period out; Ferry's sender and
 * receiver threads give them a {@link dev.ferry.net.SelectorParker}, which blocks until a socket is readable or an
 * append rings, and set a 1 µs timer slack, so a parked Ferry thread wakes when work arrives, not when a period ends.
 * Implementations are single-threaded: one instance per thread.
 */
public interface IdleStrategy
{
    /**
     * Idles if {@code workCount} is zero, resets the strategy otherwise.
     *
     * @param workCount the work the last duty cycle did.
     */
    void idle(int workCount);

    /**
     * Returns to the first, most eager, step of the strategy.
     */
    void reset();

    /**
     * @return the name {@link IdleStrategies#parse(String)} knows this strategy by.
     */
    String alias();
}
