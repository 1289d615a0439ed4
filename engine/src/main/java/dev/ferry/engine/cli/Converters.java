package dev.ferry.engine.cli;

import dev.ferry.engine.AckLevel;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.wal.codec.Codec;
import picocli.CommandLine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Option value converters: each turns a bad value into a one-line usage error naming the option.
 */
final class Converters
{
    private Converters()
    {
    }

    /** {@code HOST:PORT}. */
    static final class Address implements CommandLine.ITypeConverter<InetSocketAddress>
    {
        @Override
        public InetSocketAddress convert(final String value)
        {
            try
            {
                return Endpoint.parse(value, "address");
            }
            catch (final FerryException ex)
            {
                throw new CommandLine.TypeConversionException(ex.detail());
            }
        }
    }

    /** {@code none}, {@code snappy}, {@code zstd}. */
    static final class CodecName implements CommandLine.ITypeConverter<Codec>
    {
        @Override
        public Codec convert(final String value)
        {
            try
            {
                return Codec.parse(value);
            }
            catch (final FerryException ex)
            {
                throw new CommandLine.TypeConversionException(ex.detail());
            }
        }
    }

    /** {@code received}, {@code durable}, {@code applied}, in any case. */
    static final class AckLevelName implements CommandLine.ITypeConverter<AckLevel>
    {
        @Override
        public AckLevel convert(final String value)
        {
            for (final AckLevel level : AckLevel.values())
            {
                if (level.name().equalsIgnoreCase(value.trim()))
                {
                    return level;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not received, durable or applied");
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 12h}, {@code 7d}, or ISO-8601 {@code PT30S}. */
    static final class DurationValue implements CommandLine.ITypeConverter<Duration>
    {
        @Override
        public Duration convert(final String value)
        {
            final String v = value.trim().toLowerCase(Locale.ROOT);
            try
            {
                if (v.startsWith("p"))
                {
                    return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                }
                if (v.endsWith("ms"))
                {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                final long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1))
                {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new NumberFormatException();
                };
            }
            catch (final NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException ex)
            {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 30s, 10m, 12h, 7d)");
            }
        }
    }
}
