/**
 * Rendering: number formats, the JFreeChart charts drawn to inline SVG by JFreeSVG, and the HTML and Markdown pages.
 */
package dev.ferry.report.internal;
