package dev.ferry.wal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppendLockTest
{
    private long counter; // plain on purpose: only the lock keeps the increments whole
    private long inside;

    @Test
    void shouldLetOneThreadAtATimeIn() throws Exception
    {
        final AppendLock lock = new AppendLock();
        final int threads = 4;
        final int perThread = 200_000;
        final AtomicBoolean overlapped = new AtomicBoolean();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            workers.add(Thread.ofPlatform().start(() ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    lock.lock();
                    try
                    {
                        if (++inside != 1)
                        {
                            overlapped.set(true);
                        }
                        counter++;
                        inside--;
                    }
                    finally
                    {
                        lock.unlock();
                    }
                }
            }));
        }
        for (final Thread worker : workers)
        {
            worker.join(60_000);
            assertFalse(worker.isAlive());
        }
        assertFalse(overlapped.get(), "two threads held the lock at once");
        assertEquals((long)threads * perThread, counter);
        assertFalse(lock.isLocked());
    }

    @Test
    void shouldMakeAWaiterWaitUntilReleasedEvenIfInterrupted() throws Exception
    {
        final AppendLock lock = new AppendLock();
        lock.lock();
        final CountDownLatch waiting = new CountDownLatch(1);
        final AtomicBoolean got = new AtomicBoolean();
        final AtomicBoolean stillInterrupted = new AtomicBoolean();
        final Thread waiter = Thread.ofPlatform().start(() ->
        {
            waiting.countDown();
            lock.lock();
            got.set(true);
            stillInterrupted.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        waiter.interrupt();
        waiter.join(200); // a bounded look: the waiter must still be waiting (it naps, yields or spins)
        assertFalse(got.get(), "took a lock that was held");
        assertTrue(waiter.isAlive());
        lock.unlock();
        waiter.join(10_000);
        assertFalse(waiter.isAlive());
        assertTrue(got.get());
        assertTrue(stillInterrupted.get(), "the interrupt is left for the caller");
    }
}
