/**
 * Turns benchmark results into a report: {@link dev.ferry.report.Report} is the {@code ferry report} command,
 * {@link dev.ferry.report.ReportBuilder} the library API. Inputs are files only (JMH JSON, the harness's
 * {@code summary.json} with HdrHistogram logs, objectives, a committed baseline); the {@link dev.ferry.report.Analysis}
 * holds each result, its ratio to its same-run baseline, its verdict against the committed baseline and each
 * objective's outcome; the output is one self-contained {@code index.html} and a {@code report.md}.
 */
package dev.ferry.report;
