package dev.ferry.wal;

import dev.ferry.error.ErrorCode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The single-writer append mode ({@link WalConfig#singleWriter(boolean)}): the first thread to write owns the
 * writing operations and no lock of Ferry's own is taken; any other thread gets a clear error before anything is
 * written (a second thread inside Chronicle's appender would corrupt its state). The other mode serialises writers
 * with an {@link AppendLock}.
 */
final class SingleWriter
{
    private static final VarHandle WRITER;

    static
    {
        try
        {
            WRITER = MethodHandles.lookup().findVarHandle(SingleWriter.class, "writer", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Path directory;
    private volatile Thread writer; // the thread that owns the writing operations

    SingleWriter(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Claim the writing operations for the calling thread, or check it already owns them.
     *
     * @throws WalException CONFIGURATION if another thread owns them.
     */
    void check()
    {
        final Thread current = Thread.currentThread();
        if (writer != current && !WRITER.compareAndSet(this, (Thread)null, current))
        {
            throw new WalException(ErrorCode.CONFIGURATION, "WAL " + directory + " is single-writer and written by thread '" +
                writer.getName() + "'; thread '" + current.getName() + "' may not write it (WalConfig.singleWriter(false) " +
                "allows any number of writing threads)");
        }
    }
}
