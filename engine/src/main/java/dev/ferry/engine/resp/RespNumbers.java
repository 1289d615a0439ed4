package dev.ferry.engine.resp;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Numbers as Redis reads and writes them: {@code string2ll}'s strict integers (no sign but '-', no leading zero, no
 * blank, at most 20 characters, within a signed 64-bit range) and {@code INCRBYFLOAT}'s decimal arithmetic, printed
 * with up to 17 decimals and no exponent, trailing zeros removed.
 */
final class RespNumbers
{
    /** What {@link #parseLong} answers for anything that is not an integer Redis accepts. */
    static final long NOT_A_NUMBER = Long.MIN_VALUE + 0x5EED;

    private RespNumbers()
    {
    }

    /**
     * @return the integer, or {@link #NOT_A_NUMBER} (which is itself never a valid answer: its text parses, but callers
     *         that must accept that one value use {@link #isLong}).
     */
    static long parseLong(final byte[] bytes, final int from, final int length)
    {
        if (length == 0 || length > 20)
        {
            return NOT_A_NUMBER;
        }
        int p = from;
        final int to = from + length;
        if (length == 1 && bytes[p] == '0')
        {
            return 0;
        }
        boolean negative = false;
        if (bytes[p] == '-')
        {
            negative = true;
            p++;
            if (p == to)
            {
                return NOT_A_NUMBER;
            }
        }
        if (bytes[p] < '1' || bytes[p] > '9')
        {
            return NOT_A_NUMBER;
        }
        long magnitude = 0; // accumulated negatively so Long.MIN_VALUE fits
        for (; p < to; p++)
        {
            final int digit = bytes[p] - '0';
            if (digit < 0 || digit > 9)
            {
                return NOT_A_NUMBER;
            }
            if (magnitude < (Long.MIN_VALUE + digit) / 10 ||
                magnitude * 10 < Long.MIN_VALUE + digit)
            {
                return NOT_A_NUMBER;
            }
            magnitude = magnitude * 10 - digit;
        }
        if (negative)
        {
            return magnitude;
        }
        return magnitude == Long.MIN_VALUE ? NOT_A_NUMBER : -magnitude;
    }

    /** @return true if the bytes are an integer Redis accepts (including the one {@link #NOT_A_NUMBER} collides with). */
    static boolean isLong(final byte[] bytes)
    {
        return parseLong(bytes, 0, bytes.length) != NOT_A_NUMBER ||
            Long.toString(NOT_A_NUMBER).equals(new String(bytes, StandardCharsets.US_ASCII));
    }

    /** @return the integer (the caller checked {@link #isLong}). */
    static long toLong(final byte[] bytes)
    {
        final long value = parseLong(bytes, 0, bytes.length);
        return value == NOT_A_NUMBER ? Long.parseLong(new String(bytes, StandardCharsets.US_ASCII)) : value;
    }

    /** @return the integer, or null if it is not one. */
    static Long longOrNull(final byte[] bytes)
    {
        return isLong(bytes) ? toLong(bytes) : null;
    }

    static byte[] ascii(final long value)
    {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** A parsed float: a finite decimal, or one of the infinities (Redis' {@code strtold} accepts "inf"). */
    record Decimal(BigDecimal value, int infinity)
    {
        boolean finite()
        {
            return infinity == 0;
        }
    }

    /** @return the number, or null if Redis would say "value is not a valid float". */
    static Decimal parseDecimal(final byte[] bytes)
    {
        if (bytes.length == 0 || bytes.length > 5000)
        {
            return null;
        }
        final String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (Character.isWhitespace(text.charAt(0)) || Character.isWhitespace(text.charAt(text.length() - 1)))
        {
            return null;
        }
        final String lower = text.toLowerCase(java.util.Locale.ROOT);
        final String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.equals("inf") || unsigned.equals("infinity"))
        {
            return new Decimal(null, lower.startsWith("-") ? -1 : 1);
        }
        if (unsigned.isEmpty() || !(Character.isDigit(unsigned.charAt(0)) || unsigned.charAt(0) == '.'))
        {
            return null; // BigDecimal would take what strtold would not (and "nan" is refused by Redis too)
        }
        try
        {
            return new Decimal(new BigDecimal(text.startsWith("+") ? text.substring(1) : text), 0);
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /** {@code INCRBYFLOAT}'s printing: 17 decimals at most, no exponent, no trailing zeros. */
    static byte[] format(final BigDecimal value)
    {
        BigDecimal v = value.setScale(Math.min(17, Math.max(0, value.scale())), RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (v.signum() == 0)
        {
            v = BigDecimal.ZERO;
        }
        return v.toPlainString().getBytes(StandardCharsets.US_ASCII);
    }

    /** @return true if the value is too large for a long double (Redis' answer: NaN or Infinity). */
    static boolean overflowsLongDouble(final BigDecimal value)
    {
        return value.abs().compareTo(new BigDecimal("1.18973149535723176502e4932")) > 0;
    }
}
