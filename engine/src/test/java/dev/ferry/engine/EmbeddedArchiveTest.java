package dev.ferry.engine;

import dev.ferry.engine.archive.ArchiveContext;
import dev.ferry.engine.archive.ArchiveStore;
import dev.ferry.engine.archive.Archives;
import dev.ferry.engine.archive.Restore;
import dev.ferry.engine.archive.WalViews;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The archive shipper embedded in a primary and in a replica ({@code PrimaryConfig.archive}, {@code --archive}): each
 * ships its own WAL on a thread of its own; the primary holds a retention slot named {@code archive} for it, listed in
 * its status; closing a node uploads what its shipper built, so the archive restores to the node's last entry.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class EmbeddedArchiveTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void aPrimaryAndAReplicaShipTheirWals()
    {
        final Path primaryArchive = dir.resolve("archive-primary");
        final Path replicaArchive = dir.resolve("archive-replica");
        final Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine())
            .archive(new ArchiveContext().store(Archives.open(primaryArchive.toString()))
                .segmentIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))));
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .stateMachine(new KvStateMachine())
            .archive(new ArchiveContext().store(Archives.open(replicaArchive.toString()))
                .segmentIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)))));
        final KvEntryWriter writer = new KvEntryWriter(64);
        for (int i = 0; i < 5000; i++)
        {
            primary.append(writer.reset().put(0, "k" + (i % 100), "v" + i).entry());
        }
        ReplicationFixture.await("the primary's archive at its head", WAIT,
            () -> primary.archiveStatus().archivedNext() == 5000);
        ReplicationFixture.await("the replica's archive at the head", WAIT,
            () -> replica.archiveStatus() != null && replica.archiveStatus().archivedNext() == 5000);
        ReplicationFixture.await("the slot named archive at the head", WAIT, () -> primary.status().replicas().stream()
            .anyMatch(r -> r.id().equals("archive") && r.received() == 5000));

        for (int i = 5000; i < 5100; i++)
        {
            primary.append(writer.reset().put(0, "k" + (i % 100), "v" + i).entry());
        }
        ReplicationFixture.await("the replica at 5100", WAIT, () -> replica.appliedOffset() == 5100);
        replica.stop();
        primary.close(); // each uploads what it built before it closes its WAL
        final String source = WalViews.digest(fixture.dir("primary"), -1, -1);
        assertEquals(source, WalViews.digest(fixture.dir("r1"), -1, -1));
        for (final Path archive : new Path[] {primaryArchive, replicaArchive})
        {
            try (ArchiveStore store = Archives.openExisting(archive.toString()))
            {
                final Path restored = dir.resolve("restored-" + archive.getFileName());
                final Restore.Result result = Restore.run(store, restored, Restore.Target.NEWEST, EventLog.NONE);
                assertEquals(5099, result.last(), archive.toString());
                assertEquals(source, WalViews.digest(restored, -1, -1), archive.toString());
            }
        }
    }
}
