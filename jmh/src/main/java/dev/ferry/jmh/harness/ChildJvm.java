package dev.ferry.jmh.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this JVM's classpath and module flags (Chronicle's flags are inherited, not repeated), with its
 * output sent to a log file; destroyed (SIGKILL) on close.
 */
final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final Path log;

    ChildJvm(final Path log, final String mainClass, final List<String> args) throws IOException
    {
        this(log, System.getProperty("java.class.path"), mainClass, args);
    }

    /**
     * @param classPath the child's class path (another build of Ferry, to compare two in one run).
     */
    ChildJvm(final Path log, final String classPath, final String mainClass, final List<String> args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            // every flag ./ferry gives a node (pom.xml's ferry.jvm.flags), so a child runs as a user's node does; the
            // thread-ownership switch included (off, Chronicle checks every call: ~10% of replication CPU); and
            // Ferry's own switches given in FERRY_JVM_OPTS (e.g. -Dferry.wal.releaseCache=false), so a bench compares
            // them on every node
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc") ||
                arg.startsWith("-Dchronicle.") || arg.startsWith("-Ddisable.single.threaded.check") ||
                arg.startsWith("-Dferry."))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        this.log = log;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    long pid()
    {
        return process.pid();
    }

    Path log()
    {
        return log;
    }

    @Override
    public void close()
    {
        kill();
    }

    /** SIGKILL, and wait (up to 10 s) for it to end; idempotent. */
    void kill()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
