package dev.ferry.engine;

import dev.ferry.engine.history.History;
import dev.ferry.engine.status.StatusClient;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.PeerRefusal;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.tls.TlsConfig;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.frame.FrameHeader;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * After a promotion, the new primary knocks at the address of the primary it superseded until that node answers
 * {@code FENCED}: a {@code HELLO} of the new epoch, authenticated as a replica's, which a stale primary of the same
 * history refuses, fencing itself (it then refuses appends, also after a restart). So an old primary that comes back
 * at its address (restarted by a supervisor, with writers still pointed at it) is fenced within seconds, without
 * waiting for a replica to be pointed at it. One daemon thread; a connection attempt every second at most (every five
 * after a minute without an answer), each bounded by 3 s; it ends when the old primary answers FENCED (proven), when
 * another history or a newer epoch answers there, or when the new primary closes.
 */
final class FencingProbe
{
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param old     the superseded primary's address.
     * @param secret  the cluster's secret.
     * @param tls     the client's TLS settings, or null.
     * @param id      the promoted node's id (its HELLO's replica id).
     * @param history the new primary's history (its current epoch is the new one).
     * @param next    the new primary's next offset.
     * @param running whether the new primary still runs.
     * @param log     the event log.
     */
    FencingProbe(final InetSocketAddress old, final Secret secret, final TlsConfig tls, final String id,
        final History history, final LongSupplier next, final java.util.function.BooleanSupplier running,
        final EventLog log)
    {
        thread = Thread.ofPlatform().daemon(true).name("ferry-fencing-" + id).unstarted(() ->
        {
            log.log("primary " + id + " (epoch " + history.epoch() + ") knocks at the superseded primary " +
                Endpoint.format(old) + " until it answers FENCED");
            final long start = System.nanoTime();
            while (!closed && running.getAsBoolean())
            {
                final FerryException answer;
                try
                {
                    answer = StatusClient.hello(old, TIMEOUT, secret, tls, (buffer, offset) -> hello(buffer, offset,
                        id, history, next.getAsLong()));
                }
                catch (final FerryException unreachable)
                {
                    pause(start);
                    continue; // not up (or not answering) yet
                }
                if (answer instanceof PeerRefusal refusal && refusal.proven() && refusal.code() == ErrorCode.FENCED)
                {
                    log.log("primary " + id + ": the superseded primary at " + Endpoint.format(old) + " is fenced (" +
                        refusal.getMessage() + ")");
                    return;
                }
                if (answer == null || answer instanceof PeerRefusal refusal && refusal.proven() &&
                    refusal.code() != ErrorCode.AUTHENTICATION)
                {
                    log.log("primary " + id + ": " + Endpoint.format(old) + " is not a stale primary of this history (" +
                        (answer == null ? "it accepted epoch " + history.epoch() : answer.getMessage()) +
                        "); it is no longer probed");
                    return;
                }
                pause(start);
            }
        });
        thread.start();
    }

    private static int hello(final java.lang.foreign.MemorySegment buffer, final long offset, final String id,
        final History history, final long next)
    {
        final HelloFlyweight hello = new HelloFlyweight();
        hello.encode(buffer, offset, FrameHeader.VERSION, HelloFlyweight.codecMask(Codec.NONE), 0, history.epoch(),
            next, history.id().getMostSignificantBits(), history.id().getLeastSignificantBits(),
            new byte[HelloFlyweight.NONCE_LENGTH], id);
        return hello.epochStartOffset(history.current().startOffset())
            .epochNode(HelloFlyweight.nodeHash(history.current().node()))
            .seal();
    }

    private void pause(final long start)
    {
        final long waited = System.nanoTime() - start;
        LockSupport.parkNanos(waited > TimeUnit.MINUTES.toNanos(1) ? TimeUnit.SECONDS.toNanos(5) :
            TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * Stop knocking. Idempotent.
     */
    void close()
    {
        closed = true;
        LockSupport.unpark(thread);
    }
}
