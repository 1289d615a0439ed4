package dev.ferry.report;

import java.util.Map;

/**
 * What a report says about one input run: its date, JVM, cores, command and settings.
 *
 * @param title  {@code Harness run} or {@code JMH run}.
 * @param source the directory or file read.
 * @param fields label to value, in display order.
 */
public record RunInfo(String title, String source, Map<String, String> fields)
{
}
