package dev.ferry.report.input;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * One element of a JMH {@code -rf json} result file. Fields JMH adds later are ignored.
 *
 * @param jmhVersion            the JMH version.
 * @param benchmark             the benchmark's full name: {@code package.Class.method}.
 * @param mode                  {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}.
 * @param threads               worker threads.
 * @param forks                 forks.
 * @param jvm                   the forked JVM's executable.
 * @param jvmArgs               the forked JVM's arguments.
 * @param jdkVersion            the JDK version.
 * @param vmName                the VM name.
 * @param vmVersion             the VM version.
 * @param warmupIterations      warm-up iterations.
 * @param warmupTime            warm-up time per iteration, as JMH prints it.
 * @param measurementIterations measured iterations.
 * @param measurementTime       time per measured iteration.
 * @param params                the {@code @Param} values, or {@code null} when there are none.
 * @param primaryMetric         the score.
 * @param secondaryMetrics      profiler and auxiliary counters, e.g. {@code gc.alloc.rate.norm}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JmhResult(
    String jmhVersion,
    String benchmark,
    String mode,
    Integer threads,
    Integer forks,
    String jvm,
    List<String> jvmArgs,
    String jdkVersion,
    String vmName,
    String vmVersion,
    Integer warmupIterations,
    String warmupTime,
    Integer measurementIterations,
    String measurementTime,
    Map<String, String> params,
    JmhMetric primaryMetric,
    Map<String, JmhMetric> secondaryMetrics)
{
    /** The secondary metric JMH's GC profiler reports as bytes allocated per operation. */
    public static final String ALLOC_RATE_NORM = "gc.alloc.rate.norm";

    /**
     * @return the class part of {@link #benchmark()}.
     */
    public String benchmarkClass()
    {
        final int dot = benchmark.lastIndexOf('.');
        return dot < 0 ? "" : benchmark.substring(0, dot);
    }

    /**
     * @return the method part of {@link #benchmark()}.
     */
    public String method()
    {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /**
     * @return bytes allocated per operation from the GC profiler, NaN when it did not run.
     */
    public double allocBytesPerOp()
    {
        final JmhMetric metric = null == secondaryMetrics ? null : secondaryMetrics.get(ALLOC_RATE_NORM);
        return null == metric || null == metric.score() ? Double.NaN : metric.score();
    }
}
