package dev.ferry.engine.serve;

import dev.ferry.engine.EventLog;

/**
 * What went wrong with connections that never authenticated, logged at most once per interval with a count of the
 * lines left out: a flood of strangers must not become a flood of log lines written on the sender thread.
 * Single-threaded (the sender thread).
 */
final class StrangerLog
{
    private final EventLog log;
    private final long intervalNs;
    private long lastNs;
    private boolean logged;
    private long suppressed;

    /**
     * @param log        where lines go.
     * @param intervalNs the least time between two lines.
     */
    StrangerLog(final EventLog log, final long intervalNs)
    {
        this.log = log;
        this.intervalNs = intervalNs;
    }

    /**
     * @param line  what happened to one stranger.
     * @param nowNs {@link System#nanoTime()}.
     */
    void log(final String line, final long nowNs)
    {
        if (logged && nowNs - lastNs < intervalNs)
        {
            suppressed++;
            return;
        }
        log.log(line + (suppressed > 0 ? " (and " + suppressed + " more unauthenticated connections refused since the " +
            "last such line)" : ""));
        logged = true;
        lastNs = nowNs;
        suppressed = 0;
    }
}
