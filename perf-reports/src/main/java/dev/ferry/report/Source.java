package dev.ferry.report;

/**
 * Where a result came from.
 */
public enum Source
{
    /** A JMH JSON result file. */
    JMH,
    /** The end-to-end harness's {@code summary.json}. */
    BENCH
}
