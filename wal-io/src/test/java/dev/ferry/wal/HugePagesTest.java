package dev.ferry.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The large-folio hint: off unless asked for (it trades latency for CPU), and when asked for, given to the kernel for
 * a mapped WAL range.
 */
class HugePagesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveNoHintUnlessAskedFor() throws IOException
    {
        assertFalse(Boolean.getBoolean(HugePages.PROP_NAME), "this JVM runs with the default");
        try (FileChannel channel = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE); Arena arena = Arena.ofConfined())
        {
            final MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4 << 20, arena);
            assertFalse(HugePages.advise(mapped.address(), mapped.byteSize()));
        }
    }

    @Test
    void shouldGiveTheHintWhenAskedFor() throws Exception
    {
        final Path log = dir.resolve("child.log");
        final Process child = JvmLauncher.start(log, Child.class, dir.resolve("g").toString());
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");
        assertEquals(0, child.exitValue(), () -> JvmLauncher.tail(log));
    }

    /** Asks for the hint, as {@code -Dferry.wal.hugePages=true} does, and gives it for a mapped file: exit 0 if taken. */
    public static final class Child
    {
        public static void main(final String[] args) throws IOException
        {
            System.setProperty(HugePages.PROP_NAME, "true"); // before the class reads it
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE); Arena arena = Arena.ofConfined())
            {
                final MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4 << 20, arena);
                final boolean taken = HugePages.advise(mapped.address() + 100, mapped.byteSize() - 100);
                mapped.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8192, 42L); // the range is still usable
                System.err.println("hint taken: " + taken);
                System.exit(taken && Files.size(Path.of(args[0])) == 4 << 20 ? 0 : 1);
            }
        }
    }
}
