package dev.ferry.wal;

import dev.ferry.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReplaceTheWholeFileAndLeaveNoTemporaryFile() throws IOException
    {
        final Path file = dir.resolve("meta.properties");
        AtomicFile.write(file, "first=1\nsecond=2\n".getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(file, "x=9\n".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("x=9\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        assertFalse(Files.exists(dir.resolve("meta.properties.tmp")));
    }

    @Test
    void shouldFailWithStorageAndKeepTheOldFileWhenTheTargetCannotBeReplaced() throws IOException
    {
        final Path file = dir.resolve("meta.properties");
        AtomicFile.write(file, "old\n".getBytes(StandardCharsets.UTF_8));
        Files.createDirectory(dir.resolve("meta.properties.tmp")); // the temporary file cannot be created
        final WalException ex = assertThrows(WalException.class,
            () -> AtomicFile.write(file, "new\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.STORAGE, ex.code());
        assertEquals("old\n", Files.readString(file));
    }
}
