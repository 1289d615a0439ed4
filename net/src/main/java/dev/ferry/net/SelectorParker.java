package dev.ferry.net;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.idle.Parker;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A {@link Parker} that blocks in the kernel ({@code epoll}) until one of its channels is readable or
 * {@link #wakeup()} is called, instead of sleeping a fixed period: a parked Ferry thread then wakes as soon as a
 * batch, an ack or an append arrives, the way a blocking ping-pong does, and burns no CPU meanwhile.
 * <p>
 * Measured on 2 cores at 100k entries/s: parking a fixed period adds up to that period at every hop (sender,
 * replica, ack), and spinning or yielding starves the application's own threads; see the README's benchmark section.
 * <p>
 * A park blocks for at least a millisecond (the selector's resolution) unless woken, so it only blocks when
 * {@code mayBlock} says nothing else needs the thread (e.g. no bytes waiting to be written, no append unsent);
 * otherwise it sleeps the period out like {@link Parker#TIMED}. {@code mayBlock} is checked after the thread has
 * announced it is going to sleep, and {@link #wakeup()} checks that announcement after the caller's own state
 * change: both are volatile, so an append cannot slip between the check and the block unnoticed.
 * <p>
 * One thread parks; any thread may call {@link #wakeup()}. Not a general selector: ready keys are cleared, the owner
 * polls its channels itself after waking.
 */
public final class SelectorParker implements Parker, AutoCloseable
{
    private static final VarHandle SLEEPING;

    static
    {
        try
        {
            SLEEPING = MethodHandles.lookup().findVarHandle(SelectorParker.class, "sleeping", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Selector selector;
    private final BooleanSupplier mayBlock;
    private final long blockMs;
    @SuppressWarnings("unused") // accessed through SLEEPING
    private volatile boolean sleeping;
    private long blocks;

    /**
     * @param mayBlock true when nothing but a channel becoming readable or a {@link #wakeup()} can give the thread work.
     * @param blockMs  the longest a park blocks, in ms (at least 1): the thread's housekeeping cadence when idle.
     * @throws FerryException CONNECTION if the selector cannot be opened.
     */
    public SelectorParker(final BooleanSupplier mayBlock, final long blockMs)
    {
        if (blockMs < 1)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "blockMs must be >= 1, was " + blockMs);
        }
        this.mayBlock = mayBlock;
        this.blockMs = blockMs;
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "cannot open a selector: " + ex, ex);
        }
    }

    /**
     * Wake the parker when {@code channel} becomes readable. Call from the parking thread. A closed channel's
     * registration goes away by itself.
     *
     * @param channel a non-blocking channel.
     * @throws FerryException CONNECTION if the channel is closed.
     */
    public void wakeOnRead(final SelectableChannel channel)
    {
        register(channel, SelectionKey.OP_READ);
    }

    /**
     * Wake the parker when {@code channel}'s non-blocking connect completes (or fails). Call from the parking thread;
     * once connected, {@link #wakeOnRead} replaces the interest.
     *
     * @param channel a non-blocking socket channel with a connect pending.
     * @throws FerryException CONNECTION if the channel is closed.
     */
    public void wakeOnConnect(final SelectableChannel channel)
    {
        register(channel, SelectionKey.OP_CONNECT);
    }

    /**
     * Release the registrations of channels closed since the last select. Call from the parking thread after closing
     * a watched channel: the JDK only really closes a registered socket once its key leaves the selector, which
     * otherwise waits for a select that a busy-spinning or always-busy thread never makes.
     */
    public void forgetClosed()
    {
        try
        {
            selector.selectNow();
            selector.selectedKeys().clear();
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "select failed: " + ex, ex);
        }
    }

    /**
     * Wake the parker when {@code server} has a connection to accept. Call from the parking thread.
     *
     * @param server a non-blocking server channel.
     * @throws FerryException CONNECTION if the channel is closed.
     */
    public void wakeOnAccept(final ServerSocketChannel server)
    {
        register(server, SelectionKey.OP_ACCEPT);
    }

    private void register(final SelectableChannel channel, final int ops)
    {
        try
        {
            channel.register(selector, ops);
        }
        catch (final ClosedChannelException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "cannot watch a closed channel", ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void park(final long periodNs)
    {
        SLEEPING.setVolatile(this, true);
        try
        {
            if (!mayBlock.getAsBoolean())
            {
                LockSupport.parkNanos(periodNs);
                return;
            }
            blocks++;
            selector.select(Math.max(blockMs, TimeUnit.NANOSECONDS.toMillis(periodNs)));
            selector.selectedKeys().clear();
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "select failed: " + ex, ex);
        }
        finally
        {
            SLEEPING.setVolatile(this, false);
        }
    }

    /**
     * Wake the parked thread if it is parked or about to park; nearly free (a volatile read) when it is not, and only
     * the first call per park makes a system call. Call after making the work visible (e.g. after an append).
     */
    public void wakeup()
    {
        // only the first caller per park pays for the wake-up (a write to the selector's eventfd)
        if ((boolean)SLEEPING.getVolatile(this) && SLEEPING.compareAndSet(this, true, false))
        {
            selector.wakeup();
        }
    }

    /**
     * End the current park, or the next one if the thread is not parked now (the selector's wake-up is kept until its
     * next select): for a stop, which must end a park that begins after it, not only one already begun. Always a system
     * call: not for the per-append path ({@link #wakeup()}).
     */
    public void wakeupNow()
    {
        selector.wakeup();
    }

    /**
     * Without blocking: has a watched channel become readable (or acceptable) since the last look? For a thread
     * that is about to spend a while on housekeeping (e.g. pre-touching pages) and would rather serve the peer first.
     * Costs one {@code epoll_wait} system call. Never throws: a selector that fails (or was closed) answers true, so
     * the owner goes back to its loop, whose own select or read reports the failure.
     *
     * @return true if a watched channel is ready, or the selector failed.
     */
    public boolean readyNow()
    {
        try
        {
            final boolean ready = selector.selectNow() > 0;
            selector.selectedKeys().clear();
            return ready;
        }
        catch (final IOException | ClosedSelectorException ex)
        {
            return true;
        }
    }

    /**
     * @return true while the owner is parked or about to park (until a {@link #wakeup()} or its return).
     */
    public boolean isParked()
    {
        return (boolean)SLEEPING.getVolatile(this);
    }

    /**
     * @return how many parks blocked in the selector (rather than sleeping the period out).
     */
    public long blocks()
    {
        return blocks;
    }

    /**
     * Close the selector (the channels stay open).
     */
    @Override
    public void close()
    {
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // nothing was registered that outlives the owner's channels
        }
    }
}
