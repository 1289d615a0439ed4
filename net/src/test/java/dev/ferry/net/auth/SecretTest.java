package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Loading the secret file: clear {@code CONFIGURATION} errors, trailing newlines trimmed, never printed.
 */
class SecretTest
{
    @TempDir
    Path dir;

    private static void assertConfigurationError(final Path file, final String expected)
    {
        final FerryException ex = assertThrows(FerryException.class, () -> Secret.load(file));
        assertEquals(ErrorCode.CONFIGURATION, ex.code());
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
    }

    @Test
    void shouldLoadAndTrimTrailingNewlines() throws IOException
    {
        for (final String content : new String[] {"s3cret", "s3cret\n", "s3cret\r\n", "s3cret\n\n"})
        {
            final Path file = Files.writeString(dir.resolve("secret"), content);
            final Secret secret = Secret.load(file);
            assertFalse(secret.isNone());
            assertArrayEquals("s3cret".getBytes(StandardCharsets.US_ASCII), secret.key(), content);
        }
    }

    @Test
    void shouldKeepInnerNewlinesAndBinaryBytes() throws IOException
    {
        final byte[] bytes = {0, 1, '\n', (byte)0xFF, ' '};
        final Secret secret = Secret.load(Files.write(dir.resolve("secret"), bytes));
        assertArrayEquals(bytes, secret.key());
    }

    @Test
    void shouldAcceptExactly4KiB() throws IOException
    {
        final byte[] bytes = new byte[Secret.MAX_FILE_BYTES];
        java.util.Arrays.fill(bytes, (byte)'k');
        assertEquals(Secret.MAX_FILE_BYTES, Secret.load(Files.write(dir.resolve("secret"), bytes)).key().length);
    }

    @Test
    void shouldRejectMissingFile()
    {
        assertConfigurationError(dir.resolve("absent"), "does not exist");
    }

    @Test
    void shouldRejectEmptyFile() throws IOException
    {
        assertConfigurationError(Files.writeString(dir.resolve("empty"), ""), "is empty");
        assertConfigurationError(Files.writeString(dir.resolve("newline"), "\r\n"), "is empty");
    }

    @Test
    void shouldRejectFileLargerThan4KiB() throws IOException
    {
        assertConfigurationError(
            Files.write(dir.resolve("big"), new byte[Secret.MAX_FILE_BYTES + 1]), "larger than 4096 bytes");
    }

    @Test
    void shouldRejectDirectory()
    {
        assertConfigurationError(dir, "not a regular file");
    }

    @Test
    void shouldRejectUnreadableFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("locked"), "s3cret");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "running as a user who can read any file (root)");
        assertConfigurationError(file, "cannot be read");
    }

    @Test
    void shouldRejectNullPathAndEmptyBytes()
    {
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> Secret.load(null)).code());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> Secret.of(new byte[0])).code());
    }

    @Test
    void shouldNeverPrintTheSecret() throws IOException
    {
        final Secret secret = Secret.load(Files.writeString(dir.resolve("secret"), "hunter2\n"));
        assertEquals("Secret[set]", secret.toString());
        assertFalse(secret.toString().contains("hunter2"));
        assertEquals("Secret[none]", Secret.NONE.toString());
        assertTrue(Secret.NONE.isNone());
    }
}
