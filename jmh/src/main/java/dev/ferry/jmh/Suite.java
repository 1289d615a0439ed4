package dev.ferry.jmh;

import dev.ferry.jmh.backlog.OffsetBacklogBenchmark;
import dev.ferry.jmh.codec.CompressionBenchmark;
import dev.ferry.jmh.frame.BatchDecodeBenchmark;
import dev.ferry.jmh.frame.BatchEncodeBenchmark;
import dev.ferry.jmh.frame.CrcBenchmark;
import dev.ferry.jmh.pipeline.ReceivePathBenchmark;
import dev.ferry.jmh.pipeline.SendPathBenchmark;
import dev.ferry.jmh.state.KvApplyBenchmark;
import dev.ferry.jmh.wal.ChainedChecksumBenchmark;
import dev.ferry.jmh.wal.WalAppendBenchmark;
import dev.ferry.jmh.wal.WalCursorBenchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code ./ferry jmh}: the JMH suites by profile, or plain JMH.
 * <pre>
 *   ./ferry jmh --profile quick|full [--out FILE] [--gc]
 *   ./ferry jmh &lt;JMH arguments&gt;          (anything without --profile goes to org.openjdk.jmh.Main as is)
 * </pre>
 * Both profiles run with {@code shouldFailOnError} (an error ends that JMH run), add the GC profiler to every run
 * (so every result carries {@code gc.alloc.rate.norm}; {@code --gc} is accepted and changes nothing) and write JMH's
 * JSON to {@code --out} (default {@code jmh/target/jmh-<profile>.json}, relative to the working directory).
 * {@code full} is one JMH run of every benchmark with its annotations' forks, iterations and params. {@code quick} is
 * the CI profile (about 5 minutes on 2 cores): one fork, 2 warmup and 3 measured iterations of 1 s, and a subset of
 * each class's params. JMH's {@code -p name=value} applies to every benchmark that has that param, so {@code quick}
 * makes one JMH run per class, with that class's params, and writes the results of all of them as one JSON array
 * with JMH's own writer (rewritten after each class, so a failure keeps what finished; a failed class does not stop
 * the next). The process exits with 1 if any benchmark failed and 2 on bad arguments.
 */
public final class Suite
{
    private static final int QUICK_FORKS = 1;
    private static final int QUICK_WARMUP_ITERATIONS = 2;
    private static final int QUICK_MEASUREMENT_ITERATIONS = 3;
    private static final TimeValue QUICK_ITERATION_TIME = TimeValue.seconds(1);

    /**
     * The benchmarks of each profile.
     */
    public enum Profile
    {
        /** The CI profile: every class, short iterations, a param subset per class. */
        QUICK,
        /** Every benchmark with its annotations' defaults. */
        FULL
    }

    /**
     * One JMH run: the benchmarks of one class, with some of its params fixed.
     *
     * @param benchmark the benchmark class.
     * @param params    param name to values; a param not named keeps the class's own values.
     */
    public record Run(Class<?> benchmark, Map<String, String[]> params)
    {
        static Run of(final Class<?> benchmark)
        {
            return new Run(benchmark, new LinkedHashMap<>());
        }

        Run param(final String name, final String... values)
        {
            checkParam(benchmark, name, values);
            params.put(name, values);
            return this;
        }
    }

    private Suite()
    {
    }

    /**
     * Run a profile, or hand the arguments to JMH when there is no {@code --profile}.
     *
     * @param args the command line.
     * @throws Exception from JMH's own main.
     */
    public static void main(final String[] args) throws Exception
    {
        if (!Arrays.asList(args).contains("--profile"))
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        final int status = run(args, System.out);
        if (0 != status)
        {
            System.exit(status);
        }
    }

    /**
     * Run a profile.
     *
     * @param args {@code --profile quick|full [--out FILE] [--gc]}.
     * @param out  where to report.
     * @return 0 if every benchmark ran, 1 if any failed, 2 on bad arguments.
     */
    public static int run(final String[] args, final PrintStream out)
    {
        Profile profile = null;
        Path file = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--profile" ->
                {
                    final String name = i + 1 < args.length ? args[++i] : "";
                    profile = switch (name)
                    {
                        case "quick" -> Profile.QUICK;
                        case "full" -> Profile.FULL;
                        default -> null;
                    };
                    if (null == profile)
                    {
                        return usage(out, "--profile must be quick or full, was '" + name + "'");
                    }
                }
                case "--out" ->
                {
                    if (i + 1 >= args.length)
                    {
                        return usage(out, "--out needs a file");
                    }
                    file = Path.of(args[++i]);
                }
                case "--gc" ->
                {
                    // the GC profiler is always on
                }
                default ->
                {
                    return usage(out, "unknown argument '" + arg + "'");
                }
            }
        }
        if (null == profile)
        {
            return usage(out, "--profile is missing");
        }
        if (null == file)
        {
            file = Path.of("jmh", "target", "jmh-" + profile.name().toLowerCase(Locale.ROOT) + ".json");
        }
        file = file.toAbsolutePath();
        try
        {
            if (null != file.getParent())
            {
                Files.createDirectories(file.getParent());
            }
        }
        catch (final IOException ex)
        {
            out.println("Suite: cannot create the directory of " + file + ": " + ex);
            return 2;
        }
        if (Profile.FULL == profile)
        {
            return runFull(file, out);
        }
        final List<Run> runs;
        try
        {
            runs = quickRuns();
        }
        catch (final IllegalArgumentException ex)
        {
            out.println("Suite: the quick profile is out of date: " + ex.getMessage());
            return 1;
        }
        return runEach(runs, file, out);
    }

    private static int usage(final PrintStream out, final String problem)
    {
        out.println("Suite: " + problem);
        out.println("usage: ferry jmh --profile quick|full [--out FILE] [--gc]");
        out.println("       ferry jmh <JMH arguments>   (see ferry jmh -h)");
        return 2;
    }

    /**
     * @return the runs of the quick profile, one per benchmark class.
     */
    public static List<Run> quickRuns()
    {
        return List.of(
            Run.of(WalAppendBenchmark.class).param("size", "64", "1024"),
            Run.of(ChainedChecksumBenchmark.class).param("size", "64"),
            Run.of(WalCursorBenchmark.class),
            Run.of(OffsetBacklogBenchmark.class),
            Run.of(KvApplyBenchmark.class).param("valueSize", "64"),
            Run.of(BatchEncodeBenchmark.class).param("entries", "16").param("payloadSize", "64", "1024"),
            Run.of(BatchDecodeBenchmark.class).param("entries", "16").param("payloadSize", "64", "1024"),
            Run.of(CrcBenchmark.class).param("size", "1024"),
            Run.of(CompressionBenchmark.class).param("codec", "SNAPPY", "ZSTD_1").param("size", "65536"),
            Run.of(SendPathBenchmark.class)
                .param("batchEntries", "16").param("size", "64").param("codec", "NONE", "ZSTD"),
            Run.of(ReceivePathBenchmark.class)
                .param("batchEntries", "16").param("size", "64").param("codec", "NONE", "ZSTD"));
    }

    private static ChainedOptionsBuilder common()
    {
        return new OptionsBuilder()
            .shouldFailOnError(true)
            .addProfiler(GCProfiler.class);
    }

    private static int runFull(final Path file, final PrintStream out)
    {
        final long startNs = System.nanoTime();
        final Collection<RunResult> results;
        try
        {
            results = new Runner(common()
                .include("^" + Pattern.quote(Suite.class.getPackageName() + "."))
                .resultFormat(ResultFormatType.JSON)
                .result(file.toString())
                .build()).run();
        }
        catch (final RunnerException ex)
        {
            out.println("Suite: the full profile failed: " + ex.getMessage());
            return 1;
        }
        return done(out, Profile.FULL, results.size(), file, startNs, List.of());
    }

    /**
     * One JMH run per entry of {@code runs} with the quick profile's forks and iterations; all results go to
     * {@code file} as one JSON array, rewritten after each run.
     */
    static int runEach(final List<Run> runs, final Path file, final PrintStream out)
    {
        final long startNs = System.nanoTime();
        final List<RunResult> results = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        for (final Run run : runs)
        {
            final ChainedOptionsBuilder options = common()
                .include("^" + Pattern.quote(run.benchmark().getName() + "."))
                .forks(QUICK_FORKS)
                .warmupIterations(QUICK_WARMUP_ITERATIONS)
                .warmupTime(QUICK_ITERATION_TIME)
                .measurementIterations(QUICK_MEASUREMENT_ITERATIONS)
                .measurementTime(QUICK_ITERATION_TIME);
            run.params().forEach(options::param);
            try
            {
                final Collection<RunResult> runResults = new Runner(options.build()).run();
                if (runResults.isEmpty())
                {
                    failed.add(run.benchmark().getSimpleName() + " (no results)");
                }
                results.addAll(runResults);
            }
            catch (final RunnerException ex)
            {
                out.println("Suite: " + run.benchmark().getSimpleName() + " failed: " + ex.getMessage());
                failed.add(run.benchmark().getSimpleName());
            }
            ResultFormatFactory.getInstance(ResultFormatType.JSON, file.toString()).writeOut(results);
        }
        return done(out, Profile.QUICK, results.size(), file, startNs, failed);
    }

    private static int done(
        final PrintStream out, final Profile profile, final int results, final Path file, final long startNs,
        final List<String> failed)
    {
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
        out.println("Suite: profile " + profile.name().toLowerCase(Locale.ROOT) + ", " + results + " results in " +
            seconds + " s, JSON written to " + file);
        if (!failed.isEmpty())
        {
            out.println("Suite: FAILED: " + String.join(", ", failed));
            return 1;
        }
        return 0;
    }

    /**
     * A param the quick profile fixes must be a {@link Param} field of the class (a misspelt name would otherwise
     * be ignored by JMH), and an enum param's values must be constants of its type.
     */
    private static void checkParam(final Class<?> benchmark, final String name, final String... values)
    {
        final Field field;
        try
        {
            field = benchmark.getDeclaredField(name);
        }
        catch (final NoSuchFieldException ex)
        {
            throw new IllegalArgumentException(benchmark.getSimpleName() + " has no param '" + name + "'", ex);
        }
        if (!field.isAnnotationPresent(Param.class) || 0 == values.length)
        {
            throw new IllegalArgumentException(
                benchmark.getSimpleName() + "." + name + " is not a @Param or has no values");
        }
        final Object[] constants = field.getType().getEnumConstants();
        if (null != constants)
        {
            final List<String> names = Arrays.stream(constants).map(c -> ((Enum<?>)c).name()).toList();
            for (final String value : values)
            {
                if (!names.contains(value))
                {
                    throw new IllegalArgumentException(benchmark.getSimpleName() + "." + name + " has no value '" +
                        value + "'; it has " + names);
                }
            }
        }
    }
}
