package dev.ferry.jmh.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * System calls made by two processes over a window, counted by {@code perf stat -e raw_syscalls:sys_enter -p PID}
 * (Linux's perf, where it is installed and the kernel allows it); absent otherwise, and the figure is then reported
 * as not measured.
 */
final class Syscalls
{
    private final Process[] perf;
    private final Path[] outputs;

    private Syscalls(final Process[] perf, final Path[] outputs)
    {
        this.perf = perf;
        this.outputs = outputs;
    }

    /**
     * Start counting.
     *
     * @return the counters, or a no-op if perf cannot count here.
     */
    static Syscalls start(final long first, final long second, final Path scratch)
    {
        final long[] pids = {first, second};
        final Process[] perf = new Process[2];
        final Path[] outputs = new Path[2];
        try
        {
            for (int i = 0; i < 2; i++)
            {
                outputs[i] = scratch.resolve("perf-syscalls-" + pids[i] + ".txt");
                perf[i] = new ProcessBuilder("perf", "stat", "-x", ",", "-e", "raw_syscalls:sys_enter", "-p",
                    Long.toString(pids[i])).redirectErrorStream(true).redirectOutput(outputs[i].toFile()).start();
            }
            return new Syscalls(perf, outputs);
        }
        catch (final IOException ex)
        {
            for (final Process p : perf)
            {
                if (p != null)
                {
                    p.destroyForcibly();
                }
            }
            return new Syscalls(null, null);
        }
    }

    /**
     * Stop counting (SIGINT: perf prints its counts and exits).
     *
     * @return system calls of each process over the window, or null if not measured.
     */
    long[] stop()
    {
        if (perf == null)
        {
            return null;
        }
        final long[] counts = new long[2];
        try
        {
            for (int i = 0; i < 2; i++)
            {
                new ProcessBuilder("kill", "-INT", Long.toString(perf[i].pid())).start().waitFor(5, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 2; i++)
            {
                if (!perf[i].waitFor(10, TimeUnit.SECONDS))
                {
                    perf[i].destroyForcibly();
                    return null;
                }
                counts[i] = parse(Files.readString(outputs[i]));
                if (counts[i] < 0)
                {
                    return null;
                }
            }
            return counts;
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** perf's CSV line {@code count,unit,event,...}; -1 if there is none (not supported, not permitted). */
    private static long parse(final String text)
    {
        for (final String line : text.split("\n"))
        {
            final String[] fields = line.split(",");
            if (fields.length > 2 && fields[2].startsWith("raw_syscalls:sys_enter"))
            {
                try
                {
                    return Long.parseLong(fields[0].trim());
                }
                catch (final NumberFormatException ex)
                {
                    return -1; // "<not supported>" or "<not counted>"
                }
            }
        }
        return -1;
    }
}
