package dev.ferry.engine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@code ferry} command line in this JVM with stdout and stderr captured, for tests.
 */
public final class CliRun
{
    private CliRun()
    {
    }

    /**
     * A command line's exit code and output.
     *
     * @param exit its exit code.
     * @param out  what it printed on stdout.
     * @param err  what it printed on stderr.
     */
    public record Run(int exit, String out, String err)
    {
        public List<String> errLines()
        {
            return lines(err);
        }

        public List<String> outLines()
        {
            return lines(out);
        }

        @Override
        public String toString()
        {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    static List<String> lines(final String text)
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : text.split("\\R"))
        {
            if (!line.isBlank())
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * @param args the command line.
     * @return its exit code and output.
     */
    public static synchronized Run ferry(final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            System.setOut(o);
            System.setErr(e);
            final int exit = Ferry.execute(args);
            o.flush();
            e.flush();
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

}
