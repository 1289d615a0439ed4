package dev.ferry.report.input;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the report's input files. Every failure is a {@link ReportInputException} naming the file.
 */
public final class Inputs
{
    /** Significant digits of the histogram that accumulates an interval log's intervals. */
    public static final int HISTOGRAM_DIGITS = 3;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .build();

    private Inputs()
    {
    }

    /**
     * Read a JMH {@code -rf json} result file.
     *
     * @param file the file.
     * @return its results, in file order.
     * @throws ReportInputException if it cannot be read or a result lacks its benchmark, mode or score.
     */
    public static List<JmhResult> readJmh(final Path file)
    {
        final List<JmhResult> results = readJson(file, new TypeReference<List<JmhResult>>()
        {
        }, "a JSON array of JMH results");
        for (int i = 0; i < results.size(); i++)
        {
            final JmhResult result = results.get(i);
            if (null == result)
            {
                throw new ReportInputException(file, "JMH result #" + (i + 1) + " is null");
            }
            if (isBlank(result.benchmark()) || isBlank(result.mode()))
            {
                throw new ReportInputException(file, "JMH result #" + (i + 1) + " has no benchmark or mode");
            }
            if (null == result.primaryMetric() || null == result.primaryMetric().score())
            {
                throw new ReportInputException(file, "JMH result #" + (i + 1) + " (" + result.benchmark() +
                    ") has no primaryMetric.score");
            }
        }
        return results;
    }

    /**
     * Read the harness's {@code summary.json}.
     *
     * @param dirOrFile the harness output directory, or the summary file itself.
     * @return the summary.
     * @throws ReportInputException if it cannot be read, is of another kind, or a result lacks what its kind needs.
     */
    public static BenchSummary readBench(final Path dirOrFile)
    {
        final Path file = summaryFile(dirOrFile);
        final BenchSummary summary = readJson(file, new TypeReference<BenchSummary>()
        {
        }, "a ferry-bench summary object");
        if (null == summary)
        {
            throw new ReportInputException(file, "empty summary");
        }
        if (null != summary.kind() && !BenchSummary.KIND.equals(summary.kind()))
        {
            throw new ReportInputException(file, "kind is \"" + summary.kind() + "\", expected \"" +
                BenchSummary.KIND + "\"");
        }
        if (null == summary.results())
        {
            throw new ReportInputException(file, "no \"results\" array");
        }
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < summary.results().size(); i++)
        {
            final BenchResult result = summary.results().get(i);
            final String where = "result #" + (i + 1);
            if (null == result || isBlank(result.name()))
            {
                throw new ReportInputException(file, where + " has no name");
            }
            if (names.contains(result.name()))
            {
                throw new ReportInputException(file, where + ": duplicate name " + result.name());
            }
            names.add(result.name());
            if (BenchResult.LATENCY.equals(result.kind()))
            {
                if (isBlank(result.hlog()) && (null == result.percentiles() || result.percentiles().isEmpty()))
                {
                    throw new ReportInputException(file, where + " (" + result.name() +
                        ") is a latency with neither an hlog nor percentiles");
                }
            }
            else if (BenchResult.THROUGHPUT.equals(result.kind()) || BenchResult.TIME.equals(result.kind()))
            {
                if (null == result.value())
                {
                    throw new ReportInputException(file, where + " (" + result.name() + ") has no value");
                }
            }
            else
            {
                throw new ReportInputException(file, where + " (" + result.name() + ") has kind \"" +
                    result.kind() + "\", expected \"" + BenchResult.THROUGHPUT + "\", \"" + BenchResult.TIME +
                    "\" or \"" + BenchResult.LATENCY + "\"");
            }
        }
        for (final BenchResult result : summary.results())
        {
            if (null != result.baseline() && !names.contains(result.baseline()))
            {
                throw new ReportInputException(file, result.name() + ": baseline " + result.baseline() +
                    " is not a result of this run");
            }
        }
        return summary;
    }

    /**
     * @param dirOrFile a harness output directory or its summary file.
     * @return the summary file.
     */
    public static Path summaryFile(final Path dirOrFile)
    {
        final Path name = dirOrFile.getFileName();
        final boolean file = Files.isRegularFile(dirOrFile) ||
            (!Files.isDirectory(dirOrFile) && null != name && name.toString().endsWith(".json"));
        return file ? dirOrFile : dirOrFile.resolve(BenchSummary.FILE_NAME);
    }

    /**
     * Read an objectives file: a JSON array of {@link Objective}.
     *
     * @param file the file.
     * @return the objectives, in file order.
     * @throws ReportInputException if it cannot be read or an objective is incomplete.
     */
    public static List<Objective> readObjectives(final Path file)
    {
        final List<Objective> objectives = readJson(file, new TypeReference<List<Objective>>()
        {
        }, "a JSON array of objectives");
        for (int i = 0; i < objectives.size(); i++)
        {
            final Objective objective = objectives.get(i);
            final String where = "objective #" + (i + 1);
            if (null == objective || isBlank(objective.name()))
            {
                throw new ReportInputException(file, where + " has no name");
            }
            if (isBlank(objective.metric()) == isBlank(objective.jmh()))
            {
                throw new ReportInputException(file, where + " (" + objective.name() +
                    ") needs exactly one of \"metric\" and \"jmh\"");
            }
            if (null == objective.max() && null == objective.min())
            {
                throw new ReportInputException(file, where + " (" + objective.name() +
                    ") needs \"max\" or \"min\"");
            }
        }
        return objectives;
    }

    /**
     * Read an HdrHistogram interval log written by {@code HistogramLogWriter} and add up all its intervals.
     *
     * @param file the {@code .hlog} file.
     * @return the sum of its interval histograms, in the log's unit (nanoseconds for Ferry's harness).
     * @throws ReportInputException if it cannot be read, has no interval, or holds double histograms.
     */
    public static Histogram readHlog(final Path file)
    {
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            throw new ReportInputException(file, "HdrHistogram log is missing or not readable");
        }
        try (HistogramLogReader reader = new HistogramLogReader(file.toFile()))
        {
            final Histogram total = new Histogram(HISTOGRAM_DIGITS);
            int intervals = 0;
            EncodableHistogram interval;
            while (null != (interval = reader.nextIntervalHistogram()))
            {
                if (!(interval instanceof Histogram histogram))
                {
                    throw new ReportInputException(file, "interval " + (intervals + 1) + " is a " +
                        interval.getClass().getSimpleName() + "; expected integer histograms of nanoseconds");
                }
                total.add(histogram);
                intervals++;
            }
            if (0 == intervals)
            {
                throw new ReportInputException(file, "no interval histograms in the HdrHistogram log");
            }
            return total;
        }
        catch (final FileNotFoundException ex)
        {
            throw new ReportInputException(file, "HdrHistogram log is missing or not readable", ex);
        }
        catch (final ReportInputException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new ReportInputException(file, "not a readable HdrHistogram interval log (" + ex + ")", ex);
        }
    }

    /**
     * The result files in a directory of results such as a committed baseline: {@code jmh*.json} files and
     * directories holding a {@code summary.json}, searched three levels deep, in name order.
     *
     * @param dir the directory.
     * @return what it holds.
     * @throws ReportInputException if it is not a readable directory.
     */
    public static ResultFiles scan(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new ReportInputException(dir, "not a directory");
        }
        final List<Path> jmh = new ArrayList<>();
        final List<Path> bench = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir, 3))
        {
            files.filter(Files::isRegularFile).sorted().forEach((path) ->
            {
                final String name = path.getFileName().toString();
                if (BenchSummary.FILE_NAME.equals(name))
                {
                    bench.add(path.getParent());
                }
                else if (name.startsWith("jmh") && name.endsWith(".json"))
                {
                    jmh.add(path);
                }
            });
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new ReportInputException(dir, "cannot list the directory (" + ex.getMessage() + ")", ex);
        }
        return new ResultFiles(List.copyOf(jmh), List.copyOf(bench));
    }

    private static <T> T readJson(final Path file, final TypeReference<T> type, final String expected)
    {
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            throw new ReportInputException(file, "missing or not readable");
        }
        try
        {
            final T value = MAPPER.readValue(file.toFile(), type);
            if (null == value)
            {
                throw new ReportInputException(file, "empty; expected " + expected);
            }
            return value;
        }
        catch (final JacksonException ex)
        {
            final JsonLocation location = ex.getLocation();
            final String at = null == location ? "" : " at line " + location.getLineNr() + ", column " +
                location.getColumnNr();
            throw new ReportInputException(file, "malformed JSON" + at + ", expected " + expected + ": " +
                firstLine(ex.getOriginalMessage()), ex);
        }
        catch (final IOException ex)
        {
            throw new ReportInputException(file, "cannot read (" + ex.getMessage() + ")", ex);
        }
    }

    private static String firstLine(final String message)
    {
        if (null == message)
        {
            return "";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static boolean isBlank(final String value)
    {
        return null == value || value.isBlank();
    }

    /**
     * The result files found in a directory.
     *
     * @param jmh   JMH result files.
     * @param bench harness output directories.
     */
    public record ResultFiles(List<Path> jmh, List<Path> bench)
    {
        /**
         * @return whether nothing was found.
         */
        public boolean isEmpty()
        {
            return jmh.isEmpty() && bench.isEmpty();
        }
    }
}
