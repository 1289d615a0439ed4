package dev.ferry.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A latency distribution in microseconds: a table of percentiles and the percentile curve to plot. From an
 * HdrHistogram interval log (values in nanoseconds, all intervals added up) when the run has one, otherwise from the
 * percentiles the run wrote.
 */
public final class Latency
{
    /** The key of the largest value in {@link #percentiles()}. */
    public static final String MAX = "max";
    /** The percentiles tabled for a distribution read from a log. */
    public static final List<String> TABLE = List.of("50", "90", "99", "99.9", "99.99");
    /** Percentile iteration steps per half-distance to 100%, as HdrHistogram's own percentile output uses. */
    public static final int TICKS_PER_HALF_DISTANCE = 5;

    private static final double NANOS_PER_MICRO = 1000.0;

    private final long count;
    private final Histogram histogram;
    private final Path hlog;
    private final Map<String, Double> percentiles;
    private final List<Point> curve;

    private Latency(
        final long count,
        final Histogram histogram,
        final Path hlog,
        final Map<String, Double> percentiles,
        final List<Point> curve)
    {
        this.count = count;
        this.histogram = histogram;
        this.hlog = hlog;
        this.percentiles = percentiles;
        this.curve = curve;
    }

    /**
     * @param nanos a histogram of nanoseconds; not modified, not kept by the caller afterwards.
     * @param hlog  the log it was read from.
     * @return its distribution in microseconds.
     */
    public static Latency ofHistogram(final Histogram nanos, final Path hlog)
    {
        final Map<String, Double> table = new LinkedHashMap<>();
        for (final String key : TABLE)
        {
            table.put(key, nanos.getValueAtPercentile(Double.parseDouble(key)) / NANOS_PER_MICRO);
        }
        table.put(MAX, nanos.getMaxValue() / NANOS_PER_MICRO);

        final List<Point> curve = new ArrayList<>();
        for (final HistogramIterationValue value : nanos.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double percentile = value.getPercentileLevelIteratedTo();
            if (percentile < 100.0)
            {
                curve.add(new Point(percentile, value.getValueIteratedTo() / NANOS_PER_MICRO));
            }
        }
        return new Latency(
            nanos.getTotalCount(), nanos.copy(), hlog, Collections.unmodifiableMap(table), List.copyOf(curve));
    }

    /**
     * @param byPercentile values by percentile key ({@code "50"}, {@code "p99.9"}, {@code "max"}; {@code "100"} is
     *                     the max).
     * @param unit         their unit: {@code ns}, {@code us} (or {@code µs}), {@code ms} or {@code s}.
     * @param count        the number of samples, or {@code null} when unknown.
     * @return the distribution in microseconds.
     * @throws IllegalArgumentException for an unknown unit or a key that is not a percentile.
     */
    public static Latency ofPercentiles(final Map<String, Double> byPercentile, final String unit, final Long count)
    {
        final double toMicros = microsPer(unit);
        final List<Map.Entry<String, Double>> entries = new ArrayList<>();
        for (final Map.Entry<String, Double> entry : byPercentile.entrySet())
        {
            if (null == entry.getValue() || !Double.isFinite(entry.getValue()))
            {
                throw new IllegalArgumentException("percentile " + entry.getKey() + " has no numeric value");
            }
            entries.add(Map.entry(canonical(entry.getKey()), entry.getValue() * toMicros));
        }
        entries.sort(Comparator.comparingDouble((entry) -> order(entry.getKey())));
        final Map<String, Double> table = new LinkedHashMap<>();
        final List<Point> curve = new ArrayList<>();
        for (final Map.Entry<String, Double> entry : entries)
        {
            table.put(entry.getKey(), entry.getValue());
            if (!MAX.equals(entry.getKey()))
            {
                curve.add(new Point(Double.parseDouble(entry.getKey()), entry.getValue()));
            }
        }
        return new Latency(
            null == count ? -1 : count, null, null, Collections.unmodifiableMap(table), List.copyOf(curve));
    }

    /**
     * @param key a percentile such as {@code "99.90"}, {@code "p99"}, {@code "100"} or {@code "max"}.
     * @return the same percentile as tables key it: {@code "99.9"}, {@code "99"}, {@code "max"}.
     * @throws IllegalArgumentException if it is not a percentile from 0 to 100.
     */
    public static String canonical(final String key)
    {
        String text = key.trim().toLowerCase(Locale.ROOT);
        if (MAX.equals(text))
        {
            return MAX;
        }
        if (text.startsWith("p"))
        {
            text = text.substring(1);
        }
        final BigDecimal value;
        try
        {
            value = new BigDecimal(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("\"" + key + "\" is not a percentile", ex);
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0)
        {
            throw new IllegalArgumentException("\"" + key + "\" is not a percentile from 0 to 100");
        }
        if (0 == value.compareTo(BigDecimal.valueOf(100)))
        {
            return MAX;
        }
        return value.stripTrailingZeros().toPlainString();
    }

    /**
     * @param unit a time unit: {@code ns}, {@code us}, {@code µs}, {@code ms} or {@code s}.
     * @return microseconds in one of it.
     * @throws IllegalArgumentException for another unit.
     */
    public static double microsPer(final String unit)
    {
        return switch (null == unit ? "us" : unit.trim())
        {
            case "ns" -> 1.0 / NANOS_PER_MICRO;
            case "us", "µs", "μs", "micros" -> 1.0;
            case "ms" -> 1000.0;
            case "s" -> 1_000_000.0;
            default -> throw new IllegalArgumentException(
                "unknown latency unit \"" + unit + "\"; expected ns, us, ms or s");
        };
    }

    /**
     * @return the number of samples, or -1 when the run did not say.
     */
    public long count()
    {
        return count;
    }

    /**
     * @return whether this came from an HdrHistogram log.
     */
    public boolean fromHlog()
    {
        return null != histogram;
    }

    /**
     * @return the log it came from, or {@code null}.
     */
    public Path hlog()
    {
        return hlog;
    }

    /**
     * @return microseconds by canonical percentile key, ascending, {@value #MAX} last.
     */
    public Map<String, Double> percentiles()
    {
        return percentiles;
    }

    /**
     * @return the curve to plot: microseconds by percentile, ascending, below 100%.
     */
    public List<Point> curve()
    {
        return curve;
    }

    /**
     * @param percentile a percentile key, see {@link #canonical(String)}.
     * @return microseconds at that percentile: from the histogram when there is one, else from the table; NaN when
     * the run did not record it.
     */
    public double valueAt(final String percentile)
    {
        final String key = canonical(percentile);
        if (null != histogram)
        {
            final double nanos = MAX.equals(key) ? histogram.getMaxValue() :
                histogram.getValueAtPercentile(Double.parseDouble(key));
            return nanos / NANOS_PER_MICRO;
        }
        final Double micros = percentiles.get(key);
        return null == micros ? Double.NaN : micros;
    }

    private static double order(final String canonicalKey)
    {
        return MAX.equals(canonicalKey) ? Double.MAX_VALUE : Double.parseDouble(canonicalKey);
    }

    /**
     * One point of a percentile curve.
     *
     * @param percentile from 0 to below 100.
     * @param micros     the latency at it, in microseconds.
     */
    public record Point(double percentile, double micros)
    {
    }
}
