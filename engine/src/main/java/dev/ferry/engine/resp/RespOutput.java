package dev.ferry.engine.resp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One client's pending replies in the RESP2 encoding, in a byte array that grows as replies are written and is
 * drained to the socket. Single-threaded.
 */
final class RespOutput
{
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int INITIAL = 1024;
    private static final int SHRINK_ABOVE = 1 << 20;

    private byte[] bytes = new byte[0];
    private int start;
    private int end;

    /** @return the bytes written and not yet sent. */
    int pending()
    {
        return end - start;
    }

    void ok()
    {
        raw(OK);
    }

    void simple(final String text)
    {
        ensure(text.length() + 3);
        bytes[end++] = '+';
        ascii(text);
        raw(CRLF);
    }

    /** An error reply: {@code text} begins with its code, e.g. {@code "ERR syntax error"}. */
    void error(final String text)
    {
        final byte[] utf8 = text.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length + 3);
        bytes[end++] = '-';
        raw(utf8);
        raw(CRLF);
    }

    void integer(final long value)
    {
        ensure(24);
        bytes[end++] = ':';
        number(value);
        raw(CRLF);
    }

    void bulk(final byte[] value)
    {
        if (value == null)
        {
            raw(NULL_BULK);
            return;
        }
        bulk(value, 0, value.length);
    }

    void bulk(final byte[] value, final int from, final int length)
    {
        ensure(length + 16);
        bytes[end++] = '$';
        number(length);
        raw(CRLF);
        System.arraycopy(value, from, bytes, end, length);
        end += length;
        raw(CRLF);
    }

    void bulk(final String value)
    {
        bulk(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    void nullBulk()
    {
        raw(NULL_BULK);
    }

    void nullArray()
    {
        raw(NULL_ARRAY);
    }

    void array(final int length)
    {
        ensure(16);
        bytes[end++] = '*';
        number(length);
        raw(CRLF);
    }

    /** Bytes already encoded (e.g. a cached reply). */
    void raw(final byte[] encoded)
    {
        ensure(encoded.length);
        System.arraycopy(encoded, 0, bytes, end, encoded.length);
        end += encoded.length;
    }

    private void ascii(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            bytes[end++] = (byte)(c == '\r' || c == '\n' ? ' ' : c);
        }
    }

    private void number(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            ascii(Long.toString(value));
            return;
        }
        long v = value;
        if (v < 0)
        {
            bytes[end++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long bound = 10; digits < 19 && v >= bound; bound *= 10)
        {
            digits++;
        }
        int at = end + digits;
        end = at;
        do
        {
            bytes[--at] = (byte)('0' + v % 10);
            v /= 10;
        }
        while (v != 0);
    }

    private void ensure(final int more)
    {
        if (end + more <= bytes.length)
        {
            return;
        }
        if (start > 0 && end - start + more <= bytes.length)
        {
            System.arraycopy(bytes, start, bytes, 0, end - start);
            end -= start;
            start = 0;
            return;
        }
        final int needed = end - start + more;
        final byte[] grown = new byte[(int)Math.min(Integer.MAX_VALUE - 8, Math.max(INITIAL, Math.max(needed, 2L * bytes.length)))];
        System.arraycopy(bytes, start, grown, 0, end - start);
        end -= start;
        start = 0;
        bytes = grown;
    }

    /**
     * Write what is pending to the channel, as much as it takes now.
     *
     * @return the bytes written.
     */
    int drainTo(final WritableByteChannel channel) throws IOException
    {
        if (end == start)
        {
            return 0;
        }
        final int written = channel.write(ByteBuffer.wrap(bytes, start, end - start));
        start += written;
        if (start == end)
        {
            start = 0;
            end = 0;
            if (bytes.length > SHRINK_ABOVE)
            {
                bytes = new byte[INITIAL]; // a large reply is not kept per client once it is sent
            }
        }
        return written;
    }

    /** Drop what was written after the first {@code pending} bytes (a held reply replaced by another). */
    void truncate(final int pending)
    {
        end = start + pending;
    }

    /** Discard everything pending (a client that is closed). */
    void clear()
    {
        start = 0;
        end = 0;
        bytes = new byte[0];
    }

    @Override
    public String toString()
    {
        return new String(Arrays.copyOfRange(bytes, start, end), StandardCharsets.UTF_8);
    }
}
