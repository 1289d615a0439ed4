package dev.ferry.engine.resp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers as Redis reads and writes them: {@code string2ll}'s strict integers (no sign but '-', no leading zero, no
 * blank, at most 20 characters, within a signed 64-bit range), {@code SCAN}'s {@code strtoul} cursors, and
 * {@code INCRBYFLOAT}'s x87 long double arithmetic (emulated exactly with {@link BigDecimal}: every number rounded to
 * a 64-bit significand), printed with up to 17 decimals and no exponent, trailing zeros removed.
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

    /**
     * Redis' {@code parseScanCursorOrReply}: C's {@code strtoul} in base 10 over the whole argument (up to a NUL byte),
     * refused if it begins with a blank, has anything after the digits, or overflows; "" is 0, a '-' negates modulo
     * 2^64 ("-1" is the largest cursor), a '+' is allowed.
     *
     * @return the cursor (unsigned), or null for Redis' "invalid cursor".
     */
    static Long parseCursor(final byte[] bytes)
    {
        int to = 0;
        while (to < bytes.length && bytes[to] != 0)
        {
            to++;
        }
        if (to == 0)
        {
            return 0L; // strtoul reads nothing, and the end pointer is at the (empty) string's end
        }
        if (isCSpace((char)(bytes[0] & 0xFF)))
        {
            return null;
        }
        int p = 0;
        final boolean negative = bytes[p] == '-';
        if (bytes[p] == '-' || bytes[p] == '+')
        {
            p++;
        }
        if (p == to)
        {
            return null; // no digits: the end pointer is at the sign
        }
        long value = 0;
        for (; p < to; p++)
        {
            final int digit = bytes[p] - '0';
            if (digit < 0 || digit > 9)
            {
                return null;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0 ||
                Long.compareUnsigned(value * 10, -1L - digit) > 0)
            {
                return null; // ERANGE
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    static byte[] ascii(final long value)
    {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** A parsed float: a long double's exact value, or one of the infinities (Redis' {@code strtold} accepts "inf"). */
    record Decimal(BigDecimal value, int infinity)
    {
        boolean finite()
        {
            return infinity == 0;
        }
    }

    /** Redis' {@code MAX_LONG_DOUBLE_CHARS}: a float argument is shorter than this. */
    private static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;
    /** The significand of an x87 long double, which is what Redis' {@code long double} is on x86-64. */
    private static final int SIGNIFICAND_BITS = 64;
    /** The least exponent of a normal long double; below it, subnormals keep a fixed quantum. */
    private static final int MIN_EXPONENT = -16382;
    /** The greatest exponent of a finite long double. */
    private static final int MAX_EXPONENT = 16383;
    /** Exponents beyond this (decimal, either sign) are past any long double, subnormal or huge, whatever the digits. */
    private static final int EXPONENT_CLAMP = 100_000;
    private static final Pattern DECIMAL = Pattern.compile("([+-]?)(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d+))?");
    private static final Pattern HEX =
        Pattern.compile("([+-]?)0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([+-]?\\d+))?");
    private static final Pattern INFINITY = Pattern.compile("([+-]?)(?i:inf|infinity)");
    private static final BigInteger FIVE = BigInteger.valueOf(5);

    /**
     * Redis' {@code string2ld}: {@code strtold} on the whole argument (decimal or hexadecimal, "inf"), refused if it
     * begins with a blank, is "nan", or overflows or underflows to zero; the number rounded to a long double (64-bit
     * significand, ties to even), as the C library would.
     *
     * @return the number, or null if Redis would say "value is not a valid float".
     */
    static Decimal parseDecimal(final byte[] bytes)
    {
        if (bytes.length == 0 || bytes.length >= MAX_LONG_DOUBLE_CHARS)
        {
            return null;
        }
        final String text = new String(bytes, StandardCharsets.ISO_8859_1); // a NUL byte inside is refused
        if (isCSpace(text.charAt(0)))
        {
            return null;
        }
        final Matcher infinity = INFINITY.matcher(text);
        if (infinity.matches())
        {
            return new Decimal(null, infinity.group(1).equals("-") ? -1 : 1);
        }
        final BigDecimal exact;
        final Matcher hex = HEX.matcher(text);
        final Matcher decimal = DECIMAL.matcher(text);
        if (hex.matches() && !(hex.group(2) + nonNull(hex.group(3))).isEmpty())
        {
            final String digits = hex.group(2) + nonNull(hex.group(3));
            final BigInteger significand = new BigInteger(digits, 16);
            final long exponent = clampedExponent(hex.group(4)) - 4L * nonNull(hex.group(3)).length();
            if (significand.signum() == 0)
            {
                exact = BigDecimal.ZERO;
            }
            else if (significand.bitLength() + exponent > MAX_EXPONENT + 1)
            {
                return null; // ERANGE, HUGE_VALL
            }
            else if (significand.bitLength() + exponent < MIN_EXPONENT - SIGNIFICAND_BITS - 1)
            {
                return null; // ERANGE, zero
            }
            else
            {
                exact = scaleByPowerOfTwo(new BigDecimal(significand), (int)exponent);
            }
            return rounded(hex.group(1).equals("-") ? exact.negate() : exact);
        }
        if (!decimal.matches() || (decimal.group(2) + nonNull(decimal.group(3))).isEmpty())
        {
            return null; // "nan" too, which Redis refuses
        }
        final String digits = decimal.group(2) + nonNull(decimal.group(3));
        final BigInteger significand = new BigInteger(digits);
        if (significand.signum() == 0)
        {
            return new Decimal(BigDecimal.ZERO, 0);
        }
        final long exponent = clampedExponent(decimal.group(4)) - nonNull(decimal.group(3)).length();
        final long magnitude = exponent + significand.toString().length(); // 10^(magnitude-1) <= |value| < 10^magnitude
        if (magnitude > 4934)
        {
            return null; // ERANGE, HUGE_VALL
        }
        if (magnitude < -4952)
        {
            return null; // ERANGE, zero
        }
        exact = new BigDecimal(significand, (int)-exponent);
        return rounded(decimal.group(1).equals("-") ? exact.negate() : exact);
    }

    /** A parsed number as a long double, or null where {@code strtold} sets ERANGE and Redis refuses the number. */
    private static Decimal rounded(final BigDecimal exact)
    {
        final BigDecimal value = toLongDouble(exact);
        return value == null || value.signum() == 0 && exact.signum() != 0 ? null : new Decimal(value, 0);
    }

    /**
     * The sum of two finite long doubles, rounded to a long double.
     *
     * @return the sum, or null if it overflows (Redis: "increment would produce NaN or Infinity").
     */
    static BigDecimal add(final BigDecimal a, final BigDecimal b)
    {
        return toLongDouble(a.add(b));
    }

    /** @return the long double nearest to {@code exact} (ties to even, subnormals included), or null past the largest. */
    static BigDecimal toLongDouble(final BigDecimal exact)
    {
        if (exact.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        final int exponent = floorLog2(exact.abs());
        if (exponent > MAX_EXPONENT)
        {
            return null;
        }
        final int quantum = Math.max(exponent, MIN_EXPONENT) - (SIGNIFICAND_BITS - 1);
        final BigInteger significand = scaleByPowerOfTwo(exact, -quantum).setScale(0, RoundingMode.HALF_EVEN)
            .toBigIntegerExact();
        if (significand.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        if (significand.abs().bitLength() + quantum - 1 > MAX_EXPONENT)
        {
            return null;
        }
        return scaleByPowerOfTwo(new BigDecimal(significand), quantum);
    }

    /** @return the exact {@code value * 2^power}. */
    private static BigDecimal scaleByPowerOfTwo(final BigDecimal value, final int power)
    {
        if (power >= 0)
        {
            return value.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(power)));
        }
        return value.multiply(new BigDecimal(FIVE.pow(-power))).movePointLeft(-power);
    }

    /** @return floor(log2(value)) of a positive number. */
    private static int floorLog2(final BigDecimal value)
    {
        int estimate = (int)Math.floor(value.unscaledValue().bitLength() - 1 - value.scale() * 3.321928094887362);
        while (scaleByPowerOfTwo(BigDecimal.ONE, estimate).compareTo(value) > 0)
        {
            estimate--;
        }
        while (scaleByPowerOfTwo(BigDecimal.ONE, estimate + 1).compareTo(value) <= 0)
        {
            estimate++;
        }
        return estimate;
    }

    private static long clampedExponent(final String digits)
    {
        if (digits == null)
        {
            return 0;
        }
        final BigInteger exponent = new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits);
        return exponent.max(BigInteger.valueOf(-EXPONENT_CLAMP)).min(BigInteger.valueOf(EXPONENT_CLAMP)).longValue();
    }

    private static String nonNull(final String text)
    {
        return text == null ? "" : text;
    }

    /** C's {@code isspace} in the C locale. */
    private static boolean isCSpace(final char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
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
}
