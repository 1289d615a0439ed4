package dev.ferry.report.internal;

import dev.ferry.report.Latency;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Charts drawn by JFreeChart into PNG images at {@value #SCALE}× their size for sharpness, returned as {@code <img>}
 * elements with the image inline as a {@code data:} URI, so they reference nothing outside the page; the page scales
 * them to their container.
 */
public final class Charts
{
    static
    {
        // Before any AWT class loads: draw off-screen, never open a display connection (or a Dock icon).
        if (null == System.getProperty("java.awt.headless"))
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Colours for results, safe for colour-blind readers (Okabe and Ito). */
    public static final List<Color> PALETTE = List.of(
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00),
        new Color(0x56B4E9), new Color(0x000000));
    /** The colour of a same-run baseline. */
    public static final Color BASELINE = new Color(0x9A9A9A);
    /** The chart width in CSS pixels, as in the {@code <img>}'s {@code width}; the page scales it. */
    public static final int WIDTH = 880;
    /** Image pixels per CSS pixel: the PNG is drawn this many times the chart's size. */
    public static final int SCALE = 2;

    private static final Color GRID = new Color(0xE3E6EA);
    private static final Color TEXT = new Color(0x333B44);
    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final double LOG_RANGE_ABOVE = 50.0;

    private Charts()
    {
    }

    /**
     * A line of a percentile chart.
     *
     * @param label  the legend's text.
     * @param points the curve.
     * @param color  its colour.
     * @param dashed dashed (a committed baseline) or solid.
     * @param marks  whether to mark the points (a curve of a few tabled percentiles).
     */
    public record Line(String label, List<Latency.Point> points, Color color, boolean dashed, boolean marks)
    {
    }

    /**
     * A bar of a bar chart.
     *
     * @param series   the series: the JMH method, or the harness result.
     * @param category the group: the JMH params, or the harness result.
     * @param value    the score.
     * @param error    its error, NaN for none.
     * @param color    its colour.
     */
    public record Bar(String series, String category, double value, double error, Color color)
    {
    }

    /**
     * A latency-by-percentile chart the HdrHistogram way: x is the percentile on a log scale of 1/(1-p), labelled
     * 0%, 90%, 99%, 99.9%…; y is the latency in microseconds.
     *
     * @param id    a page-unique id for the {@code <img>}.
     * @param lines the curves.
     * @return the {@code <img>} element.
     */
    public static String latency(final String id, final List<Line> lines)
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        double maxX = 1e5;
        int series = 0;
        for (final Line line : lines)
        {
            final XYSeries xy = new XYSeries(line.label(), false, true);
            for (final Latency.Point point : line.points())
            {
                final double x = 1.0 / (1.0 - point.percentile() / 100.0);
                xy.add(x, point.micros());
                maxX = Math.max(maxX, x);
            }
            dataset.addSeries(xy);
            renderer.setSeriesPaint(series, line.color());
            renderer.setSeriesStroke(series, line.dashed() ?
                new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f) :
                new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            renderer.setSeriesShapesVisible(series, line.marks());
            renderer.setSeriesShape(series, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            series++;
        }
        final LogAxis x = new LogAxis("percentile");
        x.setRange(1.0, Math.pow(10, Math.ceil(Math.log10(maxX) - 1e-9)));
        x.setTickUnit(new NumberTickUnit(1.0), true, true);
        x.setNumberFormatOverride(new PercentileFormat());
        x.setMinorTickMarksVisible(true);
        final NumberAxis y = new NumberAxis("latency (µs)");
        y.setAutoRangeIncludesZero(true);
        final XYPlot plot = new XYPlot(dataset, x, y, renderer);
        style(plot.getDomainAxis());
        style(plot.getRangeAxis());
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        final StringJoiner alt = new StringJoiner("; ", "Latency in µs by percentile: ", "");
        lines.forEach((line) -> alt.add(line.label()));
        return img(chart(plot), id, alt.toString(), WIDTH, 420);
    }

    /**
     * Horizontal bars with error bars (JMH's score ± error), one group per category, on a log scale when the
     * values span more than {@value #LOG_RANGE_ABOVE} times.
     *
     * @param id        a page-unique id.
     * @param axisLabel the value axis's label: unit and direction.
     * @param bars      the bars, in order.
     * @return the {@code <img>} element.
     */
    public static String bars(final String id, final String axisLabel, final List<Bar> bars)
    {
        final DefaultStatisticalCategoryDataset dataset = new DefaultStatisticalCategoryDataset();
        final Set<String> series = new LinkedHashSet<>();
        final Set<String> categories = new LinkedHashSet<>();
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (final Bar bar : bars)
        {
            final Number error = Double.isFinite(bar.error()) && bar.error() > 0 ? Double.valueOf(bar.error()) : null;
            dataset.add(Double.valueOf(bar.value()), error, bar.series(), bar.category());
            series.add(bar.series());
            categories.add(bar.category());
            if (bar.value() > 0)
            {
                min = Math.min(min, bar.value());
                max = Math.max(max, bar.value());
            }
        }
        final List<Color> colors = new ArrayList<>();
        for (final Bar bar : bars)
        {
            if (colors.size() == dataset.getRowIndex(bar.series()))
            {
                colors.add(bar.color());
            }
        }
        final boolean singleSeries = 1 == series.size();
        final List<Color> columnColors = new ArrayList<>();
        bars.forEach((bar) -> columnColors.add(bar.color()));
        final StatisticalBarRenderer renderer = new ColouredBars(singleSeries ? columnColors : List.of());
        for (int i = 0; i < colors.size(); i++)
        {
            renderer.setSeriesPaint(i, colors.get(i));
        }
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setErrorIndicatorPaint(TEXT);
        renderer.setErrorIndicatorStroke(new BasicStroke(1.2f));
        renderer.setItemMargin(0.05);
        renderer.setMaximumBarWidth(0.2);

        final boolean log = min > 0 && max / min > LOG_RANGE_ABOVE;
        final ValueAxis value;
        if (log)
        {
            final LogAxis axis = new LogAxis(axisLabel + ", log scale");
            axis.setBase(10);
            axis.setSmallestValue(min / 2);
            axis.setTickUnit(new NumberTickUnit(1.0), true, true);
            axis.setNumberFormatOverride(new ShortNumberFormat());
            value = axis;
            renderer.setBase(min / 4);
        }
        else
        {
            final NumberAxis axis = new NumberAxis(axisLabel);
            axis.setAutoRangeIncludesZero(true);
            axis.setNumberFormatOverride(new ShortNumberFormat());
            value = axis;
        }
        final CategoryAxis category = new CategoryAxis(null);
        category.setCategoryMargin(singleSeries ? 0.25 : 0.3);
        category.setMaximumCategoryLabelWidthRatio(0.3f);
        category.setMaximumCategoryLabelLines(2);
        final CategoryPlot plot = new CategoryPlot(dataset, category, value, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        style(category);
        style(value);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setRangeGridlinePaint(GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        final JFreeChart chart = chart(plot);
        if (singleSeries)
        {
            chart.removeLegend();
        }
        final int perCategory = Math.max(26, series.size() * 18 + 12);
        final int height = 80 + categories.size() * perCategory + (singleSeries ? 0 : 30);
        final StringJoiner alt = new StringJoiner("; ", "Bar chart of " + axisLabel + (log ? ", log scale" : "") +
            ": ", "");
        for (final Bar bar : bars)
        {
            alt.add((singleSeries ? bar.category() : bar.series() + " (" + bar.category() + ")") + " " +
                Format.withError(bar.value(), bar.error()));
        }
        return img(chart, id, alt.toString(), WIDTH, height);
    }

    private static JFreeChart chart(final org.jfree.chart.plot.Plot plot)
    {
        final JFreeChart chart = new JFreeChart(null, LABEL_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 4, 4, 30));
        chart.setAntiAlias(true);
        final LegendTitle legend = chart.getLegend();
        if (null != legend)
        {
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setFrame(BlockBorder.NONE);
            legend.setItemFont(LABEL_FONT);
            legend.setItemPaint(TEXT);
            legend.setBackgroundPaint(Color.WHITE);
        }
        return chart;
    }

    private static void style(final org.jfree.chart.axis.Axis axis)
    {
        axis.setLabelFont(LABEL_FONT);
        axis.setLabelPaint(TEXT);
        axis.setTickLabelFont(TICK_FONT);
        axis.setTickLabelPaint(TEXT);
        axis.setAxisLinePaint(new Color(0xB8BEC6));
        axis.setTickMarkPaint(new Color(0xB8BEC6));
    }

    private static String img(final JFreeChart chart, final String id, final String alt, final int width,
        final int height)
    {
        return "<img id=\"" + HtmlPage.esc(id) + "\" alt=\"" + HtmlPage.esc(alt) + "\" width=\"" + width +
            "\" height=\"" + height + "\" src=\"data:image/png;base64," +
            Base64.getEncoder().encodeToString(png(chart, width, height)) + "\">";
    }

    /**
     * @return the chart drawn at {@code width} × {@code height} onto an opaque image {@value #SCALE} times that size,
     *         PNG-encoded.
     */
    private static byte[] png(final JFreeChart chart, final int width, final int height)
    {
        final BufferedImage image = new BufferedImage(width * SCALE, height * SCALE, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g2 = image.createGraphics();
        try
        {
            g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g2.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g2.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g2.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g2.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g2.setPaint(Color.WHITE);
            g2.fillRect(0, 0, image.getWidth(), image.getHeight());
            g2.scale(SCALE, SCALE);
            chart.draw(g2, new Rectangle2D.Double(0, 0, width, height));
        }
        finally
        {
            g2.dispose();
        }
        try
        {
            return ChartUtils.encodeAsPNG(image, false, 9);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot encode a chart as PNG", ex);
        }
    }

    /**
     * Bars coloured one by one, for a single series of results with their baselines grey.
     */
    private static final class ColouredBars extends StatisticalBarRenderer
    {
        @Serial
        private static final long serialVersionUID = 1L;

        private final Color[] columnColors;

        ColouredBars(final List<Color> columnColors)
        {
            this.columnColors = columnColors.toArray(new Color[0]);
        }

        @Override
        public Paint getItemPaint(final int row, final int column)
        {
            return column < columnColors.length ? columnColors[column] : super.getItemPaint(row, column);
        }
    }

    /**
     * Formats x = 1/(1-p) as the percentile p: 1 as 0%, 10 as 90%, 1000 as 99.9%.
     */
    static final class PercentileFormat extends NumberFormat
    {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(final double x, final StringBuffer out, final FieldPosition position)
        {
            if (x < 1)
            {
                return out;
            }
            final BigDecimal hundred = BigDecimal.valueOf(100);
            final BigDecimal percent = hundred.subtract(hundred.divide(new BigDecimal(x), new MathContext(12)))
                .round(new MathContext(Math.max(2, (int)Math.ceil(Math.log10(x)) + 2)));
            return out.append(percent.stripTrailingZeros().toPlainString()).append('%');
        }

        @Override
        public StringBuffer format(final long x, final StringBuffer out, final FieldPosition position)
        {
            return format((double)x, out, position);
        }

        @Override
        public Number parse(final String source, final ParsePosition position)
        {
            return null;
        }
    }

    /**
     * Axis numbers: grouped, without needless decimals.
     */
    static final class ShortNumberFormat extends NumberFormat
    {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(final double value, final StringBuffer out, final FieldPosition position)
        {
            return out.append(Format.number(value));
        }

        @Override
        public StringBuffer format(final long value, final StringBuffer out, final FieldPosition position)
        {
            return out.append(Format.number(value));
        }

        @Override
        public Number parse(final String source, final ParsePosition position)
        {
            return null;
        }
    }
}
