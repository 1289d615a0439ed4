package dev.ferry.engine;

import dev.ferry.engine.agent.AgentInvoker;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.ferry.engine.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An application that owns its threads: Ferry's duty cycles run from the application's own loop (invokers), or on
 * threads its factory makes.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddingTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldReplicateWithBothDutyCyclesRunFromTheApplicationsOwnLoop()
    {
        final Set<Thread> before = ferryThreads();
        final Primary primary = fixture.primary(fixture.primaryConfig().useInvoker(true));
        final Replica replica = fixture.track(
            Replica.start(fixture.replicaConfig("r1", primary.localAddress()).useInvoker(true)));
        final AgentInvoker serving = primary.invoker();
        final AgentInvoker following = replica.invoker();
        for (int i = 0; i < 1_000; i++)
        {
            primary.append(("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replica.receivedOffset() < 1_000 || primary.status().replicas().isEmpty() ||
            primary.status().replicas().getFirst().durable() < 1_000)
        {
            if (System.nanoTime() > deadline)
            {
                fail("not replicated from the application's loop: replica at " + replica.receivedOffset() + ", state " +
                    replica.state() + ", last error " + replica.lastError());
            }
            final int work = serving.invoke() + following.invoke();
            if (work == 0)
            {
                Thread.onSpinWait();
            }
        }
        assertEquals(ReplicaState.STREAMING, replica.state());
        assertEquals(before, ferryThreads(), "no thread of Ferry's was started");
        replica.stop();
        primary.close();
        assertEquals(ReplicaState.STOPPED, replica.state());
        assertEquals(digest(fixture.dir("primary")), digest(fixture.dir("r1")));
    }

    private static Set<Thread> ferryThreads()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ferry-")).collect(Collectors.toSet());
    }

    @Test
    void shouldRunTheDutyCyclesOnThreadsTheApplicationsFactoryMakes() throws InterruptedException
    {
        final List<String> made = new CopyOnWriteArrayList<>();
        final ThreadFactory factory = runnable ->
        {
            final Thread thread = Thread.ofPlatform().name("app-" + made.size()).daemon(true).unstarted(runnable);
            made.add(thread.getName());
            return thread;
        };
        final Primary primary = fixture.primary(fixture.primaryConfig().threadFactory(factory));
        final Replica replica = fixture.track(
            Replica.start(fixture.replicaConfig("r1", primary.localAddress()).threadFactory(factory)));
        final long offset = primary.append("one".getBytes(StandardCharsets.UTF_8));
        assertTrue(primary.awaitReplicated(offset, 1, AckLevel.DURABLE, Duration.ofSeconds(60)));
        assertEquals(List.of("app-0", "app-1"), made);
        replica.stop();
        primary.close();
    }

    @Test
    void shouldSayHowToGetAnInvokerWhenANodeRunsOnItsOwnThread()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, primary::invoker).code());
        final Replica replica = fixture.replica("r1", primary.localAddress());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, replica::invoker).code());
    }
}
