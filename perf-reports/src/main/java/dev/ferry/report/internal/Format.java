package dev.ferry.report.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Number formats shared by the pages, independent of the default locale.
 */
public final class Format
{
    /** Shown for a value that is not there. */
    public static final String NONE = "–";

    private static final MathContext FOUR_DIGITS = new MathContext(4);

    private Format()
    {
    }

    /**
     * @param value a value.
     * @return grouped without decimals from 1000 on, else four significant digits; {@value #NONE} for NaN.
     */
    public static String number(final double value)
    {
        if (!Double.isFinite(value))
        {
            return Double.isNaN(value) ? NONE : (value > 0 ? "∞" : "-∞");
        }
        if (Math.abs(value) >= 1000)
        {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (0 == value)
        {
            return "0";
        }
        return new BigDecimal(value).round(FOUR_DIGITS).stripTrailingZeros().toPlainString();
    }

    /**
     * @param value a value.
     * @param error its error, NaN when not measured.
     * @return {@code value ± error}, or just the value.
     */
    public static String withError(final double value, final double error)
    {
        return Double.isFinite(error) && error > 0 ? number(value) + " ± " + number(error) : number(value);
    }

    /**
     * @param ratio a ratio.
     * @return e.g. {@code 0.49×}.
     */
    public static String ratio(final double ratio)
    {
        if (!Double.isFinite(ratio))
        {
            return NONE;
        }
        if (Math.abs(ratio) >= 10)
        {
            return number(Math.abs(ratio) >= 1000 ? ratio : Math.round(ratio * 10) / 10.0) + "×";
        }
        return (Math.abs(ratio) >= 0.1 ? String.format(Locale.ROOT, "%.2f", ratio) : number(ratio)) + "×";
    }

    /**
     * @param ratio a ratio.
     * @param error its error, NaN when not measured.
     * @return e.g. {@code 0.49× ± 0.02}.
     */
    public static String ratio(final double ratio, final double error)
    {
        return Double.isFinite(error) && Double.isFinite(ratio) ?
            ratio(ratio) + " ± " + String.format(Locale.ROOT, Math.abs(error) >= 0.01 ? "%.2f" : "%.1g", error) :
            ratio(ratio);
    }

    /**
     * @param change a relative change, 0.1 for +10%.
     * @return e.g. {@code +10.0%}.
     */
    public static String change(final double change)
    {
        return Double.isFinite(change) ? String.format(Locale.ROOT, "%+.1f%%", change * 100) : NONE;
    }

    /**
     * @param fraction a fraction, 0.25 for 25%.
     * @return e.g. {@code 25%}.
     */
    public static String percent(final double fraction)
    {
        return number(fraction * 100) + "%";
    }
}
