package dev.ferry.wal;

import dev.ferry.error.ErrorCode;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest over the entries of a WAL in offset order, each fed as {@code offset u64 LE | length u32 LE |
 * payload}: two WALs holding the same entries at the same offsets give the same digest, whatever their roll cycles,
 * timestamps or files. Used by {@code ferry checksum} and by tests comparing replicas.
 *
 * @param first  the first offset digested, or -1 if none.
 * @param last   the last offset digested, or -1 if none.
 * @param count  entries digested.
 * @param digest the SHA-256, lower-case hex.
 */
public record WalDigest(long first, long last, long count, String digest)
{
    /**
     * Digest the entries {@code [from, to]} of a WAL, reading what was there when the call began (a consistent prefix
     * of a WAL another process is writing).
     *
     * @param wal  the WAL (read-only is fine; it is refreshed first).
     * @param from the first offset, or -1 for the oldest retained.
     * @param to   the last offset, or -1 for the last one present.
     * @return the digest.
     * @throws WalException RETENTION if {@code from} was deleted, CONFIGURATION if {@code to} is beyond the head or
     *                      below {@code from}.
     */
    public static WalDigest of(final Wal wal, final long from, final long to)
    {
        if (wal.config().readOnly())
        {
            wal.refresh();
        }
        final long head = wal.nextOffset();
        final long start = from < 0 ? wal.oldestOffset() : from;
        final long end = to < 0 ? head - 1 : to;
        if (end >= head)
        {
            throw new WalException(ErrorCode.CONFIGURATION, "--to " + end + " is beyond the last offset " + (head - 1));
        }
        final MessageDigest sha = sha256();
        if (end < start)
        {
            if (to >= 0 && from >= 0)
            {
                throw new WalException(ErrorCode.CONFIGURATION, "--to " + to + " is below --from " + from);
            }
            return new WalDigest(-1, -1, 0, HexFormat.of().formatHex(sha.digest()));
        }
        final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] copy = new byte[wal.config().maxPayloadBytes()];
        final long[] count = {0};
        try (WalCursor cursor = wal.cursor())
        {
            switch (cursor.seek(start))
            {
                case TOO_OLD -> throw new WalException(ErrorCode.RETENTION, "offset " + start +
                    " was deleted by retention; the oldest retained is " + wal.oldestOffset());
                case FUTURE, CAUGHT_UP -> throw new WalException(ErrorCode.CONFIGURATION,
                    "offset " + start + " is beyond the last offset " + (head - 1));
                default ->
                {
                }
            }
            final long wanted = end - start + 1;
            while (count[0] < wanted)
            {
                final int read = cursor.poll(e ->
                {
                    header.clear();
                    header.putLong(e.offset()).putInt(e.length()).flip();
                    sha.update(header);
                    e.copyPayloadTo(MemorySegment.ofArray(copy), 0);
                    sha.update(copy, 0, e.length());
                    count[0]++;
                    return true;
                }, (int)Math.min(wanted - count[0], 4096));
                if (read == 0)
                {
                    throw new WalException(ErrorCode.INTERNAL, "WAL " + wal.directory() + " ended at offset " +
                        (start + count[0]) + " before the head " + head + " it reported");
                }
            }
        }
        return new WalDigest(start, end, count[0], HexFormat.of().formatHex(sha.digest()));
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new WalException(ErrorCode.INTERNAL, "no SHA-256 in this JVM", ex);
        }
    }

    @Override
    public String toString()
    {
        return "first=" + first + " last=" + last + " count=" + count + " digest=" + digest;
    }
}
