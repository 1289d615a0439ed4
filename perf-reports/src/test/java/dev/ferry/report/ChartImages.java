package dev.ferry.report;

import dev.ferry.report.internal.Charts;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The charts of a page as written or as a browser serialises its DOM: {@code <img>} elements whose {@code src} is an
 * inline base64 PNG, drawn at {@link Charts#SCALE} times the size their {@code width} and {@code height} give.
 */
final class ChartImages
{
    static final String DATA_PNG = "data:image/png;base64,";
    static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static final Pattern IMG = Pattern.compile("<img((?:\\s+[\\w-]+=\"[^\"]*\")*)\\s*/?>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");
    private static final Pattern INLINE_PNG = Pattern.compile(Pattern.quote(DATA_PNG) + "[A-Za-z0-9+/=]*");

    private ChartImages()
    {
    }

    /**
     * An {@code <img>} chart.
     *
     * @param id     its id.
     * @param alt    its alternative text, as in the markup.
     * @param width  its {@code width} in CSS pixels.
     * @param height its {@code height} in CSS pixels.
     * @param png    the decoded {@code src}.
     */
    record Chart(String id, String alt, int width, int height, byte[] png)
    {
    }

    /**
     * @param html a page.
     * @return its {@code <img>} elements, in order, each checked to be a chart: an id, an alternative text, a size
     *         and a {@code src} that is a non-empty base64 PNG decoding to an image of {@link Charts#SCALE} times
     *         that size.
     */
    static List<Chart> of(final String html)
    {
        final List<Chart> charts = new ArrayList<>();
        final Matcher img = IMG.matcher(html);
        while (img.find())
        {
            final Map<String, String> attributes = new LinkedHashMap<>();
            final Matcher attribute = ATTRIBUTE.matcher(img.group(1));
            while (attribute.find())
            {
                attributes.put(attribute.group(1), attribute.group(2));
            }
            final String id = attributes.getOrDefault("id", "");
            assertFalse(id.isEmpty(), () -> "an image without an id: " + attributes.keySet());
            final String alt = attributes.getOrDefault("alt", "");
            assertFalse(alt.isBlank(), () -> id + " has no alternative text");
            final String src = attributes.getOrDefault("src", "");
            assertTrue(src.startsWith(DATA_PNG), () -> id + " is not an inline PNG: " + abbreviate(src));
            final String base64 = src.substring(DATA_PNG.length());
            assertFalse(base64.isEmpty(), () -> id + " has an empty PNG");
            final Chart chart = new Chart(id, alt, number(attributes, id, "width"), number(attributes, id, "height"),
                decode(id, base64));
            checkPng(chart);
            charts.add(chart);
        }
        return charts;
    }

    /**
     * @param html a page.
     * @return the page with each inline PNG's base64 text left out, for searching the rest for words.
     */
    static String withoutImageData(final String html)
    {
        return INLINE_PNG.matcher(html).replaceAll(DATA_PNG);
    }

    private static void checkPng(final Chart chart)
    {
        final byte[] png = chart.png();
        assertTrue(png.length > PNG_SIGNATURE.length, () -> chart.id() + " is too short to be a PNG");
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, PNG_SIGNATURE.length), () -> chart.id() + " is no PNG");
        final BufferedImage image;
        try
        {
            image = ImageIO.read(new ByteArrayInputStream(png));
        }
        catch (final IOException ex)
        {
            throw new AssertionError(chart.id() + " does not decode: " + ex.getMessage(), ex);
        }
        assertNotNull(image, () -> chart.id() + ": ImageIO cannot read it");
        assertEquals(Charts.WIDTH, chart.width(), () -> chart.id() + "'s width");
        assertTrue(chart.height() > 0, () -> chart.id() + "'s height");
        assertEquals(chart.width() * Charts.SCALE, image.getWidth(), () -> chart.id() + "'s PNG width");
        assertEquals(chart.height() * Charts.SCALE, image.getHeight(), () -> chart.id() + "'s PNG height");
        long drawn = 0;
        for (int y = 0; y < image.getHeight(); y++)
        {
            for (int x = 0; x < image.getWidth(); x++)
            {
                drawn += 0xFFFFFF == (image.getRGB(x, y) & 0xFFFFFF) ? 0 : 1;
            }
        }
        final long pixels = (long)image.getWidth() * image.getHeight();
        final long inked = drawn;
        assertTrue(inked * 100 > pixels, () -> chart.id() + " is nearly blank: " + inked + " of " + pixels + " pixels");
    }

    private static int number(final Map<String, String> attributes, final String id, final String name)
    {
        final String value = attributes.get(name);
        assertNotNull(value, () -> id + " has no " + name);
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            return fail(id + "'s " + name + " is not a number: " + value, ex);
        }
    }

    private static byte[] decode(final String id, final String base64)
    {
        try
        {
            return Base64.getDecoder().decode(base64);
        }
        catch (final IllegalArgumentException ex)
        {
            return fail(id + "'s src is not base64: " + ex.getMessage(), ex);
        }
    }

    private static String abbreviate(final String text)
    {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
