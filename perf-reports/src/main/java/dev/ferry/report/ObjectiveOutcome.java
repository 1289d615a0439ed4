package dev.ferry.report;

import dev.ferry.report.input.Objective;
import dev.ferry.report.internal.Format;

/**
 * An objective evaluated against this run.
 *
 * @param objective the objective.
 * @param status    met, missed or not run.
 * @param actual    the value compared with the bounds: a ratio when the objective has {@code ratioTo}; NaN when not
 *                  run.
 * @param subject   the result measured, {@code null} when not run.
 * @param value     its value (microseconds for a latency percentile).
 * @param reference the result divided by, {@code null} when none or not run.
 * @param refValue  its value, NaN when none.
 * @param unit      the unit of {@code value} and {@code refValue}.
 * @param reason    why it was not run, else {@code null}.
 */
public record ObjectiveOutcome(
    Objective objective,
    ObjectiveStatus status,
    double actual,
    Result subject,
    double value,
    Result reference,
    double refValue,
    String unit,
    String reason)
{
    /**
     * @return the bounds in words: {@code ≤ 3}, {@code ≥ 0.7} or {@code 0.7 … 3}.
     */
    public String bounds()
    {
        final String suffix = null == objective.ratioTo() ? "" : "×";
        if (null != objective.min() && null != objective.max())
        {
            return Format.number(objective.min()) + suffix + " … " + Format.number(objective.max()) + suffix;
        }
        return null != objective.max() ? "≤ " + Format.number(objective.max()) + suffix :
            "≥ " + Format.number(objective.min()) + suffix;
    }
}
