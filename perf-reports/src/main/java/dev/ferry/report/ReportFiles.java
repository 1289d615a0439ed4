package dev.ferry.report;

import java.nio.file.Path;

/**
 * What {@link ReportBuilder#write(Path)} wrote.
 *
 * @param html     the self-contained page, {@value #HTML}.
 * @param markdown the Markdown summary, {@value #MARKDOWN}.
 * @param analysis what they show.
 */
public record ReportFiles(Path html, Path markdown, Analysis analysis)
{
    /** The page's file name. */
    public static final String HTML = "index.html";
    /** The summary's file name. */
    public static final String MARKDOWN = "report.md";
}
