package dev.ferry.report;

/**
 * An objective's outcome.
 */
public enum ObjectiveStatus
{
    /** Within its bounds. */
    MET,
    /** Outside its bounds. */
    MISSED,
    /** Its result or reference was not in this run. */
    NOT_RUN;

    /**
     * @return the word the report shows: {@code MET}, {@code MISSED}, {@code NOT RUN}.
     */
    public String label()
    {
        return name().replace('_', ' ');
    }
}
