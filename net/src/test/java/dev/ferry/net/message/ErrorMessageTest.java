package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A peer's ERROR text is logged escaped: it cannot forge log lines or rewrite a terminal.
 */
class ErrorMessageTest
{
    @Test
    void shouldEscapeControlCharactersOfAPeersMessage()
    {
        final MemorySegment buffer = MemorySegment.ofArray(new byte[ErrorFlyweight.MAX_LENGTH]);
        final String forged = "refused\n12:00:00.000 replica r1 streaming\u001b[2J\u202eevil\u0085";
        final ErrorFlyweight error = new ErrorFlyweight();
        error.decode(buffer, 0, error.encode(buffer, 0, ErrorCode.DIVERGED, forged));
        assertEquals(forged, error.message(), "the text itself is kept");
        assertEquals("refused\\u000a12:00:00.000 replica r1 streaming\\u001b[2J\\u202eevil\\u0085", error.printableMessage());
    }

    @Test
    void shouldReturnAPlainMessageAsItIs()
    {
        final MemorySegment buffer = MemorySegment.ofArray(new byte[ErrorFlyweight.MAX_LENGTH]);
        final ErrorFlyweight error = new ErrorFlyweight();
        error.decode(buffer, 0, error.encode(buffer, 0, ErrorCode.RETENTION, "offset 5 is older than 9: résumé"));
        assertEquals("offset 5 is older than 9: résumé", error.printableMessage());
    }
}
