package dev.ferry.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders the page in headless Chromium, as a reader would see it: a screenshot and the DOM after load, in
 * {@code target/test-report} (never {@code target/report}, where CI's real report goes: a fixture page there could
 * pass for it after a CI run that died before its report step). Skipped where Chromium is not installed ({@code apt-get install -y chromium}).
 */
class BrowserRenderTest
{
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_SECONDS = 25;

    private static Path outDir;
    private static Path index;

    @TempDir
    Path profile;

    @BeforeAll
    static void writeReport()
    {
        outDir = Path.of("target", "test-report").toAbsolutePath();
        index = Fixtures.everything().write(outDir).html();
    }

    @Test
    void shouldRenderAScreenshot() throws IOException, InterruptedException
    {
        assumeChromium();
        final Path screenshot = outDir.resolve("screenshot.png");
        Files.deleteIfExists(screenshot);
        final Path log = outDir.resolve("chromium-screenshot.log");
        final int exit = chromium(log, log, "--screenshot=" + screenshot, "--window-size=1280,2000");
        assertEquals(0, exit, () -> "chromium failed; see " + log);
        assertTrue(Files.size(screenshot) > 10_000, "an empty screenshot");
        final byte[] head = new byte[ChartImages.PNG_SIGNATURE.length];
        System.arraycopy(Files.readAllBytes(screenshot), 0, head, 0, head.length);
        assertArrayEquals(ChartImages.PNG_SIGNATURE, head);
    }

    @Test
    void shouldRenderEveryChartWithoutAnError() throws IOException, InterruptedException
    {
        assumeChromium();
        final Path dom = outDir.resolve("dom.html");
        final Path log = outDir.resolve("chromium-dom.log");
        final int exit = chromium(dom, log, "--dump-dom");
        assertEquals(0, exit, () -> "chromium failed; see " + log);
        final String text = Files.readString(dom);
        assertTrue(text.contains("Ferry performance report"), "the page loaded");
        final List<String> charts = ChartImages.of(text).stream().map(ChartImages.Chart::id).toList();
        for (int chart = 1; chart <= 5; chart++)
        {
            assertTrue(charts.contains("chart-" + chart), "chart " + chart + " is in the DOM as an inline PNG");
        }
        assertEquals(5, charts.size(), "5 charts");
        assertFalse(ChartImages.withoutImageData(text).toLowerCase(Locale.ROOT).contains("error"),
            "the page says error somewhere");
    }

    private int chromium(final Path stdout, final Path stderr, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
            "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        command.add(index.toUri().toString());
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile());
        if (stdout.equals(stderr))
        {
            builder.redirectErrorStream(true);
        }
        else
        {
            builder.redirectError(stderr.toFile());
        }
        final Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
        }
        return process.exitValue();
    }

    private static void assumeChromium()
    {
        assumeTrue(Files.isExecutable(CHROMIUM), "skipped: no " + CHROMIUM +
            " to render the report (CI installs it with apt-get install -y chromium)");
    }
}
