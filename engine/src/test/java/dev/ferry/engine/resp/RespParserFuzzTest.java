package dev.ferry.engine.resp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.wal.frame.DecoderContract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link RespParser}: what a Redis client sends, multi-bulk and inline requests,
 * pipelined, read as hostile. The input is the bytes of one connection, parsed by a parser that takes arguments of up
 * to {@value #MAX_BULK_BYTES} bytes, twice: read through a channel that hands them over in pieces of changing sizes
 * (as a socket does), with every complete request taken ({@link RespParser#next()} until null) after each read, as
 * {@code RespServer} does; and fed in one piece. Two targets: {@link #requests} takes the input as it is;
 * {@link #longRequests} first inserts a run of one byte, up to 256 KiB (see {@link #expanded}), so that inputs reach
 * the 64 KiB limits on a line and the bound on the buffer, which the fuzzer's inputs of a few kilobytes do not.
 * <p>
 * {@link RespParser} documents a request, an empty request, null (not complete yet) or a
 * {@link RespParser.ProtocolError} after which the connection is closed; anything else is a finding. On every input:
 * <ul>
 *   <li>it buffers at most one incomplete request plus one read: after a read at most {@link #MAX_BUFFERED} bytes, and
 *       once the complete requests are taken at most {@link #MAX_PENDING} (a bulk not all there, or a line without
 *       its end); and a full buffer always yields a request or an error (else the connection could neither read nor
 *       parse);</li>
 *   <li>no bulk is longer than {@value #MAX_BULK_BYTES} bytes and no inline request's line longer than
 *       {@link RespParser#MAX_INLINE};</li>
 *   <li>one {@link RespParser#next()} (one request: one decode) allocates at most
 *       {@link DecoderContract#MAX_ALLOCATED_BYTES} ({@link DecoderContract#check});</li>
 *   <li>a request comes out only once its last byte has arrived, and then at once: in the read that completes it (where
 *       the input fed in one piece ends it);</li>
 *   <li>the pieces and the one piece give the same requests and end the same way (the same error, or the same bytes
 *       left over);</li>
 *   <li>every request comes back whole: written as multi-bulk (and an inline one also as a quoted inline line) and
 *       parsed by a fresh parser, it gives the same arguments.</li>
 * </ul>
 * <p>
 * {@code mvn verify} replays {@code RespParserFuzzTestInputs/<target>} (seeds from {@link RespParserFuzzSeedsTest},
 * and findings kept as regression inputs); {@code .ci/fuzz} fuzzes (net/PROTOCOL.md section 11).
 */
class RespParserFuzzTest
{
    /** The longest argument the parsers take: small, so that the fuzzer reaches the limit. */
    static final int MAX_BULK_BYTES = 1024;
    /** {@code RespParser.READ_CHUNK}: the room a read asks for. */
    static final int READ_CHUNK = 16 * 1024;
    /** The most {@link RespParser#readFrom} lets a parser hold: its buffer's cap. */
    static final long MAX_BUFFERED = (long)MAX_BULK_BYTES + 2L * RespParser.MAX_INLINE + READ_CHUNK;
    /** The most left once the complete requests are taken: a bulk and its CRLF but one byte, or a line. */
    static final long MAX_PENDING = Math.max(MAX_BULK_BYTES + 1L, RespParser.MAX_INLINE);
    /** The bytes of {@link #expanded}'s header: the run's length in units of 4 (u16 LE), its byte, where it goes. */
    static final int EXPANSION_HEADER = 4;
    /** The unit of {@link #expanded}'s run length. */
    static final int RUN_UNIT = 4;

    /** The sizes of the pieces the channel hands over, in turn, from a place the input's length picks. */
    private static final int[] PIECES = {1, 7, 4096, 2, 65_536, 13, 300};

    @FuzzTest
    void requests(final byte[] bytes)
    {
        parse(bytes);
    }

    @FuzzTest
    void longRequests(final byte[] bytes)
    {
        parse(expanded(bytes));
    }

    /**
     * @param bytes {@code [count u16 LE][filler][at][rest...]}.
     * @return {@code rest} with {@code 4 * count} bytes {@code filler} inserted at {@code min(at, rest.length)}, or the
     *         bytes themselves when there are fewer than {@value #EXPANSION_HEADER}.
     */
    static byte[] expanded(final byte[] bytes)
    {
        if (bytes.length < EXPANSION_HEADER)
        {
            return bytes;
        }
        final int run = RUN_UNIT * ((bytes[0] & 0xFF) | (bytes[1] & 0xFF) << 8);
        final int rest = bytes.length - EXPANSION_HEADER;
        final int at = Math.min(bytes[3] & 0xFF, rest);
        final byte[] expanded = new byte[rest + run];
        System.arraycopy(bytes, EXPANSION_HEADER, expanded, 0, at);
        Arrays.fill(expanded, at, at + run, bytes[2]);
        System.arraycopy(bytes, EXPANSION_HEADER + at, expanded, at + run, rest - at);
        return expanded;
    }

    /**
     * The input of {@link #longRequests} that {@link #expanded} makes {@code before}, then {@code run} times
     * {@code filler}, then {@code after}.
     */
    static byte[] expandable(final byte[] before, final int run, final byte filler, final byte[] after)
    {
        if (run % RUN_UNIT != 0 || run / RUN_UNIT > 0xFFFF || before.length > 0xFF)
        {
            throw new IllegalArgumentException("a run of " + run + " after " + before.length + " bytes");
        }
        final byte[] bytes = new byte[EXPANSION_HEADER + before.length + after.length];
        bytes[0] = (byte)(run / RUN_UNIT);
        bytes[1] = (byte)(run / RUN_UNIT >> 8);
        bytes[2] = filler;
        bytes[3] = (byte)before.length;
        System.arraycopy(before, 0, bytes, EXPANSION_HEADER, before.length);
        System.arraycopy(after, 0, bytes, EXPANSION_HEADER + before.length, after.length);
        return bytes;
    }

    /**
     * What a parser made of a connection's bytes.
     *
     * @param requests the requests, in order (an empty one for an empty request).
     * @param ends     where each request's bytes end in the input.
     * @param error    the {@link RespParser.ProtocolError}'s message, or null if there was none.
     * @param leftOver the bytes buffered at the end, when there was no error.
     */
    record Parsed(List<List<byte[]>> requests, List<Integer> ends, String error, int leftOver)
    {
    }

    /**
     * Parses {@code bytes} in pieces and in one piece and checks the contract above.
     *
     * @param bytes a connection's bytes.
     * @return what the parser made of them.
     */
    Parsed parse(final byte[] bytes)
    {
        final Parsed whole = inOnePiece(bytes);
        for (int i = 0; i < whole.requests().size(); i++)
        {
            checkRequest(bytes, i == 0 ? 0 : whole.ends().get(i - 1), whole.ends().get(i), whole.requests().get(i));
        }

        final Parsed pieces = inPieces(bytes, whole);
        require(same(whole.requests(), pieces.requests()), () -> "in one piece " + show(whole.requests()) +
            ", in pieces " + show(pieces.requests()));
        require(Objects.equals(whole.error(), pieces.error()), () -> "in one piece " + whole.error() +
            ", in pieces " + pieces.error() + ", after " + whole.requests().size() + " requests");
        require(null != whole.error() || whole.leftOver() == pieces.leftOver(), () -> whole.leftOver() +
            " bytes left over in one piece, " + pieces.leftOver() + " in pieces");
        return whole;
    }

    private static Parsed inOnePiece(final byte[] bytes)
    {
        final RespParser parser = new RespParser(MAX_BULK_BYTES);
        parser.feed(bytes);
        final List<List<byte[]>> requests = new ArrayList<>();
        final List<Integer> ends = new ArrayList<>();
        try
        {
            List<byte[]> request;
            while (null != (request = parser.next()))
            {
                requests.add(request);
                ends.add(bytes.length - parser.buffered());
            }
        }
        catch (final RespParser.ProtocolError ex)
        {
            return new Parsed(requests, ends, ex.getMessage(), -1);
        }
        return new Parsed(requests, ends, null, parser.buffered());
    }

    /**
     * Reads {@code bytes} as a socket delivers them, taking the complete requests after each read, and checks the
     * buffer's bounds and when each request comes out against {@code whole}.
     */
    private static Parsed inPieces(final byte[] bytes, final Parsed whole)
    {
        final Connection connection = new Connection();
        final RespParser parser = connection.parser;
        final Pieces channel = new Pieces(bytes);
        final List<List<byte[]>> requests = new ArrayList<>();
        long arrived = 0;
        while (true)
        {
            final int read;
            try
            {
                read = parser.readFrom(channel);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (read < 0)
            {
                return new Parsed(requests, whole.ends(), null, parser.buffered());
            }
            arrived += read;
            final long received = arrived;
            require(parser.buffered() <= MAX_BUFFERED, () -> parser.buffered() + " bytes buffered after a read of " +
                read);
            final int taken = requests.size();
            List<byte[]> request;
            while (null != (request = connection.next()))
            {
                final int index = requests.size();
                final List<byte[]> out = request;
                require(index < whole.ends().size() && whole.ends().get(index) <= received, () -> "request " +
                    index + " " + show(out) + " out after " + received + " bytes, where in one piece it " +
                    (index < whole.ends().size() ? "ends at " + whole.ends().get(index) : "does not come"));
                requests.add(request);
            }
            if (null != connection.error)
            {
                return new Parsed(requests, whole.ends(), connection.error.getMessage(), -1);
            }
            require(parser.buffered() <= MAX_PENDING, () -> parser.buffered() + " bytes buffered with no complete " +
                "request in them, after " + received + " bytes");
            require(requests.size() == whole.ends().size() || whole.ends().get(requests.size()) > received,
                () -> "request " + requests.size() + ", which ends at " + whole.ends().get(requests.size()) +
                    ", not out after " + received + " bytes");
            require(read > 0 || requests.size() > taken, () -> "a full buffer of " + parser.buffered() + " bytes " +
                "yields no request and no error: the connection can neither read nor parse");
        }
    }

    /** Checks one request, which is {@code bytes[from, to)}, against its limits and that it comes back whole. */
    private static void checkRequest(final byte[] bytes, final int from, final int to, final List<byte[]> request)
    {
        final boolean multiBulk = bytes[from] == '*';
        int longest = 0;
        for (final byte[] arg : request)
        {
            longest = Math.max(longest, arg.length);
        }
        final int widest = longest;
        if (multiBulk)
        {
            require(widest <= MAX_BULK_BYTES, () -> "a bulk of " + widest + " bytes");
        }
        else
        {
            require(to - from <= RespParser.MAX_INLINE + 1, () -> "an inline request of " + (to - from) + " bytes");
        }
        if (request.isEmpty())
        {
            return;
        }
        comesBack(request, multiBulk(request), Math.max(MAX_BULK_BYTES, longest));
        if (!multiBulk)
        {
            final byte[] line = inline(request);
            if (line.length <= RespParser.MAX_INLINE)
            {
                comesBack(request, line, MAX_BULK_BYTES);
            }
        }
    }

    /**
     * {@link DecoderContract#require}, with the message made only when it does not hold.
     */
    private static void require(final boolean holds, final Supplier<String> message)
    {
        if (!holds)
        {
            DecoderContract.require(false, message.get());
        }
    }

    private static void comesBack(final List<byte[]> request, final byte[] written, final int maxBulkBytes)
    {
        final RespParser parser = new RespParser(maxBulkBytes);
        parser.feed(written);
        try
        {
            final List<byte[]> again = parser.next();
            require(null != again && same(List.of(request), List.of(again)) && 0 == parser.buffered() &&
                null == parser.next(), () -> show(List.of(request)) + " written as " + show(List.of(written)) +
                " parsed as " + (null == again ? null : show(List.of(again))) + ", " + parser.buffered() +
                " bytes left");
        }
        catch (final RespParser.ProtocolError ex)
        {
            throw new AssertionError(show(List.of(request)) + " written as " + show(List.of(written)) + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return the request written as multi-bulk.
     */
    static byte[] multiBulk(final List<byte[]> request)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + request.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final byte[] arg : request)
        {
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    /**
     * @return the request written as an inline line, each argument in double quotes with Redis' escapes, and CRLF.
     */
    static byte[] inline(final List<byte[]> request)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] arg : request)
        {
            if (out.size() > 0)
            {
                out.write(' ');
            }
            out.write('"');
            for (final byte b : arg)
            {
                if (b == '"' || b == '\\')
                {
                    out.write('\\');
                    out.write(b);
                }
                else if (b < 0x20 || b >= 0x7F)
                {
                    out.writeBytes(String.format("\\x%02x", b & 0xFF).getBytes(StandardCharsets.US_ASCII));
                }
                else
                {
                    out.write(b);
                }
            }
            out.write('"');
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    /**
     * @return whether the two lists of requests have the same arguments.
     */
    static boolean same(final List<List<byte[]>> a, final List<List<byte[]>> b)
    {
        if (a.size() != b.size())
        {
            return false;
        }
        for (int i = 0; i < a.size(); i++)
        {
            if (a.get(i).size() != b.get(i).size())
            {
                return false;
            }
            for (int j = 0; j < a.get(i).size(); j++)
            {
                if (!Arrays.equals(a.get(i).get(j), b.get(i).get(j)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @return the requests, each argument quoted, long ones shortened.
     */
    static String show(final List<?> requests)
    {
        final StringBuilder text = new StringBuilder("[");
        for (final Object request : requests)
        {
            if (text.length() > 1)
            {
                text.append(", ");
            }
            if (request instanceof byte[] bytes)
            {
                text.append(quoted(bytes));
            }
            else
            {
                text.append('(');
                for (final Object arg : (List<?>)request)
                {
                    text.append(quoted((byte[])arg)).append(' ');
                }
                text.append(')');
            }
        }
        return text.append(']').toString();
    }

    private static String quoted(final byte[] bytes)
    {
        final byte[] line = inline(List.of(Arrays.copyOf(bytes, Math.min(bytes.length, 64))));
        return new String(line, 0, line.length - 2, StandardCharsets.ISO_8859_1) +
            (bytes.length > 64 ? "...(" + bytes.length + " bytes)" : "");
    }

    /**
     * A parser taken from as {@code RespServer} takes from a client's, one {@link RespParser#next()} at a time, each
     * under {@link DecoderContract#check}: a request is one decode, and what one allocates is bounded (the stream's
     * requests, each allocating for itself, are not: a connection's bytes are not one decode).
     */
    private static final class Connection
    {
        private final RespParser parser = new RespParser(MAX_BULK_BYTES);
        private List<byte[]> request;
        private RespParser.ProtocolError error;

        /**
         * @return the next complete request, or null when there is none yet or the bytes are refused (then
         *         {@link #error} says why).
         */
        List<byte[]> next()
        {
            request = null;
            DecoderContract.check(() ->
            {
                try
                {
                    request = parser.next();
                }
                catch (final RespParser.ProtocolError ex)
                {
                    error = ex;
                }
            });
            return request;
        }
    }

    /**
     * The input, handed over in pieces of the sizes in {@link #PIECES} in turn, then end of stream. Blocking: a read
     * into room for a byte never returns 0.
     */
    private static final class Pieces implements ReadableByteChannel
    {
        private final byte[] bytes;
        private int position;
        private int reads;
        private boolean open = true;

        Pieces(final byte[] bytes)
        {
            this.bytes = bytes;
            this.reads = bytes.length % PIECES.length;
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            if (position == bytes.length)
            {
                return -1;
            }
            final int n = Math.min(Math.min(dst.remaining(), bytes.length - position), PIECES[reads++ % PIECES.length]);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return open;
        }

        @Override
        public void close()
        {
            open = false;
        }
    }
}
