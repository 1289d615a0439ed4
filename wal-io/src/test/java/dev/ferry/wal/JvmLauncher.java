package dev.ferry.wal;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child JVM running a main class from this test classpath, with the same module/access flags as the
 * current JVM (Chronicle's flags come from the build's single definition, not repeated here).
 */
public final class JvmLauncher
{
    public static String tail(final Path log)
    {
        try
        {
            final String text = java.nio.file.Files.readString(log);
            return text.substring(Math.max(0, text.length() - 2000));
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    private JvmLauncher()
    {
    }

    public static Process start(final Path stderrLog, final Class<?> mainClass, final String... args) throws java.io.IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") ||
                arg.startsWith("--sun-misc") || arg.startsWith("-Dchronicle."))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderrLog.toFile()).start();
    }
}
