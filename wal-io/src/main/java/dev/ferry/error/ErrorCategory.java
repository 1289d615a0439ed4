package dev.ferry.error;

/**
 * What an {@link ErrorCode} means for the one who meets it: the category decides behaviour (a replica's link retries
 * or stops; a command exits with a usage error), so no component keeps a list of codes of its own.
 */
public enum ErrorCategory
{
    /** Transient: the link is dropped and retried with back-off, and nothing is lost. */
    RETRY,
    /** The link cannot continue as it is: it stops until an operator (or, later, a resync) repairs the cause. */
    FATAL,
    /** The caller's mistake: a setting or an argument is wrong; correct it and call again. */
    USAGE
}
