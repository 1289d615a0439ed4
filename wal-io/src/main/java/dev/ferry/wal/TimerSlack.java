package dev.ferry.wal;

import dev.ferry.error.ErrorCode;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's timer slack ({@code prctl(PR_SET_TIMERSLACK)}, Linux), through Panama.
 * <p>
 * Why: Linux lets a timed sleep of a normal thread end up to 50 µs late (the default slack), so
 * {@code LockSupport.parkNanos(10_000)} sleeps about 60 µs. Measured here, a load generator pacing 100k entries/s
 * with parkNanos ran 56 µs late at p50 and 2.2 ms at p99, and a park-based idle strategy waited 50 µs where it asked
 * for 1 µs. Threads that park for microseconds (Ferry's sender and receiver, a paced loader) set a small slack; a
 * thread that must not burn power keeps the default.
 * <p>
 * Best effort: on other systems, or without native access, {@link #set(long)} returns false and changes nothing.
 */
public final class TimerSlack
{
    /** The slack Ferry's own threads ask for: 1 µs. */
    public static final long FERRY_THREADS_NS = 1_000;

    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    private static final MethodHandle PRCTL = lookup();

    private TimerSlack()
    {
    }

    /**
     * Set the calling thread's timer slack.
     *
     * @param slackNs the slack in nanoseconds, positive (0 would mean "the process default").
     * @return true if the kernel took it.
     */
    public static boolean set(final long slackNs)
    {
        if (slackNs <= 0)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "timer slack must be > 0 ns, was " + slackNs);
        }
        if (PRCTL == null)
        {
            return false;
        }
        try
        {
            return (int)PRCTL.invokeExact(PR_SET_TIMERSLACK, slackNs, 0L, 0L, 0L) == 0;
        }
        catch (final Throwable ex)
        {
            return false; // tuning only: the thread keeps the default slack
        }
    }

    /**
     * @return the calling thread's timer slack in nanoseconds, or -1 where it cannot be read.
     */
    public static long get()
    {
        if (PRCTL == null)
        {
            return -1;
        }
        try
        {
            final int slack = (int)PRCTL.invokeExact(PR_GET_TIMERSLACK, 0L, 0L, 0L, 0L);
            return slack < 0 ? -1 : slack;
        }
        catch (final Throwable ex)
        {
            return -1;
        }
    }

    private static MethodHandle lookup()
    {
        // int prctl(int option, unsigned long arg2, arg3, arg4, arg5): variadic after the first; all four passed
        return LinuxCalls.find("prctl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    }
}
