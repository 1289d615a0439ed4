package dev.ferry.report;

import dev.ferry.report.input.ReportInputException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code ferry report}: turns benchmark results into {@code index.html} and {@code report.md}. Exit 0 when written,
 * regressions and missed objectives included (CI warns, it does not fail); exit 2 with one line on stderr for a bad
 * flag or an unreadable or malformed input file; exit 1 when the output cannot be written.
 */
public final class Report
{
    /** Exit code for a bad flag or input. */
    public static final int EXIT_USAGE = 2;
    /** Exit code when the report cannot be written. */
    public static final int EXIT_FAILURE = 1;
    /** Where the report goes by default, relative to the working directory (the repository root). */
    public static final Path DEFAULT_OUT = Path.of("perf-reports", "target", "report");

    static final String USAGE = """
        Usage: ferry report [--jmh FILE]... [--bench DIR]... [--baseline DIR] [--objectives FILE]
                            [--out DIR] [--tolerance FRACTION] [--help]
        Turns benchmark results into one self-contained HTML page and a Markdown summary.
          --jmh FILE            a JMH -rf json result file (repeatable)
          --bench DIR           an end-to-end harness output directory with summary.json (repeatable)
          --baseline DIR        committed results to compare with (jmh*.json files, harness directories)
          --objectives FILE     a JSON array of latency/throughput objectives
          --out DIR             where index.html and report.md go (default perf-reports/target/report)
          --tolerance FRACTION  relative change flagged where no margin was measured (default 0.25)
          --help                this text
        Exit 0 when written, even with regressions; 2 for a bad flag or input file; 1 if it cannot write.
        """;

    private Report()
    {
    }

    /**
     * @param args the command line; see {@code --help}.
     */
    public static void main(final String[] args)
    {
        if (null == System.getProperty("java.awt.headless"))
        {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run the command without exiting the JVM.
     *
     * @param args the command line.
     * @param out  where the paths and the summary line go.
     * @param err  where a failure's one line goes.
     * @return the exit code.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final ReportBuilder builder = new ReportBuilder();
        Path outDir = DEFAULT_OUT;
        boolean inputs = false;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                final int equals = arg.indexOf('=');
                final String flag = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
                if ("--help".equals(flag) || "-h".equals(flag))
                {
                    out.print(USAGE);
                    return 0;
                }
                final String value;
                if (equals > 0 && arg.startsWith("--"))
                {
                    value = arg.substring(equals + 1);
                }
                else if (isValued(flag))
                {
                    if (i + 1 >= args.length)
                    {
                        throw new IllegalArgumentException(flag + " needs a value");
                    }
                    value = args[++i];
                }
                else
                {
                    throw new IllegalArgumentException("unknown flag " + arg);
                }
                switch (flag)
                {
                    case "--jmh" -> builder.jmh(Path.of(value));
                    case "--bench" -> builder.bench(Path.of(value));
                    case "--baseline" -> builder.baseline(Path.of(value));
                    case "--objectives" -> builder.objectives(Path.of(value));
                    case "--out" -> outDir = Path.of(value);
                    case "--tolerance" -> builder.tolerance(parseTolerance(value));
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
                inputs |= "--jmh".equals(flag) || "--bench".equals(flag);
            }
            if (!inputs)
            {
                throw new IllegalArgumentException("nothing to report: give --jmh FILE or --bench DIR");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("report: " + ex.getMessage() + " (see 'ferry report --help')");
            return EXIT_USAGE;
        }
        return write(builder, outDir, out, err);
    }

    private static int write(final ReportBuilder builder, final Path outDir, final PrintStream out,
        final PrintStream err)
    {
        try
        {
            final ReportFiles files = builder.write(outDir);
            out.println(files.html());
            out.println(files.markdown());
            out.println(files.analysis().summaryLine());
            return 0;
        }
        catch (final ReportInputException ex)
        {
            err.println("report: " + ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final UncheckedIOException ex)
        {
            err.println("report: " + ex.getMessage());
            return EXIT_FAILURE;
        }
    }

    private static boolean isValued(final String flag)
    {
        return switch (flag)
        {
            case "--jmh", "--bench", "--baseline", "--objectives", "--out", "--tolerance" -> true;
            default -> false;
        };
    }

    private static double parseTolerance(final String value)
    {
        try
        {
            return Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--tolerance needs a fraction such as 0.25, got \"" + value + "\"", ex);
        }
    }
}
