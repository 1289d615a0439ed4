package dev.ferry.report;

/**
 * A result against the committed baseline.
 */
public enum Verdict
{
    /** Worse by more than the measured error (or the tolerance where there is no error). */
    REGRESSION,
    /** Better by more than the measured error (or the tolerance). */
    IMPROVEMENT,
    /** Within the measured error (or the tolerance). */
    UNCHANGED,
    /** In this run only. */
    NEW,
    /** In the committed baseline only. */
    NOT_RUN;

    /**
     * @return the word the report shows.
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
