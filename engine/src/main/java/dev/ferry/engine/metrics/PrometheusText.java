package dev.ferry.engine.metrics;

/**
 * Prometheus' text exposition format (version 0.0.4), written by hand: {@code # HELP}, {@code # TYPE}, then samples
 * {@code name{label="value"} number}. Label values are Ferry's own (replica ids, state and code names): characters of
 * {@code [A-Za-z0-9._-]}, nothing to escape.
 */
final class PrometheusText
{
    private final StringBuilder text = new StringBuilder(4096);

    void help(final String name, final String help, final String type)
    {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    void sample(final String name, final double value)
    {
        text.append(name).append(' ');
        number(value);
    }

    void sample(final String name, final String label, final String labelValue, final double value)
    {
        text.append(name).append('{').append(label).append("=\"").append(labelValue).append("\"} ");
        number(value);
    }

    void sample(final String name, final String label, final String labelValue, final String label2,
        final String labelValue2, final double value)
    {
        text.append(name).append('{').append(label).append("=\"").append(labelValue).append("\",").append(label2)
            .append("=\"").append(labelValue2).append("\"} ");
        number(value);
    }

    private void number(final double value)
    {
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            text.append((long)value);
        }
        else
        {
            text.append(value);
        }
        text.append('\n');
    }

    @Override
    public String toString()
    {
        return text.toString();
    }
}
