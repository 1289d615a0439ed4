package dev.ferry.engine.agent;

import dev.ferry.net.SelectorParker;
import dev.ferry.net.idle.IdleStrategies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop asked while the duty cycle runs, after the runner checked it is still running and before it parks, must still
 * end the park at once. It did not: the stop's wake-up woke only a thread already parked (the flag an append's
 * wake-up relies on), so a runner whose park blocks long (a primary with a long idle block) slept through its stop,
 * and its thread, WAL and socket outlived {@code close()} (seen as a leak in {@code ReplicationTest} under load).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentRunnerStopTest
{
    @Test
    void shouldEndAParkThatBeginsRightAfterTheStop() throws Exception
    {
        final SelectorParker parker = new SelectorParker(() -> true, TimeUnit.HOURS.toMillis(1));
        final CountDownLatch stopAsked = new CountDownLatch(1);
        final CountDownLatch inDuty = new CountDownLatch(1);
        final Agent agent = new Agent()
        {
            @Override
            public int doWork(final long nowNs)
            {
                inDuty.countDown();
                try
                {
                    stopAsked.await(); // the runner checked `running` before this cycle: the stop comes meanwhile
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                return 0; // nothing done: the runner parks next, for up to an hour
            }

            @Override
            public String roleName()
            {
                return "stop-test";
            }

            @Override
            public void close()
            {
                // nothing held
            }
        };
        final AgentRunner runner = new AgentRunner(agent, IdleStrategies.parse("park", parker),
            AgentRunner.daemon("ferry-stop-test"), () ->
            {
                parker.wakeupNow();
                stopAsked.countDown();
            }, message -> { }, parker::close, error -> { });
        runner.start();
        inDuty.await();
        assertTrue(runner.stop(), "the runner's thread ended within the stop's wait, not after its hour-long park");
    }
}
