package dev.ferry.engine.metrics;

import dev.ferry.error.ErrorCode;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A counter per error code, and the other events an operator counts: reconnects, NACKs, entries whose CRC32C failed. Counted from any thread,
 * read by the metrics endpoint.
 */
public final class ErrorCounters
{
    private final AtomicLongArray byCode = new AtomicLongArray(ErrorCode.values().length);
    private final java.util.concurrent.atomic.AtomicLong reconnects = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong nacks = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong crcFailures = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param code an error's code.
     */
    public void error(final ErrorCode code)
    {
        byCode.incrementAndGet(code.ordinal());
    }

    /** A reconnect (a new connection after a lost one). */
    public void reconnect()
    {
        reconnects.incrementAndGet();
    }

    /** A NACK (sent by a replica, or received by a primary). */
    public void nack()
    {
        nacks.incrementAndGet();
    }

    /** An entry that arrived damaged: its payload does not match its CRC32C (it is asked again, never written). */
    public void crcFailure()
    {
        crcFailures.incrementAndGet();
    }

    /**
     * @return entries that arrived damaged.
     */
    public long crcFailures()
    {
        return crcFailures.get();
    }

    /**
     * @param code an error code.
     * @return how many errors of that code.
     */
    public long errors(final ErrorCode code)
    {
        return byCode.get(code.ordinal());
    }

    /**
     * @return reconnects counted.
     */
    public long reconnects()
    {
        return reconnects.get();
    }

    /**
     * @return NACKs counted.
     */
    public long nacks()
    {
        return nacks.get();
    }

    /**
     * Append these counters in Prometheus' text format.
     *
     * @param out    the text.
     * @param prefix the metric name prefix ({@code ferry_primary} or {@code ferry_replica}).
     */
    void write(final PrometheusText out, final String prefix)
    {
        out.help(prefix + "_errors_total", "errors by code (connections refused or lost, frames rejected, ...)", "counter");
        for (final ErrorCode code : ErrorCode.values())
        {
            out.sample(prefix + "_errors_total", "code", code.name(), errors(code));
        }
        out.help(prefix + "_reconnects_total", "connections made again after one was lost", "counter");
        out.sample(prefix + "_reconnects_total", reconnects());
        out.help(prefix + "_nacks_total", "NACKs (a batch asked again: a gap, a CRC failure, a bad codec)", "counter");
        out.sample(prefix + "_nacks_total", nacks());
        out.help(prefix + "_crc_failures_total", "entries that arrived damaged (payload against its CRC32C), asked again",
            "counter");
        out.sample(prefix + "_crc_failures_total", crcFailures());
    }
}
