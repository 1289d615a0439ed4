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
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Loading the secret file: at least {@value Secret#MIN_BYTES} bytes, private to its owner ({@code chmod 600}), clear
 * {@code CONFIGURATION} errors, trailing newlines trimmed, never printed; choosing between a file and no secret;
 * generating one.
 */
class SecretTest
{
    private static final String SIXTEEN = "0123456789abcdef";

    @TempDir
    Path dir;

    /**
     * Writes a file readable and writable by its owner only, as a secret file must be.
     */
    private Path privateFile(final String name, final byte[] content) throws IOException
    {
        final Path file = Files.createFile(
            dir.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.write(file, content);
    }

    private Path privateFile(final String name, final String content) throws IOException
    {
        return privateFile(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private static FerryException assertConfigurationError(final Path file, final String expected)
    {
        final FerryException ex = assertThrows(FerryException.class, () -> Secret.load(file));
        assertEquals(ErrorCode.CONFIGURATION, ex.code());
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        return ex;
    }

    @Test
    void shouldLoadAndTrimTrailingNewlines() throws IOException
    {
        int i = 0;
        for (final String content : new String[] {SIXTEEN, SIXTEEN + "\n", SIXTEEN + "\r\n", SIXTEEN + "\n\n"})
        {
            final Secret secret = Secret.load(privateFile("secret" + i++, content));
            assertFalse(secret.isNone());
            assertArrayEquals(SIXTEEN.getBytes(StandardCharsets.US_ASCII), secret.key(), content);
        }
    }

    @Test
    void shouldKeepInnerNewlinesAndBinaryBytes() throws IOException
    {
        final byte[] bytes = {0, 1, '\n', (byte)0xFF, ' ', 5, 6, 7, 8, 9, 10, 11, 12, '\r', 14, 15, 16};
        assertArrayEquals(bytes, Secret.load(privateFile("secret", bytes)).key());
    }

    @Test
    void shouldRefuseASecretShorterThan16Bytes() throws IOException
    {
        final Path file = privateFile("short", SIXTEEN.substring(1) + "\n");
        final FerryException ex = assertConfigurationError(file, "holds 15 bytes");
        assertTrue(ex.getMessage().contains("at least 16"), ex.getMessage());

        assertEquals(Secret.MIN_BYTES, Secret.load(privateFile("exact", SIXTEEN + "\n")).key().length);

        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class,
            () -> Secret.of(new byte[Secret.MIN_BYTES - 1])).code());
        assertFalse(Secret.of(new byte[Secret.MIN_BYTES]).isNone());
    }

    @Test
    void shouldRefuseAFileOthersCanReadOrWrite() throws IOException
    {
        final Path file = privateFile("secret", SIXTEEN);
        for (final String permissions : new String[] {"rw-r--r--", "rw-r-----", "rw--w----", "rw----r--", "rw-----w-"})
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
            final FerryException ex = assertConfigurationError(file, "chmod 600");
            assertTrue(ex.getMessage().contains(permissions), ex.getMessage());
            assertFalse(ex.getMessage().contains(SIXTEEN), ex.getMessage());
        }

        for (final String permissions : new String[] {"rw-------", "r--------", "rwx------"})
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
            assertArrayEquals(SIXTEEN.getBytes(StandardCharsets.US_ASCII), Secret.load(file).key(), permissions);
        }
    }

    /** As ssh does for its keys: a file another user owns could have been written by that user. Needs root to set up. */
    @Test
    void shouldRefuseAFileAnotherUserOwns() throws IOException
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file to another user");
        final Path file = privateFile("secret", SIXTEEN);
        Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        final FerryException ex = assertConfigurationError(file, "belongs to nobody");
        assertTrue(ex.getMessage().contains("chown"), ex.getMessage());
    }

    @Test
    void shouldReadTheFileASymlinkNamesAndCheckThatFile() throws IOException
    {
        final Path target = privateFile("target", SIXTEEN);
        final Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertArrayEquals(SIXTEEN.getBytes(StandardCharsets.US_ASCII), Secret.load(link).key());
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        assertConfigurationError(link, "chmod 600");
    }

    @Test
    void shouldAcceptExactly4KiB() throws IOException
    {
        final byte[] bytes = new byte[Secret.MAX_FILE_BYTES];
        Arrays.fill(bytes, (byte)'k');
        assertEquals(Secret.MAX_FILE_BYTES, Secret.load(privateFile("secret", bytes)).key().length);
    }

    @Test
    void shouldRejectMissingFile()
    {
        assertConfigurationError(dir.resolve("absent"), "does not exist");
    }

    @Test
    void shouldRejectEmptyFile() throws IOException
    {
        assertConfigurationError(privateFile("empty", ""), "is empty");
        assertConfigurationError(privateFile("newline", "\r\n"), "is empty");
    }

    @Test
    void shouldRejectFileLargerThan4KiB() throws IOException
    {
        assertConfigurationError(privateFile("big", new byte[Secret.MAX_FILE_BYTES + 1]), "larger than 4096 bytes");
    }

    @Test
    void shouldRejectDirectory()
    {
        assertConfigurationError(dir, "not a regular file");
    }

    @Test
    void shouldRejectUnreadableFile() throws IOException
    {
        final Path file = privateFile("locked", SIXTEEN);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "running as a user who can read any file (root)");
        assertConfigurationError(file, "cannot be read");
    }

    @Test
    void shouldRejectNullPathAndEmptyBytes()
    {
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> Secret.load(null)).code());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> Secret.of(new byte[0])).code());
        assertEquals(ErrorCode.CONFIGURATION, assertThrows(FerryException.class, () -> Secret.of(null)).code());
    }

    @Test
    void shouldRequireExactlyOneOfAFileAndNoSecret() throws IOException
    {
        final FerryException neither = assertThrows(FerryException.class, () -> Secret.configured(null, false));
        assertEquals(ErrorCode.CONFIGURATION, neither.code());
        assertTrue(neither.getMessage().contains("--secret-file"), neither.getMessage());
        assertTrue(neither.getMessage().contains("--insecure-no-secret"), neither.getMessage());

        final Path file = privateFile("secret", SIXTEEN);
        final FerryException both = assertThrows(FerryException.class, () -> Secret.configured(file, true));
        assertEquals(ErrorCode.CONFIGURATION, both.code());
        assertTrue(both.getMessage().contains("choose one"), both.getMessage());

        assertSame(Secret.NONE, Secret.configured(null, true));
        assertArrayEquals(SIXTEEN.getBytes(StandardCharsets.US_ASCII), Secret.configured(file, false).key());

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(ErrorCode.CONFIGURATION,
            assertThrows(FerryException.class, () -> Secret.configured(file, false)).code());
    }

    @Test
    void shouldGenerateAPrivateRandomSecretThatLoads() throws IOException
    {
        final Path file = dir.resolve("generated");
        final Secret secret = Secret.generate(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        final String text = Files.readString(file, StandardCharsets.US_ASCII);
        assertTrue(text.endsWith("\n"), text);
        assertEquals(32, Base64.getDecoder().decode(text.strip()).length);
        assertArrayEquals(text.strip().getBytes(StandardCharsets.US_ASCII), secret.key());
        assertArrayEquals(secret.key(), Secret.load(file).key());

        assertFalse(Arrays.equals(secret.key(), Secret.generate(dir.resolve("another")).key()));

        final FerryException exists = assertThrows(FerryException.class, () -> Secret.generate(file));
        assertEquals(ErrorCode.CONFIGURATION, exists.code());
        assertArrayEquals(secret.key(), Secret.load(file).key(), "an existing secret is never overwritten");
    }

    @Test
    void shouldNeverPrintTheSecret() throws IOException
    {
        final Secret secret = Secret.load(privateFile("secret", "hunter2-hunter2-hunter2\n"));
        assertEquals("Secret[set]", secret.toString());
        assertFalse(secret.toString().contains("hunter2"));
        assertEquals("Secret[none]", Secret.NONE.toString());
        assertTrue(Secret.NONE.isNone());
    }
}
