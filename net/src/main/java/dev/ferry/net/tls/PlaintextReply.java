package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.net.message.ErrorFlyweight;

import java.lang.foreign.MemorySegment;

/**
 * What a TLS server writes, in plaintext, to a client that sent plaintext (a Ferry frame) instead of a TLS hello,
 * before its {@link TlsTransport} throws: so the plaintext client reads why it is refused instead of a bare close.
 * The shape of {@link ErrorFlyweight#encode}, so {@code new ErrorFlyweight()::encode} is one; see
 * {@link #errorFrame()}.
 * <p>
 * Called on the thread reading the connection, at most once per connection.
 */
@FunctionalInterface
public interface PlaintextReply
{
    /**
     * Encode the reply.
     *
     * @param buffer  where to encode, at least {@link ErrorFlyweight#MAX_LENGTH} bytes from {@code offset}.
     * @param offset  the offset of the reply's first byte.
     * @param code    the error's code ({@link ErrorCode#CONFIGURATION}).
     * @param message what happened, for the client's user.
     * @return the reply's length in bytes.
     */
    int encode(MemorySegment buffer, long offset, ErrorCode code, CharSequence message);

    /**
     * @return a reply that is a Ferry {@code ERROR} frame, which a plaintext Ferry client reports as the server's
     *         error; with a flyweight of its own, so for one accepting thread (a flyweight is single-threaded).
     */
    static PlaintextReply errorFrame()
    {
        return new ErrorFlyweight()::encode;
    }
}
