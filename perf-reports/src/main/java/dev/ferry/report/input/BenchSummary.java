package dev.ferry.report.input;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * The end-to-end harness's {@code summary.json}.
 *
 * @param kind      {@value #KIND}.
 * @param version   the format version, {@value #VERSION} so far.
 * @param startedAt when the run started, ISO-8601.
 * @param command   the command line that ran it.
 * @param host      the machine.
 * @param config    the run's settings, shown as they are.
 * @param results   the measurements.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BenchSummary(
    String kind,
    Integer version,
    String startedAt,
    String command,
    Host host,
    Map<String, Object> config,
    List<BenchResult> results)
{
    /** The expected {@code kind}. */
    public static final String KIND = "ferry-bench";
    /** The format version this reader was written for; later versions are read as far as they agree. */
    public static final int VERSION = 1;
    /** The file name inside a harness output directory. */
    public static final String FILE_NAME = "summary.json";

    /**
     * The machine the harness ran on.
     *
     * @param cores available processors.
     * @param java  the Java version.
     * @param os    the operating system.
     * @param cpu   the processor model, when known.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Host(Integer cores, String java, String os, String cpu)
    {
    }
}
