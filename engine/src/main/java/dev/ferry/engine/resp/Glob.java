package dev.ferry.engine.resp;

/**
 * Redis' glob-style patterns ({@code stringmatchlen}), for {@code KEYS} and {@code SCAN MATCH}: {@code *} any run,
 * {@code ?} one byte, {@code [abc]}, {@code [^abc]}, {@code [a-z]} (bytes compared as signed, as C's {@code char} on
 * x86-64), and {@code \} to take the next byte literally.
 */
final class Glob
{
    private static final int MAX_DEPTH = 1000; // Redis bounds its recursion the same way (nesting of '*')

    private Glob()
    {
    }

    /**
     * @return true if {@code string} matches {@code pattern}. As in Redis, the empty string matches the empty pattern
     *         only ({@code KEYS *} and {@code SCAN MATCH *} show every key without matching).
     */
    static boolean matches(final byte[] pattern, final byte[] string)
    {
        if (string.length == 0)
        {
            return pattern.length == 0;
        }
        return match(pattern, 0, string, 0, 0);
    }

    private static boolean match(final byte[] pattern, final int patternFrom, final byte[] string, final int stringFrom,
        final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            return false;
        }
        int p = patternFrom;
        int s = stringFrom;
        while (p < pattern.length && s < string.length)
        {
            switch (pattern[p])
            {
                case '*' ->
                {
                    while (p + 1 < pattern.length && pattern[p + 1] == '*')
                    {
                        p++;
                    }
                    if (p + 1 == pattern.length)
                    {
                        return true;
                    }
                    for (int from = s; from < string.length; from++)
                    {
                        if (match(pattern, p + 1, string, from, depth + 1))
                        {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> s++;
                case '[' ->
                {
                    p++;
                    final boolean not = p < pattern.length && pattern[p] == '^';
                    if (not)
                    {
                        p++;
                    }
                    boolean matched = false;
                    while (true)
                    {
                        if (p >= pattern.length)
                        {
                            p--; // Redis: an unterminated class ends at the pattern's end
                            break;
                        }
                        if (pattern[p] == '\\' && p + 1 < pattern.length)
                        {
                            p++;
                            if (pattern[p] == string[s])
                            {
                                matched = true;
                            }
                        }
                        else if (pattern[p] == ']')
                        {
                            break;
                        }
                        else if (p + 2 < pattern.length && pattern[p + 1] == '-')
                        {
                            // Redis compares C chars, signed on x86-64: bytes from 0x80 sort below 0
                            int low = pattern[p];
                            int high = pattern[p + 2];
                            if (low > high)
                            {
                                final int swap = low;
                                low = high;
                                high = swap;
                            }
                            final int c = string[s];
                            p += 2;
                            if (c >= low && c <= high)
                            {
                                matched = true;
                            }
                        }
                        else if (pattern[p] == string[s])
                        {
                            matched = true;
                        }
                        p++;
                    }
                    if (not)
                    {
                        matched = !matched;
                    }
                    if (!matched)
                    {
                        return false;
                    }
                    s++;
                }
                case '\\' ->
                {
                    if (p + 1 < pattern.length)
                    {
                        p++;
                    }
                    if (pattern[p] != string[s])
                    {
                        return false;
                    }
                    s++;
                }
                default ->
                {
                    if (pattern[p] != string[s])
                    {
                        return false;
                    }
                    s++;
                }
            }
            p++;
        }
        while (p < pattern.length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.length && s == string.length;
    }
}
