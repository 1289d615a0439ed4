package dev.ferry.jmh.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time and page faults of a process and of each of its threads, read from Linux's {@code /proc} ({@code stat}:
 * {@code utime}, {@code stime}, {@code minflt}, {@code majflt}; {@code comm}: the thread's name, 15 characters).
 * Times are in clock ticks of {@value #TICKS_PER_SECOND} per second ({@code getconf CLK_TCK} on Linux).
 *
 * @param cpuTicks  user + system ticks of the whole process.
 * @param faults    minor + major page faults of the whole process.
 * @param threads   user + system ticks per thread name (threads of one name summed).
 */
record ProcStat(long cpuTicks, long faults, Map<String, Long> threads)
{
    /** Linux's USER_HZ, the unit of /proc's times. */
    static final long TICKS_PER_SECOND = 100;

    /**
     * @param pid a process id.
     * @return its figures now.
     * @throws IOException if /proc cannot be read (the process ended, or this is not Linux).
     */
    static ProcStat of(final long pid) throws IOException
    {
        final long[] process = fields(Path.of("/proc", Long.toString(pid), "stat"));
        final Map<String, Long> threads = new LinkedHashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    final long[] thread = fields(task.resolve("stat"));
                    final String name = Files.readString(task.resolve("comm")).trim();
                    threads.merge(name, thread[0] + thread[1], Long::sum);
                }
                catch (final IOException ignore)
                {
                    // the thread ended between the listing and the read: its time is in the process's figure
                }
            }
        }
        return new ProcStat(process[0] + process[1], process[2] + process[3], threads);
    }

    /** utime, stime, minflt, majflt: fields 14, 15, 10, 12 of stat, counted after the ')' ending the name. */
    private static long[] fields(final Path stat) throws IOException
    {
        final String text = Files.readString(stat);
        final String[] f = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): field n is f[n - 3]
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[7]), Long.parseLong(f[9])};
    }

    /**
     * @param before the same process earlier.
     * @return the ticks of the JIT compiler threads ({@code C1 CompilerThre}, {@code C2 CompilerThre}) since then.
     */
    long jitTicksSince(final ProcStat before)
    {
        long ticks = 0;
        for (final Map.Entry<String, Long> thread : threads.entrySet())
        {
            if (thread.getKey().contains("CompilerThre"))
            {
                ticks += thread.getValue() - before.threads.getOrDefault(thread.getKey(), 0L);
            }
        }
        return ticks;
    }

    /**
     * @param ticks clock ticks.
     * @return nanoseconds.
     */
    static double nanos(final long ticks)
    {
        return ticks * (1e9 / TICKS_PER_SECOND);
    }
}
