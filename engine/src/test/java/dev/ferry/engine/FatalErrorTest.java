package dev.ferry.engine;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No Ferry thread dies silently: an Error on a duty cycle (a bug, a SIGBUS turned InternalError, an exhausted stack)
 * is reported and fails its component loudly, so an application never keeps appending while replication has stopped.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FatalErrorTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldFailAppendsOnceThePrimarysSenderThreadDied()
    {
        final List<String> log = new CopyOnWriteArrayList<>();
        final Primary primary = fixture.primary(fixture.primaryConfig().eventLog(log::add)
            .ackListener((replicaId, received, durable, applied, nowNs) ->
            {
                if (received > 0)
                {
                    throw new AssertionError("a bug on the sender thread");
                }
            }));
        fixture.replica("r1", primary.localAddress());
        primary.append(new byte[16]);
        await("the sender's failure to reach append", WAIT, () ->
        {
            try
            {
                primary.append(new byte[16]);
                return false;
            }
            catch (final FerryException ex)
            {
                assertEquals(ErrorCode.INTERNAL, ex.code(), ex.getMessage());
                assertTrue(ex.getMessage().contains("a bug on the sender thread"), ex.getMessage());
                return true;
            }
        });
        assertTrue(log.stream().anyMatch(l -> l.contains("a bug on the sender thread")), log.toString());
        final FerryException again = assertThrows(FerryException.class, () -> primary.append(new byte[16]));
        assertEquals(ErrorCode.INTERNAL, again.code());
    }

    @Test
    void shouldStopAReplicaWithAnInternalErrorWhenItsThreadMeetsAnError()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        primary.append(new byte[16]);
        final List<ReplicaState> seen = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .listener((from, to, error) ->
            {
                seen.add(to);
                if (to == ReplicaState.STREAMING)
                {
                    throw new AssertionError("a bug on the replica's thread");
                }
            })));
        await("the replica to stop", WAIT, () -> seen.contains(ReplicaState.STREAMING) &&
            replica.state() == ReplicaState.STOPPED);
        assertEquals(ErrorCode.INTERNAL, replica.lastError().code());
        assertTrue(replica.lastError().getMessage().contains("a bug on the replica's thread"),
            replica.lastError().getMessage());
    }
}
