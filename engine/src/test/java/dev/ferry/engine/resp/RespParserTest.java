package dev.ferry.engine.resp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link RespParser}'s 64 KiB limit on a line, whatever the reads the line arrives in (findings of
 * {@link RespParserFuzzTest}).
 */
class RespParserTest
{
    @Test
    void shouldRefuseAnInlineRequestOverTheLimitWhoseNewlineArrivedWithIt()
    {
        // RespParserFuzzTestInputs/longRequests/crash-27ad7ff5...: accepted when the '\n' came in the same read
        final RespParser parser = new RespParser(1024);
        parser.feed(ascii("ECHO " + "x".repeat(RespParser.MAX_INLINE - 5) + "\r\n"));
        assertEquals("Protocol error: too big inline request", assertThrows(RespParser.ProtocolError.class,
            parser::next).getMessage());
    }

    @Test
    void shouldEndAnInlineRequestAtItsFirstNulAsRedisDoes() throws RespParser.ProtocolError
    {
        // Redis splits the line as a C string: what follows a NUL is not read (it was up to 65,536 empty words here)
        final RespParser parser = new RespParser(1024);
        parser.feed(ascii("SET a b\0" + "\0".repeat(1000) + " c d\r\n\"open\0\"\r\nPING\r\n"));
        assertEquals(List.of("SET", "a", "b"), parser.next().stream().map(RespParserTest::text).toList());
        assertEquals("Protocol error: unbalanced quotes in request", assertThrows(RespParser.ProtocolError.class,
            parser::next).getMessage());
    }

    @Test
    void shouldAcceptAnInlineRequestAtTheLimit() throws RespParser.ProtocolError
    {
        final RespParser parser = new RespParser(1024);
        parser.feed(ascii("ECHO " + "x".repeat(RespParser.MAX_INLINE - 6) + "\r\nPING\r\n"));
        assertEquals(2, parser.next().size());
        assertEquals(List.of("PING"), parser.next().stream().map(RespParserTest::text).toList());
        assertNull(parser.next());
    }

    @Test
    void shouldRefuseALengthLineOverTheLimitWhoseEndArrivedWithIt()
    {
        final RespParser count = new RespParser(1024);
        count.feed(ascii("*" + "1".repeat(RespParser.MAX_INLINE) + "\r\n"));
        assertEquals("Protocol error: too big mbulk count string", assertThrows(RespParser.ProtocolError.class,
            count::next).getMessage());
        final RespParser bulk = new RespParser(1024);
        bulk.feed(ascii("*1\r\n$" + "1".repeat(RespParser.MAX_INLINE) + "\r\n"));
        assertEquals("Protocol error: too big bulk count string", assertThrows(RespParser.ProtocolError.class,
            bulk::next).getMessage());
    }

    @Test
    void shouldRefuseALengthLineOfCarriageReturnsBeforeTheBufferIsFull() throws IOException
    {
        // "*" then '\r' after '\r': every read ends in a '\r' that may start the line's CRLF, which skipped the limit
        // until the buffer was full, and then the connection could neither read nor parse
        final byte[] bytes = new byte[1 << 20];
        Arrays.fill(bytes, (byte)'\r');
        bytes[0] = '*';
        final ReadableByteChannel channel = Channels.newChannel(new ByteArrayInputStream(bytes));
        final RespParser parser = new RespParser(1024);
        RespParser.ProtocolError error = null;
        while (null == error && parser.readFrom(channel) > 0)
        {
            try
            {
                assertNull(parser.next());
            }
            catch (final RespParser.ProtocolError ex)
            {
                error = ex;
            }
        }
        assertEquals("Protocol error: too big mbulk count string", null == error ? null : error.getMessage());
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
