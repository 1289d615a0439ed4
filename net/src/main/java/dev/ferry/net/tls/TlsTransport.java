package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.Transport;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.MessageType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.TYPE_OFFSET;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A {@link Transport} through TLS (1.3, or 1.2 if the peer offers nothing newer) over a non-blocking socket, with the
 * JDK's {@link SSLEngine}. Built by {@link TlsFactory#accept} (server) or {@link TlsFactory#connect} (client).
 * <p>
 * <b>Handshake.</b> No thread and no call of its own: {@link #read}, {@link #write} and {@link #flush()} each do what
 * the handshake needs at that moment (wrap and send its messages, decrypt the peer's), so the owner's ordinary
 * receive-and-flush duty cycle completes it. Until it completes, {@link #write} takes no application bytes (they stay
 * in the caller's buffer, counted by the caller's pending bytes) and {@link #read} returns 0. The engine's delegated
 * tasks (certificate checks, key exchange: about a millisecond of CPU per handshake) run inline on the calling thread:
 * a handshake happens once per connection, and handing them to another thread would add one to every Ferry process.
 * Post-handshake messages (TLS 1.3 key updates and session tickets, a TLS 1.2 renegotiation the peer starts) go
 * through the same path at any time.
 * <p>
 * <b>Buffers.</b> Three, sized from the session and allocated once per connection: ciphertext in
 * ({@value #RECORDS_PER_NET_BUFFER} records' worth, so one socket read can bring several), ciphertext out (as many),
 * and plaintext in (two records), used only when the caller's buffer has less room than the next record's plaintext;
 * otherwise the engine copies a record's plaintext straight into the caller's buffer, and out of it into a record. The
 * engine encrypts and decrypts in place in the ciphertext buffers, and those are heap buffers on purpose: the JDK's
 * AES-GCM takes a path through arrays for heap buffers, but for direct ones copies every 512 bytes in and out of two
 * arrays it allocates per record. Measured (TLS 1.3, AES-GCM, loopback): 2.6 KB allocated per record with direct
 * buffers, 1.5 KB with heap ones; throughput the same within the noise of a shared 2-core machine. The socket then
 * copies through the JDK's cached per-thread direct buffer, without allocating. This class allocates nothing per
 * record; what is allocated per record is the JDK's (its cipher's per-record re-initialisation, an
 * {@link SSLEngineResult} per call).
 * <p>
 * <b>Wrong mode.</b> The first record from the peer is checked before the engine sees it. A server that receives
 * something other than a TLS hello throws {@link ErrorCode#CONFIGURATION} ("a plaintext client connected to this TLS
 * port"), first writing the factory's {@link PlaintextReply} in plaintext if it has one. A client that receives
 * something other than a TLS record throws {@link ErrorCode#CONFIGURATION} ("the server does not speak TLS"), quoting
 * the server's message if the bytes are a Ferry {@code ERROR} frame.
 * <p>
 * <b>Errors.</b> A TLS failure before the first application byte from the peer (untrusted certificate, wrong host
 * name, a missing client certificate, no common protocol) throws {@link ErrorCode#CONFIGURATION} with the engine's
 * reason and a hint; one later (a damaged or forged record) throws {@link ErrorCode#PROTOCOL}. Either way the fatal
 * alert the engine prepared is sent first, best effort, so the peer fails with a reason too.
 * <p>
 * <b>Closing.</b> {@link #read} returns -1 once the peer's close_notify arrived ({@link #closeNotifyReceived()}) or the
 * socket reached its end without one (the Ferry frames above are length-prefixed, so a truncation cannot pass for a
 * shorter frame). {@link #close()} sends close_notify, best effort.
 * <p>
 * Single-threaded.
 */
public final class TlsTransport implements Transport
{
    /** How many records the ciphertext buffers hold: one socket call moves up to this many. */
    public static final int RECORDS_PER_NET_BUFFER = 4;

    private static final int TLS_ALERT = 0x15;
    private static final int TLS_ALERT_RECORD_LENGTH = 2;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final PlaintextReply plaintextReply;
    private final String peer;
    private final int packetBytes;
    private final ByteBuffer empty = ByteBuffer.allocate(0);
    private final MemorySegment netInMemory;
    private final ByteBuffer netIn;
    private final MemorySegment netOutMemory;
    private final ByteBuffer netOut;
    private final ByteBuffer appIn;
    private final ByteBuffer[] oneBuffer = new ByteBuffer[1]; // for the engine's array forms: the others allocate one
    private int netInStart;
    private int netInEnd;
    private int netOutStart;
    private int netOutEnd;
    private boolean firstRecordChecked;
    private boolean handshakeDone;
    private boolean appDataReceived;
    private boolean endOfStream;
    private boolean closeNotifyReceived;
    private boolean failed;
    private boolean closed;
    private long recordsWrapped;
    private long recordsUnwrapped;

    /**
     * @param channel        a connected channel (made non-blocking by {@link dev.ferry.net.FrameConnection}).
     * @param engine         a configured engine, in client or server mode.
     * @param plaintextReply for a server, what to tell a plaintext client; {@code null} for nothing.
     * @throws FerryException CONNECTION if the peer's address cannot be read, CONFIGURATION if the handshake cannot
     *                        begin.
     */
    TlsTransport(final SocketChannel channel, final SSLEngine engine, final PlaintextReply plaintextReply)
    {
        this.channel = channel;
        this.engine = engine;
        this.plaintextReply = plaintextReply;
        this.peer = (engine.getUseClientMode() ? "server " : "client ") + remoteAddress(channel);
        final SSLSession session = engine.getSession();
        this.packetBytes = session.getPacketBufferSize();
        final int netBytes = RECORDS_PER_NET_BUFFER * packetBytes;
        this.netIn = ByteBuffer.allocate(netBytes);
        this.netInMemory = MemorySegment.ofBuffer(netIn);
        this.netOut = ByteBuffer.allocate(netBytes);
        this.netOutMemory = MemorySegment.ofBuffer(netOut);
        this.appIn = ByteBuffer.allocate(2 * session.getApplicationBufferSize()).limit(0);
        try
        {
            engine.beginHandshake();
        }
        catch (final SSLException ex)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, "cannot begin a TLS handshake with " + peer + ": " + ex, ex);
        }
    }

    private static String remoteAddress(final SocketChannel channel)
    {
        try
        {
            final InetSocketAddress address = (InetSocketAddress)channel.getRemoteAddress();
            return address == null ? "?" : Endpoint.format(address);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "cannot read the peer's address: " + ex, ex);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws FerryException CONFIGURATION for a peer in the wrong mode or a failed handshake, PROTOCOL for a bad
     *                        record after it, CONNECTION if the peer closed during the handshake.
     */
    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        int produced = drainAppIn(dst);
        if (!dst.hasRemaining())
        {
            return produced;
        }
        if (!inputEnded())
        {
            if (!handshakeDone)
            {
                driveHandshake(); // e.g. a client that reads first sends its hello
            }
            boolean socketRead = false;
            while (dst.hasRemaining() && !inputEnded())
            {
                if (!recordBuffered())
                {
                    if (socketRead)
                    {
                        break;
                    }
                    socketRead = true;
                    if (fillNetIn() > 0 && !firstRecordChecked && !checkFirstRecord())
                    {
                        break; // too few bytes yet to tell TLS from plaintext
                    }
                    continue;
                }
                final int before = netInStart;
                final int unwrapped = unwrap(dst);
                produced += unwrapped;
                if (unwrapped == 0 && netInStart == before && !closeNotifyReceived)
                {
                    break; // the engine waits for its own output first (a handshake message the socket cannot take)
                }
            }
            if (endOfStream && !closeNotifyReceived)
            {
                endWithoutCloseNotify();
            }
        }
        return produced > 0 || !inputEnded() ? produced : -1;
    }

    /**
     * {@inheritDoc}
     *
     * @throws FerryException CONFIGURATION for a failed handshake, PROTOCOL for a TLS failure after it, CONNECTION
     *                        once this side's TLS output is closed.
     */
    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        if (failed)
        {
            throw new FerryException(
                ErrorCode.CONNECTION, "cannot send to " + peer + ": its TLS connection failed; close it");
        }
        if (!handshakeDone)
        {
            driveHandshake(); // after it, the engine puts a pending post-handshake message before the data itself
        }
        int consumed = 0;
        while (src.hasRemaining())
        {
            final SSLEngineResult result = wrap(src);
            if (result == null)
            {
                break; // the socket is full
            }
            consumed += result.bytesConsumed();
            if (result.getStatus() == Status.CLOSED)
            {
                throw new FerryException(
                    ErrorCode.CONNECTION, "cannot send to " + peer + ": the TLS connection is closed");
            }
            final HandshakeStatus status = result.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP)
            {
                driveHandshake(); // a key update or renegotiation message to send
                if (result.bytesConsumed() == 0 && netOutStart != netOutEnd)
                {
                    break; // the socket is full: flush() sends the rest of the handshake
                }
            }
            else if (result.bytesConsumed() == 0)
            {
                break; // the handshake waits for the peer
            }
        }
        flushNetOut();
        return consumed;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int flush() throws IOException
    {
        if (netOutStart == netOutEnd)
        {
            return 0; // every handshake message was wrapped when it was due, so nothing else can be waiting
        }
        int written = flushNetOut();
        if (netOutStart == netOutEnd)
        {
            written += driveHandshake(); // messages that did not fit while the socket was full
        }
        return written;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int pendingBytes()
    {
        return netOutEnd - netOutStart;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean hasBufferedInput()
    {
        return appIn.hasRemaining() || recordBuffered();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketChannel channel()
    {
        return channel;
    }

    /**
     * @return true once the handshake completed.
     */
    public boolean isHandshakeComplete()
    {
        return handshakeDone;
    }

    /**
     * @return the TLS session: protocol, cipher suite, the peer's certificates once the handshake completed.
     */
    public SSLSession session()
    {
        return engine.getSession();
    }

    /**
     * @return true if the peer closed its side with a close_notify (rather than by closing the socket).
     */
    public boolean closeNotifyReceived()
    {
        return closeNotifyReceived;
    }

    /**
     * @return how many wraps produced records (TLS records sent, give or take a coalesced handshake flight).
     */
    public long recordsWrapped()
    {
        return recordsWrapped;
    }

    /**
     * @return how many unwraps consumed records (TLS records received).
     */
    public long recordsUnwrapped()
    {
        return recordsUnwrapped;
    }

    /**
     * @return the engine, for tests (e.g. to start a key update).
     */
    SSLEngine engine()
    {
        return engine;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!failed)
        {
            try
            {
                engine.closeOutbound();
                wrapRaw(); // the close_notify, after whatever records are still waiting
                flushNetOut();
            }
            catch (final IOException | RuntimeException ignore)
            {
                // best effort: the peer sees the socket close instead
            }
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a broken socket: nothing is left to lose or report
        }
    }

    @Override
    public String toString()
    {
        return "TlsTransport{" + peer + ", pending=" + pendingBytes() + '}';
    }

    private boolean inputEnded()
    {
        return closeNotifyReceived || endOfStream || failed;
    }

    private int drainAppIn(final ByteBuffer dst)
    {
        final int remaining = appIn.remaining();
        if (remaining == 0)
        {
            return 0;
        }
        final int room = dst.remaining();
        if (remaining <= room)
        {
            dst.put(appIn);
            return remaining;
        }
        final int limit = appIn.limit();
        appIn.limit(appIn.position() + room);
        dst.put(appIn);
        appIn.limit(limit);
        return room;
    }

    /** Is a whole record in {@code netIn}, so that an unwrap can use it without the socket? */
    private boolean recordBuffered()
    {
        final int available = netInEnd - netInStart;
        if (available < TLS_RECORD_HEADER_LENGTH)
        {
            return false;
        }
        return available >= TLS_RECORD_HEADER_LENGTH + recordLength(netInMemory, netInStart);
    }

    private static int recordLength(final MemorySegment bytes, final long offset)
    {
        return (bytes.get(JAVA_BYTE, offset + 3) & 0xFF) << 8 | bytes.get(JAVA_BYTE, offset + 4) & 0xFF;
    }

    /** One socket read into {@code netIn}, after moving a partial record to the front if the tail is short. */
    private int fillNetIn() throws IOException
    {
        if (netInStart == netInEnd)
        {
            netInStart = 0;
            netInEnd = 0;
        }
        else if (netIn.capacity() - netInEnd < packetBytes)
        {
            // a record's remainder is at the end: move it (less than a record) to the front
            MemorySegment.copy(netInMemory, netInStart, netInMemory, 0, netInEnd - netInStart);
            netInEnd -= netInStart;
            netInStart = 0;
        }
        netIn.limit(netIn.capacity()).position(netInEnd);
        final int read = channel.read(netIn);
        if (read < 0)
        {
            endOfStream = true;
        }
        else
        {
            netInEnd += read;
        }
        return read;
    }

    /** Decrypt the record at the front of {@code netIn} into {@code dst}, or through {@code appIn} if it lacks room. */
    private int unwrap(final ByteBuffer dst) throws IOException
    {
        netIn.limit(netInEnd).position(netInStart);
        SSLEngineResult result = unwrapRaw(dst);
        int produced = result.bytesProduced();
        if (result.getStatus() == Status.BUFFER_OVERFLOW)
        {
            appIn.clear();
            result = unwrapRaw(appIn);
            appIn.flip();
            if (result.getStatus() == Status.BUFFER_OVERFLOW)
            {
                throw new FerryException(ErrorCode.INTERNAL, "a TLS record from " + peer + " decrypts to more than "
                    + appIn.capacity() + " bytes, twice the session's application buffer size");
            }
            produced = drainAppIn(dst);
        }
        netInStart = netIn.position();
        if (result.getStatus() == Status.CLOSED)
        {
            closeNotifyReceived = true;
        }
        else if (result.bytesProduced() > 0)
        {
            appDataReceived = true;
        }
        final HandshakeStatus status = noteFinished(result.getHandshakeStatus());
        if (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP)
        {
            driveHandshake();
        }
        return produced;
    }

    private SSLEngineResult unwrapRaw(final ByteBuffer dst) throws IOException
    {
        oneBuffer[0] = dst;
        try
        {
            final SSLEngineResult result = engine.unwrap(netIn, oneBuffer, 0, 1);
            if (result.bytesConsumed() > 0)
            {
                recordsUnwrapped++;
            }
            return result;
        }
        catch (final SSLException ex)
        {
            throw failure(ex);
        }
        finally
        {
            oneBuffer[0] = null;
        }
    }

    /**
     * Encrypt from {@code src} (or wrap a handshake message) into {@code netOut}, sending what is there first if
     * there is no room.
     *
     * @return the engine's result, or {@code null} if there is no room because the socket takes nothing more now.
     */
    private SSLEngineResult wrap(final ByteBuffer src) throws IOException
    {
        while (true)
        {
            netOut.limit(netOut.capacity()).position(netOutEnd);
            final SSLEngineResult result;
            oneBuffer[0] = src;
            try
            {
                result = engine.wrap(oneBuffer, 0, 1, netOut);
            }
            catch (final SSLException ex)
            {
                throw failure(ex);
            }
            finally
            {
                oneBuffer[0] = null;
            }
            netOutEnd = netOut.position();
            if (result.bytesProduced() > 0)
            {
                recordsWrapped++;
            }
            if (result.getStatus() != Status.BUFFER_OVERFLOW)
            {
                noteFinished(result.getHandshakeStatus());
                return result;
            }
            if (netOutStart == netOutEnd)
            {
                throw new FerryException(ErrorCode.INTERNAL, "a TLS record to " + peer + " needs more than "
                    + netOut.capacity() + " bytes, " + RECORDS_PER_NET_BUFFER + " times the session's packet size");
            }
            if (netOutStart > 0)
            {
                compactNetOut();
            }
            else if (flushNetOut() == 0)
            {
                return null;
            }
        }
    }

    /** Wrap without throwing or looping: for the close_notify and fatal alerts, best effort. */
    private void wrapRaw()
    {
        try
        {
            if (netOutStart > 0)
            {
                compactNetOut();
            }
            netOut.limit(netOut.capacity()).position(netOutEnd);
            engine.wrap(empty, netOut);
            netOutEnd = netOut.position();
        }
        catch (final SSLException | RuntimeException ignore)
        {
            // nothing more can be said to the peer
        }
    }

    private void compactNetOut()
    {
        MemorySegment.copy(netOutMemory, netOutStart, netOutMemory, 0, netOutEnd - netOutStart);
        netOutEnd -= netOutStart;
        netOutStart = 0;
    }

    private int flushNetOut() throws IOException
    {
        if (netOutStart == netOutEnd)
        {
            return 0;
        }
        netOut.limit(netOutEnd).position(netOutStart);
        final int written = channel.write(netOut);
        netOutStart += written;
        if (netOutStart == netOutEnd)
        {
            netOutStart = 0;
            netOutEnd = 0;
        }
        return written;
    }

    /**
     * Do what the engine can do without the peer: run its delegated tasks inline and wrap its handshake messages,
     * until it needs the peer's bytes or the socket is full; then send.
     *
     * @return bytes written to the socket.
     */
    private int driveHandshake() throws IOException
    {
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP)
        {
            if (status == HandshakeStatus.NEED_TASK)
            {
                Runnable task = engine.getDelegatedTask();
                if (task == null)
                {
                    break; // not expected: every task runs here, inline
                }
                while (task != null)
                {
                    task.run();
                    task = engine.getDelegatedTask();
                }
            }
            else
            {
                final SSLEngineResult result = wrap(empty);
                if (result == null || result.getStatus() == Status.CLOSED && result.bytesProduced() == 0)
                {
                    break; // the socket is full (flush() resumes here), or nothing more can be sent
                }
            }
            status = engine.getHandshakeStatus();
        }
        return flushNetOut();
    }

    private HandshakeStatus noteFinished(final HandshakeStatus status)
    {
        if (status == HandshakeStatus.FINISHED)
        {
            handshakeDone = true;
        }
        return status;
    }

    /**
     * Check the peer's first bytes before the engine sees them: a hello (or, from a server, an alert) record.
     *
     * @return true if they are TLS; false if more bytes are needed to tell.
     * @throws FerryException CONFIGURATION if they are not TLS.
     */
    private boolean checkFirstRecord() throws IOException
    {
        final int available = netInEnd - netInStart;
        final int verdict = firstRecordVerdict(netInMemory, netInStart, available);
        if (verdict > 0)
        {
            firstRecordChecked = true;
            return true;
        }
        if (verdict == 0 && !endOfStream)
        {
            return false;
        }
        if (engine.getUseClientMode())
        {
            if (!endOfStream && errorFrameIncomplete(available))
            {
                return false; // wait for the rest of the server's ERROR frame, to quote it
            }
            throw notTlsServer(available);
        }
        throw plaintextClient();
    }

    /**
     * @return 1 for a TLS hello or alert record header, -1 for anything else, 0 if too few bytes to tell.
     */
    private static int firstRecordVerdict(final MemorySegment bytes, final long offset, final int available)
    {
        if (available < 1)
        {
            return 0;
        }
        final int type = bytes.get(JAVA_BYTE, offset) & 0xFF;
        if (type != TLS_HANDSHAKE && type != TLS_ALERT)
        {
            return -1;
        }
        if (available < 2)
        {
            return 0;
        }
        if (bytes.get(JAVA_BYTE, offset + 1) != TLS_MAJOR_VERSION)
        {
            return -1;
        }
        if (available < TLS_RECORD_HEADER_LENGTH)
        {
            return 0;
        }
        final int length = recordLength(bytes, offset);
        final boolean plausible = type == TLS_HANDSHAKE ?
            length >= TLS_MIN_HELLO_RECORD_LENGTH : length == TLS_ALERT_RECORD_LENGTH;
        return plausible ? 1 : -1;
    }

    private boolean errorFrameIncomplete(final int available)
    {
        if (available < TYPE_OFFSET + 1)
        {
            return true;
        }
        final long length = Integer.toUnsignedLong(netInMemory.get(INT_LE, netInStart));
        return netInMemory.get(JAVA_BYTE, netInStart + TYPE_OFFSET) == MessageType.ERROR.value()
            && length >= ErrorFlyweight.MIN_LENGTH && length <= ErrorFlyweight.MAX_LENGTH && available < length;
    }

    private FerryException notTlsServer(final int available)
    {
        failed = true;
        final String said = errorFrameMessage(netInMemory, netInStart, available);
        return new FerryException(ErrorCode.CONFIGURATION, "the " + peer + " does not speak TLS (it answered the TLS "
            + "hello with plaintext): start the client without --tls-ca, or the server with --tls-cert and --tls-key"
            + (said == null ? "" : "; the server said: " + said));
    }

    /**
     * @return the message of the Ferry {@code ERROR} frame at {@code offset}, or {@code null} if the bytes are not
     *         one.
     */
    static String errorFrameMessage(final MemorySegment bytes, final long offset, final long available)
    {
        try
        {
            final FrameDecoder decoder = new FrameDecoder(ErrorFlyweight.MAX_LENGTH);
            final int length = decoder.frameLength(bytes, offset, available);
            if (length < 0 || decoder.verify(bytes, offset, length) != MessageType.ERROR)
            {
                return null;
            }
            final ErrorFlyweight error = new ErrorFlyweight().decode(bytes, offset, length);
            return error.code() + " " + error.printableMessage();
        }
        catch (final RuntimeException ex)
        {
            return null; // not a well-formed ERROR frame: say nothing rather than something wrong
        }
    }

    private FerryException plaintextClient()
    {
        failed = true;
        final String message = "a plaintext client connected to this TLS port; give the client --tls-ca";
        if (plaintextReply != null && netOutStart == netOutEnd)
        {
            try
            {
                final int length = plaintextReply.encode(netOutMemory, 0, ErrorCode.CONFIGURATION, message);
                netOut.limit(length).position(0);
                channel.write(netOut); // a reply this small fits an idle socket's buffer: one write is enough
                channel.shutdownOutput(); // the client reads the reply, then the end of the stream
            }
            catch (final IOException | RuntimeException ignore)
            {
                // best effort: the client sees the connection close instead
            }
        }
        return new FerryException(ErrorCode.CONFIGURATION, message + " (" + peer + ")");
    }

    private void endWithoutCloseNotify() throws IOException
    {
        if (!firstRecordChecked && netInEnd > netInStart)
        {
            checkFirstRecord(); // throws: what arrived before the end was not TLS
        }
        if (!handshakeDone && !failed)
        {
            failed = true;
            throw new FerryException(ErrorCode.CONNECTION, "the " + peer + " closed the connection during the TLS "
                + "handshake" + (engine.getUseClientMode() ?
                " (a server without TLS, or one that refused this client)" :
                " (a client that does not trust this server, or does not speak TLS)"));
        }
        // after the handshake, an end without close_notify is the peer's close: the frames above are length-prefixed
    }

    /**
     * An engine failure: send the fatal alert the engine prepared (so the peer fails with a reason too), then
     * describe it.
     */
    private FerryException failure(final SSLException ex)
    {
        failed = true;
        wrapRaw();
        try
        {
            flushNetOut();
        }
        catch (final IOException | RuntimeException ignore)
        {
            // the peer sees the connection close instead
        }
        if (!appDataReceived)
        {
            return new FerryException(ErrorCode.CONFIGURATION,
                "TLS handshake with " + peer + " failed: " + ex.getMessage() + hint(ex.getMessage()), ex);
        }
        return new FerryException(ErrorCode.PROTOCOL, "TLS failure with " + peer + ": " + ex.getMessage(), ex);
    }

    private String hint(final String reason)
    {
        final String text = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        final boolean client = engine.getUseClientMode();
        if (text.contains("certificate_required") || text.contains("empty client certificate chain"))
        {
            return client ?
                "; the server requires a client certificate: give this client --tls-cert and --tls-key" :
                "; this server requires a client certificate (it has --tls-ca) and the client sent none: give the "
                    + "client --tls-cert and --tls-key";
        }
        if (text.contains("no subject alternative") || text.contains("no name matching"))
        {
            return "; the server's certificate does not name the host the client connected to (its subjectAltName "
                + "must hold that DNS name or IP address)";
        }
        if (text.contains("expired") || text.contains("not yet valid") || text.contains("validity"))
        {
            return "; a certificate has expired or is not yet valid";
        }
        if (text.contains("pkix path") || text.contains("certification path") || text.contains("signature check"))
        {
            return "; the " + (client ? "server's" : "client's") + " certificate is not signed by a CA in this side's "
                + "--tls-ca";
        }
        if (text.contains("certificate_unknown") || text.contains("bad_certificate") || text.contains("unknown_ca"))
        {
            return "; the " + (client ? "server" : "client") + " rejected this side's certificate: its --tls-ca must "
                + "hold the CA that signed this side's --tls-cert" + (client ? "" : ", which must name the host the "
                + "client connects to");
        }
        if (text.contains("protocol_version") || text.contains("no appropriate protocol")
            || text.contains("handshake_failure"))
        {
            return "; the two sides share no TLS version or cipher suite (Ferry offers TLSv1.3 and TLSv1.2)";
        }
        if (text.contains("unrecognized") || text.contains("unsupported"))
        {
            return "; the peer does not speak TLS";
        }
        return "";
    }
}
