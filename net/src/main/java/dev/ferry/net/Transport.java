package dev.ferry.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * What a {@link FrameConnection} reads from and writes to: plaintext bytes in and out of one TCP connection, either
 * the socket itself ({@link PlainTransport}) or through TLS ({@code dev.ferry.net.tls.TlsTransport}). The Ferry
 * protocol above it is the same either way.
 * <p>
 * Non-blocking, like the channel under it: {@link #read} and {@link #write} never wait. A transport may hold bytes
 * of its own in both directions (TLS records wrapped but not yet taken by the socket, records taken from the socket
 * but not yet returned), so its user must {@link #flush()} while {@link #pendingBytes()} is non-zero, and must not
 * park in a selector while {@link #hasBufferedInput()} is true: the socket will not signal readable for bytes already
 * taken from it.
 * <p>
 * Single-threaded: the thread that owns the connection owns its transport.
 */
public interface Transport extends AutoCloseable
{
    /** The TLS record type of a handshake message, the first byte of a ClientHello or ServerHello record. */
    int TLS_HANDSHAKE = 0x16;
    /** The major version byte of every TLS record header (SSL 3.0 to TLS 1.3 alike). */
    int TLS_MAJOR_VERSION = 0x03;
    /** The length of a TLS record header: type (1), version (2), length (2, big-endian). */
    int TLS_RECORD_HEADER_LENGTH = 5;
    /**
     * The shortest record a ClientHello or ServerHello can travel in: its handshake header (4) and fixed fields
     * (version 2, random 32, session id length 1, ...) come to more than 40 bytes. A Ferry frame below 16 MiB has a
     * zero in byte 3 and its type (at most a few tens) in byte 4, which read as a TLS record length are below this: no
     * Ferry frame a peer sends first looks like TLS.
     */
    int TLS_MIN_HELLO_RECORD_LENGTH = 40;

    /**
     * Read plaintext into {@code dst}, from bytes this transport holds first, then from at most one socket read.
     *
     * @param dst where to put the bytes, from its position up to its limit.
     * @return bytes put into {@code dst}; 0 if none is available now (or only TLS handshake bytes arrived); -1 once
     *         the peer closed its side and everything before was returned.
     * @throws IOException                         on a socket error.
     * @throws dev.ferry.error.FerryException      for a TLS failure (see the implementation).
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Write plaintext from {@code src}, as much as the socket (and, for TLS, this transport's bounded buffer) takes
     * now.
     *
     * @param src the bytes to send, from its position up to its limit; its position advances by what was taken.
     * @return bytes taken from {@code src}; 0 if none could be taken now (socket full, TLS handshake in progress).
     * @throws IOException                         on a socket error (the peer is gone).
     * @throws dev.ferry.error.FerryException      for a TLS failure (see the implementation).
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * Write to the socket what this transport holds for it (TLS records, handshake messages), as much as it takes.
     *
     * @return bytes written to the socket; 0 if there were none or the socket is full.
     * @throws IOException on a socket error.
     */
    int flush() throws IOException;

    /**
     * @return bytes this transport holds for the socket, written by {@link #flush()} or the next {@link #write}; 0
     *         for a plaintext transport.
     */
    int pendingBytes();

    /**
     * @return true if {@link #read} can return bytes without the socket becoming readable again: bytes already taken
     *         from the socket and not yet returned (for TLS: decrypted plaintext, or a whole record not yet
     *         decrypted). A part of a record waiting for its rest does not count: the socket signals that rest.
     */
    boolean hasBufferedInput();

    /**
     * @return the socket, e.g. to register with a selector.
     */
    SocketChannel channel();

    /**
     * Close the socket, for TLS after a best-effort close_notify (one non-blocking write: lost if the socket is
     * full). Idempotent; never throws.
     */
    @Override
    void close();

    /**
     * Whether the first bytes a peer sent are a TLS hello record rather than a Ferry frame: for a plaintext server
     * whose first frame failed to decode, to say "a TLS client connected to this plaintext port" instead of "bad
     * frame length". Checks the record type ({@code 0x16}, handshake) and major version ({@code 0x03}); with at
     * least {@value #TLS_RECORD_HEADER_LENGTH} bytes, also that the record length is one a hello can have (see
     * {@link #TLS_MIN_HELLO_RECORD_LENGTH}).
     *
     * @param bytes  the memory holding the first bytes received on the connection.
     * @param offset the offset of the first byte.
     * @param length how many bytes were received.
     * @return true if they look like TLS; false for fewer than 2 bytes.
     */
    static boolean looksLikeTls(final MemorySegment bytes, final long offset, final long length)
    {
        if (length < 2)
        {
            return false;
        }
        if (bytes.get(JAVA_BYTE, offset) != TLS_HANDSHAKE || bytes.get(JAVA_BYTE, offset + 1) != TLS_MAJOR_VERSION)
        {
            return false;
        }
        if (length < TLS_RECORD_HEADER_LENGTH)
        {
            return true;
        }
        final int recordLength =
            (bytes.get(JAVA_BYTE, offset + 3) & 0xFF) << 8 | bytes.get(JAVA_BYTE, offset + 4) & 0xFF;
        return recordLength >= TLS_MIN_HELLO_RECORD_LENGTH;
    }
}
