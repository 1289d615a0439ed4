/**
 * Rendering: number formats, the JFreeChart charts drawn to PNG images inlined in the page, and the HTML and Markdown
 * pages.
 */
package dev.ferry.report.internal;
