/**
 * Turns JMH JSON results and HdrHistogram logs into a Markdown and HTML report.
 */
package dev.ferry.report;
