package dev.ferry.engine.follow;

import dev.ferry.engine.NodeAddress;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a snapshot replaced goes aside whole, and a move a crash interrupted is finished at the next start: the WAL
 * directory then holds no file of the old WAL, the incoming part stays for the transfer to resume, and the running
 * node's address file ({@link NodeAddress#FILE}) stays where tools beside the node look for it.
 */
class WalAsideTest
{
    @TempDir
    Path wal;

    @Test
    void shouldMoveEverythingButTheIncomingPartAside() throws IOException
    {
        oldWal();
        final History history = History.create();
        final Path aside = WalAside.moveAside(wal, history);
        assertTrue(aside.getFileName().toString().endsWith(history.id().toString()), aside.toString());
        assertEquals(java.util.List.of("aside", NodeAddress.FILE, "state"), names(wal), "the node's address stays");
        assertEquals(java.util.List.of("incoming"), names(wal.resolve(StateStore.DIRECTORY)));
        assertEquals(java.util.List.of("20261206F.cq4", "ferry-history.properties", "metadata.cq4t", "state"), names(aside));
        assertEquals(java.util.List.of("snapshot-00000000000000000100.state"), names(aside.resolve(StateStore.DIRECTORY)));
        assertNull(WalAside.finishInterrupted(wal), "nothing to finish");
    }

    @Test
    void shouldFinishAMoveACrashInterrupted() throws IOException
    {
        oldWal();
        // a crash after the history and one state snapshot went, before the rest
        final Path moving = Files.createDirectories(wal.resolve("aside").resolve("20261206T080000.000Z-x" + WalAside.MOVING));
        Files.move(wal.resolve("ferry-history.properties"), moving.resolve("ferry-history.properties"));
        Files.createDirectories(moving.resolve(StateStore.DIRECTORY));
        Files.move(wal.resolve("state/snapshot-00000000000000000100.state"),
            moving.resolve("state/snapshot-00000000000000000100.state"));

        final Path finished = WalAside.finishInterrupted(wal);
        assertEquals(wal.resolve("aside").resolve("20261206T080000.000Z-x"), finished);
        assertFalse(Files.exists(moving));
        assertEquals(java.util.List.of("aside", NodeAddress.FILE, "state"), names(wal),
            "no file of the old WAL left in place; the node's address stays");
        assertEquals(java.util.List.of("incoming"), names(wal.resolve(StateStore.DIRECTORY)));
        assertEquals(java.util.List.of("20261206F.cq4", "ferry-history.properties", "metadata.cq4t", "state"), names(finished));
        assertTrue(Files.exists(wal.resolve("state/incoming/snapshot-00000000000000000400-10-0000abcd.part")),
            "the part stays: the transfer resumes");
    }

    private void oldWal() throws IOException
    {
        Files.writeString(wal.resolve("20261206F.cq4"), "cycle");
        Files.writeString(wal.resolve("metadata.cq4t"), "metadata");
        Files.writeString(wal.resolve("ferry-history.properties"), "historyId=x");
        Files.writeString(wal.resolve(NodeAddress.FILE), "listen=127.0.0.1:7000\npid=1\n");
        Files.createDirectories(wal.resolve("state/incoming"));
        Files.writeString(wal.resolve("state/snapshot-00000000000000000100.state"), "state");
        Files.writeString(wal.resolve("state/incoming/snapshot-00000000000000000400-10-0000abcd.part"), "part");
    }

    private static java.util.List<String> names(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
