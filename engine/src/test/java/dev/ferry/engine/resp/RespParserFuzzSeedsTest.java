package dev.ferry.engine.resp;

import dev.ferry.wal.frame.SeedCorpus;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ferry.engine.resp.RespParserFuzzTest.MAX_BULK_BYTES;
import static dev.ferry.engine.resp.RespParserFuzzTest.expandable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed corpus of {@link RespParserFuzzTest}'s two targets: what Redis clients send (pipelined multi-bulk requests,
 * binary arguments, a bulk of the largest size, empty requests, inline commands with quotes and escapes, a request
 * not complete yet) and each {@link RespParser.ProtocolError} (a multi-bulk count that is not a number or is too
 * large, a bulk length that is negative or too large, a missing {@code $}, unbalanced quotes); {@code longRequests}
 * also gets, through {@link RespParserFuzzTest#expandable}, a line at the 64 KiB limit and each kind of line over it.
 * The test checks the checked-in seeds are what it writes today and that each is parsed as it expects (the requests it
 * holds, or the error, with Redis' text), under the target's contract; run as a program (what
 * {@code .ci/fuzz --write-seeds} does) it writes them.
 */
class RespParserFuzzSeedsTest
{
    /** The targets: {@code longRequests} takes every seed of {@code requests} (with a run of nothing) and long ones. */
    private static final List<String> TARGETS = List.of("requests", "longRequests");

    /**
     * A seed and what the parser must make of it.
     *
     * @param bytes    the connection's bytes (for {@code longRequests}, before {@link RespParserFuzzTest#expanded}).
     * @param requests the requests it holds, empty ones included.
     * @param error    the {@link RespParser.ProtocolError}'s message after them, or null.
     */
    private record Seed(byte[] bytes, int requests, String error)
    {
    }

    /**
     * @return the seeds of {@code requests}, by name.
     */
    private static Map<String, Seed> shortSeeds()
    {
        final Map<String, Seed> seeds = new LinkedHashMap<>();
        seeds.put("pipelined", new Seed(concat(
            RespParserFuzzTest.multiBulk(args("SET", "user:1", "ada")),
            RespParserFuzzTest.multiBulk(args("GET", "user:1")),
            RespParserFuzzTest.multiBulk(args("INCRBY", "counter", "-12")),
            RespParserFuzzTest.multiBulk(args("PING"))), 4, null));
        seeds.put("binary-args", new Seed(RespParserFuzzTest.multiBulk(List.of(ascii("SET"),
            new byte[] {0, '\r', '\n', (byte)0xFF, '*', '$', '"'}, new byte[0])), 1, null));
        final byte[] largest = new byte[MAX_BULK_BYTES];
        for (int i = 0; i < largest.length; i++)
        {
            largest[i] = (byte)(i * 31);
        }
        seeds.put("largest-bulk", new Seed(RespParserFuzzTest.multiBulk(List.of(ascii("ECHO"), largest)), 1, null));
        seeds.put("empty-requests", new Seed(ascii("*0\r\n*-1\r\n\r\n \t \r\n\n*1\r\n$4\r\nPING\r\n"), 6, null));
        seeds.put("inline", new Seed(ascii("SET key \"a \\\"quoted\\\" value\\x41\\n\" 'it\\'s'\r\nGET key\nPING\r\n" +
            "  ECHO  a\tb  \r\n"), 4, null));
        seeds.put("inline-escapes", new Seed(ascii("ECHO \"\\x00\\xff\\xAb\\t\\r\\n\\a\\b\\\\\\q\\x4\" '' \"\" " +
            "'\\n\\'\\\\x'\r\n"), 1, null));
        seeds.put("mixed", new Seed(concat(ascii("PING\r\n"), RespParserFuzzTest.multiBulk(args("ECHO", "a b")),
            ascii("ECHO \"c d\"\r\n")), 3, null));
        final byte[] pipelined = RespParserFuzzTest.multiBulk(args("SET", "key", "a value cut short"));
        seeds.put("incomplete", new Seed(Arrays.copyOf(pipelined, pipelined.length - 5), 0, null));
        seeds.put("error-multibulk-length", new Seed(ascii("*1x\r\n$4\r\nPING\r\n"), 0,
            "Protocol error: invalid multibulk length"));
        seeds.put("error-multibulk-count", new Seed(ascii("PING\r\n*1048577\r\n"), 1,
            "Protocol error: invalid multibulk length"));
        seeds.put("error-bulk-length", new Seed(ascii("*2\r\n$4\r\nECHO\r\n$" + (MAX_BULK_BYTES + 1) + "\r\n"), 0,
            "Protocol error: invalid bulk length"));
        seeds.put("error-negative-bulk-length", new Seed(ascii("*1\r\n$-1\r\n"), 0,
            "Protocol error: invalid bulk length"));
        seeds.put("error-missing-dollar", new Seed(ascii("*2\r\n$3\r\nGET\r\nkey\r\n"), 0,
            "Protocol error: expected '$', got 'k'"));
        seeds.put("error-unbalanced-quotes", new Seed(ascii("SET \"key value\r\n"), 0,
            "Protocol error: unbalanced quotes in request"));
        seeds.put("error-closing-quote", new Seed(ascii("GET 'key'x\r\n"), 0,
            "Protocol error: unbalanced quotes in request"));
        return seeds;
    }

    /**
     * @return the seeds only {@code longRequests} gets, by name: lines about the 64 KiB limit.
     */
    private static Map<String, Seed> longSeeds()
    {
        final Map<String, Seed> seeds = new LinkedHashMap<>();
        final int limit = RespParser.MAX_INLINE;
        // an inline line of exactly the limit before its '\n' (the '\r' counts, as in Redis' query buffer)
        seeds.put("long-inline", new Seed(expandable(ascii("ECHO "), limit - 8, (byte)'x', ascii("xx\r\nPING\r\n")), 2,
            null));
        // a line over the limit is refused however it arrives: also when its end came with it (these did not read more)
        seeds.put("error-long-inline", new Seed(expandable(ascii("ECHO "), limit - 4, (byte)'x', ascii("\r\n")), 0,
            "Protocol error: too big inline request"));
        seeds.put("error-long-count", new Seed(expandable(ascii("*"), limit, (byte)'1', ascii("\r\n")), 0,
            "Protocol error: too big mbulk count string"));
        seeds.put("error-long-bulk-length", new Seed(expandable(ascii("*1\r\n$"), limit, (byte)'0',
            ascii("1\r\nx\r\n")), 0, "Protocol error: too big bulk count string"));
        // every read ended in a '\r' that might start the CRLF, which skipped the limit until the buffer was full
        seeds.put("error-carriage-returns", new Seed(expandable(ascii("*"), 4 * 0xFFFF, (byte)'\r', new byte[0]), 0,
            "Protocol error: too big mbulk count string"));
        return seeds;
    }

    /**
     * @return the corpus: every seed, for each target that takes it.
     */
    static SeedCorpus corpus()
    {
        final SeedCorpus corpus = new SeedCorpus(RespParserFuzzTest.class);
        for (final Map.Entry<String, Seed> seed : shortSeeds().entrySet())
        {
            corpus.add("requests", seed.getKey(), seed.getValue().bytes())
                .add("longRequests", seed.getKey(), expandable(new byte[0], 0, (byte)0, seed.getValue().bytes()));
        }
        for (final Map.Entry<String, Seed> seed : longSeeds().entrySet())
        {
            corpus.add("longRequests", seed.getKey(), seed.getValue().bytes());
        }
        return corpus;
    }

    @Test
    void shouldMatchTheCheckedInSeeds()
    {
        assertEquals(List.of(), corpus().differences(Path.of("")),
            "the seeds are not what this test writes: regenerate them with .ci/fuzz --write-seeds");
    }

    @Test
    void shouldParseEverySeedAsExpected()
    {
        final RespParserFuzzTest target = new RespParserFuzzTest();
        assertEquals(TARGETS, List.copyOf(corpus().seeds().keySet()));
        for (final Map.Entry<String, Seed> seed : shortSeeds().entrySet())
        {
            check(seed.getKey(), seed.getValue(), target.parse(seed.getValue().bytes()));
        }
        for (final Map.Entry<String, Seed> seed : longSeeds().entrySet())
        {
            check(seed.getKey(), seed.getValue(), target.parse(RespParserFuzzTest.expanded(seed.getValue().bytes())));
        }
    }

    @Test
    void shouldExpandAsWritten()
    {
        final byte[] bytes = expandable(ascii("ab"), 8, (byte)'-', ascii("cd"));
        assertEquals("ab--------cd", new String(RespParserFuzzTest.expanded(bytes), StandardCharsets.ISO_8859_1));
        assertEquals("", new String(RespParserFuzzTest.expanded(new byte[0]), StandardCharsets.ISO_8859_1));
    }

    private static void check(final String name, final Seed seed, final RespParserFuzzTest.Parsed parsed)
    {
        assertEquals(seed.error(), parsed.error(), name);
        assertEquals(seed.requests(), parsed.requests().size(), name + ": " +
            RespParserFuzzTest.show(parsed.requests()));
        if (null == seed.error())
        {
            assertTrue(name.equals("incomplete") ? parsed.leftOver() > 0 : parsed.leftOver() == 0,
                name + ": " + parsed.leftOver() + " bytes left over");
        }
    }

    private static List<byte[]> args(final String... args)
    {
        return Arrays.stream(args).map(RespParserFuzzSeedsTest::ascii).toList();
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * Writes the seeds into the module's test resources.
     *
     * @param args the module directory, or none for the working directory.
     */
    public static void main(final String[] args)
    {
        final SeedCorpus corpus = corpus();
        System.out.println(corpus.write(Path.of(args.length > 0 ? args[0] : "")) + " seeds for " +
            corpus.fuzzTestClass().getSimpleName());
    }
}
