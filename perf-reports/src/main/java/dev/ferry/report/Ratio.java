package dev.ferry.report;

/**
 * A result divided by its same-run baseline.
 *
 * @param result     the result.
 * @param baseline   its baseline.
 * @param percentile for a latency, the percentile key compared; {@code null} otherwise.
 * @param value      {@code result / baseline}.
 * @param error      the ratio's error from both errors (relative errors added in quadrature), NaN when either
 *                   is not measured.
 */
public record Ratio(Result result, Result baseline, String percentile, double value, double error)
{
    /**
     * @return whether the result does better than its baseline, in the direction of its kind.
     */
    public boolean better()
    {
        return result.kind().higherIsBetter() ? value > 1.0 : value < 1.0;
    }

    /**
     * @param a      numerator.
     * @param errorA its error, NaN or 0 when not measured.
     * @param b      denominator.
     * @param errorB its error, NaN or 0 when not measured.
     * @return the error of {@code a / b}, NaN when either error was not measured.
     */
    static double ratioError(final double a, final double errorA, final double b, final double errorB)
    {
        if (!(errorA > 0) || !(errorB > 0) || !Double.isFinite(errorA) || !Double.isFinite(errorB) || 0 == a || 0 == b)
        {
            return Double.NaN;
        }
        final double relativeA = errorA / a;
        final double relativeB = errorB / b;
        return Math.abs(a / b) * Math.sqrt(relativeA * relativeA + relativeB * relativeB);
    }
}
