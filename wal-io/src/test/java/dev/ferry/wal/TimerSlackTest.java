package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The calling thread's timer slack, as the kernel reports it back.
 */
class TimerSlackTest
{
    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldSetTheCallingThreadsSlack() throws Exception
    {
        final long[] seen = new long[2];
        final Thread thread = Thread.ofPlatform().start(() ->
        {
            if (TimerSlack.set(12_345))
            {
                seen[0] = TimerSlack.get();
            }
            if (TimerSlack.set(TimerSlack.FERRY_THREADS_NS))
            {
                seen[1] = TimerSlack.get();
            }
        });
        thread.join();
        assertEquals(12_345, seen[0], "PR_GET_TIMERSLACK after PR_SET_TIMERSLACK");
        assertEquals(TimerSlack.FERRY_THREADS_NS, seen[1]);
    }

    @Test
    void shouldRejectANonPositiveSlack()
    {
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(WalException.class, () -> TimerSlack.set(0)).code());
    }
}
