package dev.ferry.engine;

/**
 * Where a primary or replica reports what happens to its connections (connected, dropped and why, retention):
 * one line each, from the component's own thread.
 */
@FunctionalInterface
public interface EventLog
{
    /** Discards everything. */
    EventLog NONE = message -> { };

    /**
     * @param message one line.
     */
    void log(String message);
}
