package dev.ferry.report;

import dev.ferry.report.input.BenchSummary;
import dev.ferry.report.input.JmhResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The metadata of each input run, for the report's header.
 */
final class RunInfos
{
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
        .withZone(ZoneOffset.UTC);
    private static final String NOT_RECORDED = "not recorded";

    private RunInfos()
    {
    }

    static RunInfo ofBench(final Path dir, final BenchSummary summary)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Date", null == summary.startedAt() ? NOT_RECORDED : date(summary.startedAt()));
        final BenchSummary.Host host = summary.host();
        fields.put("JVM", null == host || null == host.java() ? NOT_RECORDED : "Java " + host.java());
        fields.put("Cores", null == host || null == host.cores() ? NOT_RECORDED : host.cores().toString());
        if (null != host && null != host.os())
        {
            fields.put("OS", host.os());
        }
        if (null != host && null != host.cpu())
        {
            fields.put("CPU", host.cpu());
        }
        fields.put("Command", null == summary.command() ? NOT_RECORDED : summary.command());
        if (null != summary.config() && !summary.config().isEmpty())
        {
            fields.put("Config", summary.config().entrySet().stream()
                .map((e) -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ")));
        }
        fields.put("Results", Integer.toString(summary.results().size()));
        return new RunInfo("Harness run", dir.toString(), Collections.unmodifiableMap(fields));
    }

    static RunInfo ofJmh(final Path file, final List<JmhResult> records)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Date", modified(file) + " (file time)");
        if (records.isEmpty())
        {
            fields.put("Results", "0");
            return new RunInfo("JMH run", file.toString(), Collections.unmodifiableMap(fields));
        }
        final JmhResult first = records.getFirst();
        final String vm = join(first.vmName(), first.vmVersion()) +
            (null == first.jdkVersion() ? "" : " (JDK " + first.jdkVersion() + ")");
        fields.put("JVM", vm.isBlank() ? NOT_RECORDED : vm.trim());
        fields.put("Cores", NOT_RECORDED + " by JMH");
        final String command = join("JMH " + Objects.requireNonNullElse(first.jmhVersion(), ""),
            null == first.jvm() ? "" : "with " + first.jvm());
        fields.put("Command", command);
        final String settings = uniform(records, RunInfos::settings);
        if (!settings.isBlank())
        {
            fields.put("Settings", settings);
        }
        if (null != first.jvmArgs() && !first.jvmArgs().isEmpty())
        {
            fields.put("JVM args", uniform(records, (r) -> null == r.jvmArgs() ? "" : String.join(" ", r.jvmArgs())));
        }
        fields.put("Results", Integer.toString(records.size()));
        return new RunInfo("JMH run", file.toString(), Collections.unmodifiableMap(fields));
    }

    private static String settings(final JmhResult r)
    {
        final List<String> parts = new ArrayList<>();
        if (null != r.forks())
        {
            parts.add(plural(r.forks(), "fork"));
        }
        if (null != r.threads())
        {
            parts.add(plural(r.threads(), "thread"));
        }
        if (null != r.warmupIterations())
        {
            parts.add("warm-up " + r.warmupIterations() + " × " + Objects.requireNonNullElse(r.warmupTime(), "?"));
        }
        if (null != r.measurementIterations())
        {
            parts.add("measurement " + r.measurementIterations() + " × " +
                Objects.requireNonNullElse(r.measurementTime(), "?"));
        }
        return String.join(", ", parts);
    }

    private static String uniform(final List<JmhResult> records, final Function<JmhResult, String> field)
    {
        final List<String> values = records.stream().map(field).distinct().toList();
        return 1 == values.size() ? values.getFirst() : values.getFirst() + " (varies by benchmark)";
    }

    private static String plural(final int n, final String word)
    {
        return n + " " + word + (1 == n ? "" : "s");
    }

    private static String join(final String a, final String b)
    {
        return (Objects.requireNonNullElse(a, "") + " " + Objects.requireNonNullElse(b, "")).trim();
    }

    private static String date(final String iso)
    {
        try
        {
            return DATE.format(Instant.parse(iso));
        }
        catch (final java.time.format.DateTimeParseException ex)
        {
            return iso;
        }
    }

    private static String modified(final Path file)
    {
        try
        {
            return DATE.format(Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS));
        }
        catch (final IOException ex)
        {
            return NOT_RECORDED;
        }
    }
}
