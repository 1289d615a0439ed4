package dev.ferry.engine.resp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses one client's requests as Redis does: multi-bulk ({@code *N\r\n$len\r\narg\r\n...}) and inline commands
 * (words on a line, with Redis' quoting), pipelined. The input is read as hostile: a length line longer than 64 KiB,
 * a multi-bulk count above 1,048,576, a bulk longer than {@code maxBulkBytes}, an inline request longer than 64 KiB,
 * a missing {@code $} or unbalanced quotes are a {@link ProtocolError} with Redis' text, after which the connection
 * is closed. The buffer holds at most one incomplete request plus one read: a bulk is never allocated before its
 * bytes have arrived. Single-threaded.
 */
final class RespParser
{
    /** Redis' limit on a multi-bulk count. */
    static final int MAX_MULTIBULK = 1024 * 1024;
    /** Redis' limit on an inline request and on a length line (PROTO_INLINE_MAX_SIZE). */
    static final int MAX_INLINE = 64 * 1024;
    private static final int READ_CHUNK = 16 * 1024;
    private static final int SHRINK_ABOVE = 1 << 20;

    /** A request that breaks the protocol: the reply is {@code -ERR Protocol error: <message>}, then a close. */
    static final class ProtocolError extends Exception
    {
        private static final long serialVersionUID = 1L;

        ProtocolError(final String message)
        {
            super("Protocol error: " + message, null, false, false);
        }
    }

    private final int maxBulkBytes;
    private byte[] in = new byte[256];
    private int start;
    private int end;
    private boolean filled;
    // the multi-bulk request being parsed
    private int expectedArgs = -1;
    private int bulkLength = -1;
    private final List<byte[]> args = new ArrayList<>();

    /**
     * @param maxBulkBytes the longest argument accepted.
     */
    RespParser(final int maxBulkBytes)
    {
        this.maxBulkBytes = maxBulkBytes;
    }

    /**
     * Read what the socket has (one chunk).
     *
     * @return the bytes read, or -1 at the end of the stream.
     */
    int readFrom(final ReadableByteChannel channel) throws IOException
    {
        if (start == end)
        {
            start = 0;
            end = 0;
            if (in.length > SHRINK_ABOVE)
            {
                in = new byte[256]; // a large request is not kept per client once it is parsed
            }
        }
        if (in.length - end < READ_CHUNK)
        {
            if (start > 0)
            {
                System.arraycopy(in, start, in, 0, end - start);
                end -= start;
                start = 0;
            }
            final long wanted = Math.min((long)maxBulkBytes + 2L * MAX_INLINE + READ_CHUNK,
                Math.max(2L * in.length, (long)end + READ_CHUNK));
            if (wanted > in.length)
            {
                in = Arrays.copyOf(in, (int)Math.min(Integer.MAX_VALUE - 8, wanted));
            }
        }
        if (end == in.length)
        {
            return 0; // full: the caller parses before reading again
        }
        final int space = in.length - end;
        final int read = channel.read(ByteBuffer.wrap(in, end, space));
        if (read > 0)
        {
            end += read;
        }
        filled = read == space;
        return read;
    }

    /**
     * @return true if the last read filled all the space it had: the socket may hold more (otherwise it is drained, and
     *         reading again now would only cost a system call that finds nothing).
     */
    boolean filledLastRead()
    {
        return filled;
    }

    /** Feed bytes directly (tests). */
    void feed(final byte[] bytes)
    {
        if (in.length - end < bytes.length)
        {
            System.arraycopy(in, start, in, 0, end - start);
            end -= start;
            start = 0;
            if (in.length - end < bytes.length)
            {
                in = Arrays.copyOf(in, end + bytes.length);
            }
        }
        System.arraycopy(bytes, 0, in, end, bytes.length);
        end += bytes.length;
    }

    /** @return bytes received and not yet parsed into a request. */
    int buffered()
    {
        return end - start;
    }

    /**
     * The next complete request.
     *
     * @return its arguments (the command name first), an empty list for an empty request (ignored, as Redis does), or
     *         null if the request is not complete yet.
     * @throws ProtocolError if the bytes are not RESP.
     */
    List<byte[]> next() throws ProtocolError
    {
        if (expectedArgs < 0)
        {
            if (start == end)
            {
                return null;
            }
            if (in[start] != '*')
            {
                return inline();
            }
            final int newline = lineEnd("too big mbulk count string");
            if (newline < 0)
            {
                return null;
            }
            final long count = number(start + 1, newline - 1, "invalid multibulk length");
            start = newline + 1;
            if (count > MAX_MULTIBULK)
            {
                throw new ProtocolError("invalid multibulk length");
            }
            if (count <= 0)
            {
                return List.of();
            }
            expectedArgs = (int)count;
            args.clear();
        }
        while (args.size() < expectedArgs)
        {
            if (bulkLength < 0)
            {
                if (start == end)
                {
                    return null;
                }
                if (in[start] != '$')
                {
                    throw new ProtocolError("expected '$', got '" + (char)(in[start] & 0xFF) + "'");
                }
                final int newline = lineEnd("too big bulk count string");
                if (newline < 0)
                {
                    return null;
                }
                final long length = number(start + 1, newline - 1, "invalid bulk length");
                if (length < 0 || length > maxBulkBytes)
                {
                    throw new ProtocolError("invalid bulk length");
                }
                start = newline + 1;
                bulkLength = (int)length;
            }
            if (end - start < bulkLength + 2L)
            {
                return null;
            }
            args.add(Arrays.copyOfRange(in, start, start + bulkLength));
            start += bulkLength + 2; // Redis skips the CRLF without checking it
            bulkLength = -1;
        }
        expectedArgs = -1;
        final List<byte[]> request = new ArrayList<>(args);
        args.clear();
        return request;
    }

    /**
     * The index of the '\n' ending the line at {@code start} ('\r' before it), or -1 if it has not arrived. The line is
     * too big when more than {@link #MAX_INLINE} of its bytes come before its "\r\n" is whole, however they arrive.
     */
    private int lineEnd(final String tooBig) throws ProtocolError
    {
        for (int i = start; i < end; i++)
        {
            if (i - start >= MAX_INLINE)
            {
                throw new ProtocolError(tooBig);
            }
            if (in[i] == '\r' && i + 1 < end && in[i + 1] == '\n')
            {
                return i + 1;
            }
        }
        return -1;
    }

    /** A decimal between {@code from} (inclusive) and the '\r' at {@code to}, or the error. */
    private long number(final int from, final int to, final String error) throws ProtocolError
    {
        final long value = RespNumbers.parseLong(in, from, to - from);
        if (value == RespNumbers.NOT_A_NUMBER)
        {
            throw new ProtocolError(error);
        }
        return value;
    }

    private List<byte[]> inline() throws ProtocolError
    {
        int newline = -1;
        for (int i = start; i < end; i++)
        {
            if (in[i] == '\n')
            {
                newline = i;
                break;
            }
            if (i - start >= MAX_INLINE)
            {
                throw new ProtocolError("too big inline request"); // also when its '\n' came in the same read
            }
        }
        if (newline < 0)
        {
            return null;
        }
        int lineEnd = newline;
        if (lineEnd > start && in[lineEnd - 1] == '\r')
        {
            lineEnd--;
        }
        final List<byte[]> words = splitArgs(in, start, lineEnd);
        start = newline + 1;
        if (words == null)
        {
            throw new ProtocolError("unbalanced quotes in request");
        }
        return words;
    }

    /** Redis' {@code sdssplitargs}: words separated by blanks, "double" quotes with escapes, 'single' quotes. */
    static List<byte[]> splitArgs(final byte[] line, final int from, final int lineEnd)
    {
        int to = from;
        while (to < lineEnd && line[to] != 0)
        {
            to++; // Redis reads the line as a C string: it ends at the first NUL
        }
        final List<byte[]> words = new ArrayList<>();
        int p = from;
        while (true)
        {
            while (p < to && isSpace(line[p]))
            {
                p++;
            }
            if (p >= to)
            {
                return words;
            }
            final ByteArrayOutputStream word = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= to)
                    {
                        return null;
                    }
                    if (line[p] == '\\' && p + 3 < to && line[p + 1] == 'x' && hex(line[p + 2]) >= 0 && hex(line[p + 3]) >= 0)
                    {
                        word.write(hex(line[p + 2]) * 16 + hex(line[p + 3]));
                        p += 3;
                    }
                    else if (line[p] == '\\' && p + 1 < to)
                    {
                        p++;
                        word.write(switch (line[p])
                        {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> line[p];
                        });
                    }
                    else if (line[p] == '"')
                    {
                        if (p + 1 < to && !isSpace(line[p + 1]))
                        {
                            return null; // the closing quote must be followed by a space or nothing
                        }
                        done = true;
                    }
                    else
                    {
                        word.write(line[p]);
                    }
                }
                else if (inSingle)
                {
                    if (p >= to)
                    {
                        return null;
                    }
                    if (line[p] == '\\' && p + 1 < to && line[p + 1] == '\'')
                    {
                        p++;
                        word.write('\'');
                    }
                    else if (line[p] == '\'')
                    {
                        if (p + 1 < to && !isSpace(line[p + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        word.write(line[p]);
                    }
                }
                else if (p >= to)
                {
                    done = true;
                }
                else
                {
                    switch (line[p])
                    {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> word.write(line[p]);
                    }
                }
                if (p < to)
                {
                    p++;
                }
            }
            words.add(word.toByteArray());
        }
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0x0B || b == '\f';
    }

    private static int hex(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }
}
