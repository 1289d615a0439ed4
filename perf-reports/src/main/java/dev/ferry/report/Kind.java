package dev.ferry.report;

/**
 * What a result measures, which says which direction is better.
 */
public enum Kind
{
    /** Operations or entries per unit of time (JMH {@code thrpt}, harness {@code throughput}): higher is better. */
    THROUGHPUT(true),
    /** Time per operation (JMH {@code avgt}, {@code sample}, {@code ss}): lower is better. */
    TIME(false),
    /** A latency distribution, in microseconds (harness {@code latency}): lower is better. */
    LATENCY(false);

    private final boolean higherIsBetter;

    Kind(final boolean higherIsBetter)
    {
        this.higherIsBetter = higherIsBetter;
    }

    /**
     * @return whether a larger value is an improvement.
     */
    public boolean higherIsBetter()
    {
        return higherIsBetter;
    }

    /**
     * @return "higher is better" or "lower is better".
     */
    public String direction()
    {
        return higherIsBetter ? "higher is better" : "lower is better";
    }

    /**
     * @param jmhMode a JMH mode: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}.
     * @return its kind.
     */
    public static Kind ofJmhMode(final String jmhMode)
    {
        return "thrpt".equals(jmhMode) ? THROUGHPUT : TIME;
    }
}
