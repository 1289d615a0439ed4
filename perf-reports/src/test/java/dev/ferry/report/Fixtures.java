package dev.ferry.report;

import dev.ferry.report.input.JmhMetric;
import dev.ferry.report.input.JmhResult;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The checked-in fixtures under {@code src/test/resources}: a run ({@code run/}: a JMH file and a harness directory),
 * a committed baseline ({@code baseline/}) and objectives.
 */
final class Fixtures
{
    static final Instant GENERATED_AT = Instant.parse("2026-11-22T02:00:00Z");

    private Fixtures()
    {
    }

    static Path resource(final String relative)
    {
        final URL url = Fixtures.class.getResource("/" + relative);
        if (null == url)
        {
            throw new IllegalStateException("no test resource " + relative);
        }
        try
        {
            return Path.of(url.toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static Path runJmh()
    {
        return resource("run/jmh-result.json");
    }

    static Path runBench()
    {
        return resource("run/bench");
    }

    static Path baseline()
    {
        return resource("baseline");
    }

    static Path objectives()
    {
        return resource("objectives.json");
    }

    static JmhResult jmh(
        final String benchmark,
        final String mode,
        final Map<String, String> params,
        final double score,
        final double error,
        final String unit)
    {
        return new JmhResult("1.37", benchmark, mode, 1, 1, null, null, "25", null, null, 1, "1 s", 1, "1 s", params,
            new JmhMetric(score, error, unit), Map.of());
    }

    static Result throughput(final String name, final double value, final double error)
    {
        return new Result(name, Source.BENCH, "throughput", name, Map.of(), Kind.THROUGHPUT, "throughput", value,
            error, "entries/s", null, Double.NaN, null, Path.of("summary.json"));
    }

    static ReportBuilder everything()
    {
        return new ReportBuilder()
            .jmh(runJmh())
            .bench(runBench())
            .baseline(baseline())
            .objectives(objectives())
            .generatedAt(GENERATED_AT);
    }
}
