/**
 * The files a report reads, as records: JMH JSON results, the end-to-end harness's {@code summary.json} with its
 * HdrHistogram {@code .hlog} interval logs, and the objectives. Readers are lenient with unknown fields and name the
 * file in every error.
 */
package dev.ferry.report.input;
