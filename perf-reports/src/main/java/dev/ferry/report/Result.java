package dev.ferry.report;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One measured result, from JMH or the harness, in one shape.
 *
 * @param id              unique within a run: a harness name, or a JMH benchmark with its params and mode; the key
 *                        that matches a result to its committed baseline.
 * @param source          where it came from.
 * @param group           the JMH benchmark class, or the harness kind.
 * @param name            the JMH method, or the harness name.
 * @param params          JMH {@code @Param} values, in the file's order; empty for the harness.
 * @param kind            what it measures and so which way is better.
 * @param mode            the JMH mode or the harness kind, as written.
 * @param value           the score or throughput; for a latency, its 99th percentile in microseconds.
 * @param error           the score's error (half-width), NaN when not measured.
 * @param unit            the unit of {@code value}.
 * @param baselineId      the id of this run's result it is a ratio to, or {@code null}.
 * @param allocBytesPerOp JMH's {@code gc.alloc.rate.norm}, NaN when not measured.
 * @param latency         the distribution of a latency result, else {@code null}.
 * @param file            the file it was read from.
 */
public record Result(
    String id,
    Source source,
    String group,
    String name,
    Map<String, String> params,
    Kind kind,
    String mode,
    double value,
    double error,
    String unit,
    String baselineId,
    double allocBytesPerOp,
    Latency latency,
    Path file)
{
    /** Bytes per operation above which a benchmark is marked as allocating on its hot path. */
    public static final double ALLOC_LIMIT_BYTES_PER_OP = 1.0;

    /**
     * @param benchmark a JMH benchmark's full name.
     * @param params    its params.
     * @param mode      its mode.
     * @return the id of that result; params in name order, so a reordering does not break the match.
     */
    public static String jmhId(final String benchmark, final Map<String, String> params, final String mode)
    {
        return benchmark + paramsText(null == params ? null : new TreeMap<>(params), "{", "}") + " " + mode;
    }

    /**
     * @return for JMH, the benchmark's full name {@code package.Class.method}; for the harness, the name.
     */
    public String benchmark()
    {
        return Source.JMH == source ? group + "." + name : name;
    }

    /**
     * @return a short name for tables: {@code Class.method size=64} or the harness name.
     */
    public String label()
    {
        if (Source.BENCH == source)
        {
            return name;
        }
        final String simpleClass = group.substring(group.lastIndexOf('.') + 1);
        return simpleClass + "." + name + paramsText(params, " ", "");
    }

    /**
     * @return the params as {@code k=v, k=v}, empty when there are none.
     */
    public String paramsText()
    {
        return paramsText(params, "", "");
    }

    /**
     * @return whether the error was measured: finite and above zero.
     */
    public boolean hasError()
    {
        return Double.isFinite(error) && error > 0;
    }

    /**
     * @return whether JMH's GC profiler measured more than {@value #ALLOC_LIMIT_BYTES_PER_OP} B/op.
     */
    public boolean allocates()
    {
        return allocBytesPerOp > ALLOC_LIMIT_BYTES_PER_OP;
    }

    private static String paramsText(final Map<String, String> params, final String prefix, final String suffix)
    {
        if (null == params || params.isEmpty())
        {
            return "";
        }
        return params.entrySet().stream()
            .map((entry) -> entry.getKey() + "=" + entry.getValue())
            .collect(Collectors.joining(", ", prefix, suffix));
    }
}
