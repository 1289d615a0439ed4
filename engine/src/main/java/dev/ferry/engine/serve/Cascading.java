package dev.ferry.engine.serve;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * What a replica's serving side has that a primary's does not: the upstream it follows (named in its status and in
 * what it tells a downstream replica it cannot serve yet), and what promotes it.
 *
 * @param upstream the address the replica follows.
 * @param promote  given each authenticated PROMOTE_REQUEST, on the serving thread; it must answer it from another
 *                 thread, once this one stopped using it ({@link Cascade} starts that thread after the cycle).
 * @param servable the end of what may be sent downstream: the replica's durable offset when it syncs (as PostgreSQL's
 *                 cascading standbys send only flushed WAL, a downstream replica never holds an entry its upstream
 *                 could lose in a power cut), {@link Long#MAX_VALUE} when it never syncs. On the serving thread.
 */
record Cascading(InetSocketAddress upstream, Consumer<PromoteRequest> promote, java.util.function.LongSupplier servable)
{
}
