package dev.ferry.engine.serve;

import dev.ferry.error.FerryException;

import java.util.concurrent.TimeUnit;

/**
 * An authenticated {@code PROMOTE_REQUEST} that a replica's serving side took off its thread: the connection stays
 * open while the replica stops and a primary opens in its place; then one thread (not the serving one, which has
 * stopped) answers it once, with the promotion's result or why it failed, signed for the client's nonce.
 */
public final class PromoteRequest
{
    /** How long the client has to read the answer. */
    static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final DownstreamSession session;

    PromoteRequest(final DownstreamSession session)
    {
        this.session = session;
    }

    /**
     * @param ex what a promotion threw.
     * @return it as the error a {@code ferry promote} client is answered with: a {@link FerryException} as it is,
     *         anything else as {@code INTERNAL}.
     */
    public static FerryException failure(final RuntimeException ex)
    {
        return ex instanceof FerryException fe ? fe : new FerryException(dev.ferry.error.ErrorCode.INTERNAL,
            "the promotion failed: " + ex, ex);
    }

    /**
     * @return the client's address, for the log.
     */
    public String remoteAddress()
    {
        return session.remoteAddress();
    }

    /**
     * Answer with the promotion's result and close the connection (or give up on a client that does not read within
     * 5 s). Blocks until then.
     *
     * @param json the JSON document {@code ferry promote} prints.
     */
    public void answer(final String json)
    {
        session.answerPromotion(json, null, ANSWER_TIMEOUT_NS);
    }

    /**
     * Answer that the promotion failed, with its code and message, and close the connection. Blocks until then.
     *
     * @param failure why.
     */
    public void refuse(final FerryException failure)
    {
        session.answerPromotion(null, failure, ANSWER_TIMEOUT_NS);
    }
}
