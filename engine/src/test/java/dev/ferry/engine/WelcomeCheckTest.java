package dev.ferry.engine;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica checks what the WELCOME says before streaming (issue 15, finding 7): a primary whose frames can be larger
 * than the replica accepts made it fail on the first large batch and reconnect at the same offset forever; now it
 * stops at once with CONFIGURATION naming both limits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class WelcomeCheckTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldStopWithConfigurationWhenThePrimarysFramesAreLargerThanTheReplicaTakes()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig());
        primary.append(new byte[100 << 10]); // a batch of it is larger than the replica's frames
        final ReplicaConfig config = fixture.replicaConfig("r1", primary.localAddress()).maxFrameBytes(64 << 10);
        final Replica replica = fixture.track(Replica.start(config));
        // STOPPED is also the state before the first connection: wait for the error that stopped it
        await("the replica to stop with an error", Duration.ofSeconds(60),
            () -> replica.lastError() != null && replica.state() == ReplicaState.STOPPED);
        assertNotNull(replica.lastError());
        assertEquals(ErrorCode.CONFIGURATION, replica.lastError().code(), replica.lastError().getMessage());
        assertTrue(replica.lastError().getMessage().contains(String.valueOf(64 << 10)), replica.lastError().getMessage());
        assertEquals(0, replica.receivedOffset(), "nothing written");
    }
}
