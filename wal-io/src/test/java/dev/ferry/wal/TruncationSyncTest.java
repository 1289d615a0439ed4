package dev.ferry.wal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A truncation survives a power loss at any point only if its copy is on stable storage before it is marked complete,
 * and the swap before the old copy is deleted. A power loss cannot be simulated here, so the syncs are recorded
 * (through {@link FileSync}) and their order checked (issue 14: the copy was never synced).
 */
class TruncationSyncTest
{
    private SyncRecorder recorder;

    @TempDir
    Path dir;

    @AfterEach
    void giveTheRealSyncsBack()
    {
        if (recorder != null)
        {
            recorder.close();
        }
    }

    @Test
    void shouldSyncTheCopyThenTheMarkerThenTheSwap() throws IOException
    {
        final Path walDir = dir.resolve("wal");
        try (Wal wal = Wal.open(new WalConfig().directory(walDir).minFreeBytes(0)))
        {
            for (int i = 0; i < 100; i++)
            {
                wal.append(("entry " + i).getBytes(StandardCharsets.US_ASCII));
            }
            Files.writeString(walDir.resolve("side.properties"), "k=v\n"); // a file of the WAL's owner: carried over
            recorder = SyncRecorder.install(dir, null, () -> 0);
            wal.truncateAfter(49).close();
        }
        final List<String> synced = recorder.log();
        final List<String> copied;
        try (Stream<Path> files = Files.list(walDir))
        {
            copied = files.filter(Files::isRegularFile).map(f -> "file wal.truncating/" + f.getFileName())
                .filter(f -> !f.endsWith(WalFiles.LOCK_FILE)).toList();
        }
        assertTrue(copied.stream().anyMatch(f -> f.endsWith(".cq4")), copied.toString());
        final int marker = synced.indexOf("file wal.truncating/COMPLETE");
        assertTrue(marker > 0, "the marker is synced: " + synced);
        for (final String file : copied)
        {
            final int at = synced.indexOf(file);
            assertTrue(at >= 0 && at < marker, file + " synced before the marker: " + synced);
        }
        final int stagingDir = synced.indexOf("dir wal.truncating");
        assertTrue(stagingDir >= 0 && stagingDir < marker, "the copy's directory before the marker: " + synced);
        assertEquals("dir wal.truncating", synced.get(marker + 1), "the marker's directory entry: " + synced);
        assertEquals("dir ", synced.getLast(), "the parent directory last, after the swap: " + synced);
    }
}
