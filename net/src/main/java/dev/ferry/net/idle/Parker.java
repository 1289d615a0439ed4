package dev.ferry.net.idle;

import java.util.concurrent.locks.LockSupport;

/**
 * How a parking idle strategy waits once it has decided to: for at most a period, and possibly less if something
 * it waits for happens first. {@link #TIMED} sleeps the whole period; a {@link dev.ferry.net.SelectorParker} blocks
 * in the kernel until a socket is readable or an append rings, which is how Ferry's threads get ping-pong-like
 * wake-ups without spinning.
 */
@FunctionalInterface
public interface Parker
{
    /** Sleeps the period out: {@link LockSupport#parkNanos(long)}. */
    Parker TIMED = LockSupport::parkNanos;

    /**
     * Wait for at most about {@code periodNs}; may return early.
     *
     * @param periodNs the longest the caller wants to wait, positive.
     */
    void park(long periodNs);
}
