package dev.ferry.report;

import java.util.Map;

/**
 * Converts between rate and time units of one kind: {@code ops/us} to {@code ops/ms}, {@code ns/op} to
 * {@code us/op}; JMH picks the time unit per benchmark and it may change between runs.
 */
final class Units
{
    private static final Map<String, Double> NANOS = Map.of(
        "ns", 1.0, "us", 1e3, "µs", 1e3, "ms", 1e6, "s", 1e9, "min", 60e9, "hr", 3600e9, "day", 86400e9);

    private Units()
    {
    }

    /**
     * @param value a value in {@code from}.
     * @param from  its unit.
     * @param to    the wanted unit.
     * @return the value in {@code to}, NaN when the units are not of one kind.
     */
    static double convert(final double value, final String from, final String to)
    {
        if (null == from || null == to)
        {
            return Double.NaN;
        }
        if (from.equals(to))
        {
            return value;
        }
        final String[] a = from.split("/", -1);
        final String[] b = to.split("/", -1);
        if (2 != a.length || 2 != b.length)
        {
            return Double.NaN;
        }
        if (a[0].equals(b[0]) && NANOS.containsKey(a[1]) && NANOS.containsKey(b[1]))
        {
            return value * NANOS.get(b[1]) / NANOS.get(a[1]);
        }
        if (a[1].equals(b[1]) && NANOS.containsKey(a[0]) && NANOS.containsKey(b[0]))
        {
            return value * NANOS.get(a[0]) / NANOS.get(b[0]);
        }
        return Double.NaN;
    }
}
