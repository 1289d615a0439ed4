package dev.ferry.wal.codec;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.util.Locale;

/**
 * The compression applied to a batch's entries. The ids are stable and go on the wire in the {@code codec} byte of a
 * {@code BATCH} frame and in the codec lists of {@code HELLO} / {@code WELCOME}: append new codecs, never renumber.
 */
public enum Codec
{
    /** Entries are sent as they are. */
    NONE(0),
    /** Snappy block format (snappy-java): fast, modest ratio. */
    SNAPPY(1),
    /** Zstandard single frame (zstd-jni): better ratio, level chosen by the sender. */
    ZSTD(2);

    private static final Codec[] BY_ID;
    private static final String VALID_NAMES;

    static
    {
        final Codec[] codecs = values();
        int max = 0;
        final StringBuilder names = new StringBuilder();
        for (final Codec codec : codecs)
        {
            max = Math.max(max, codec.id);
            if (!names.isEmpty())
            {
                names.append(", ");
            }
            names.append(codec.name().toLowerCase(Locale.ROOT));
        }
        BY_ID = new Codec[max + 1];
        for (final Codec codec : codecs)
        {
            BY_ID[codec.id] = codec;
        }
        VALID_NAMES = names.toString();
    }

    private final int id;

    Codec(final int id)
    {
        this.id = id;
    }

    /**
     * @return the stable id of this codec, as sent on the wire.
     */
    public int id()
    {
        return id;
    }

    /**
     * @param id an id, possibly from an untrusted peer.
     * @return the codec, or {@code null} if the id is unknown.
     */
    public static Codec fromId(final int id)
    {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /**
     * Parses a codec name as given on the command line ({@code --codec zstd}), ignoring case and surrounding spaces.
     *
     * @param name the name.
     * @return the codec.
     * @throws FerryException with {@link ErrorCode#CONFIGURATION} naming the valid names if the name is unknown.
     */
    public static Codec parse(final String name)
    {
        if (null != name)
        {
            final String trimmed = name.trim();
            for (final Codec codec : values())
            {
                if (codec.name().equalsIgnoreCase(trimmed))
                {
                    return codec;
                }
            }
        }
        throw new FerryException(
            ErrorCode.CONFIGURATION, "unknown codec '" + name + "': valid codecs are " + VALID_NAMES);
    }
}
