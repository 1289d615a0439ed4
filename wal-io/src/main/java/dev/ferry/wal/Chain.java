package dev.ferry.wal;

/**
 * The chained checksum of a WAL: every entry stores {@code chain(n) = next(chain(n - 1), crc32c(n), length(n))}, so the
 * chain at an offset stands for every entry up to it, and two WALs whose chains agree at an offset hold the same
 * payloads (up to a 32-bit collision) at every offset up to it. Read at any offset in O(1): it is stored in the entry
 * ({@link WalEntry#chain()}, {@link Wal#chain(long)}). The chain before offset 0 is {@link #SEED}; a WAL that starts
 * elsewhere (brought back by a snapshot) starts from the chain its snapshot carries ({@link WalConfig#firstChain}).
 * <p>
 * One step is a bijection of the chain before it for a fixed entry (a xor, multiplications by odd constants, a rotation
 * and MurmurHash3's finaliser), so a difference in one entry is never cancelled by the step that folds it and carries
 * into every later chain; and it can be undone ({@link #previous}), so the chain before the oldest retained entry is
 * known without the entries retention deleted. Cheap: a few multiplications an entry, on a CRC32C already computed.
 */
public final class Chain
{
    /** The chain before offset 0. */
    public static final int SEED = 0;

    private static final int C1 = 0xCC9E2D51;
    private static final int C2 = 0x1B873593;
    private static final int F1 = 0x85EBCA6B;
    private static final int F2 = 0xC2B2AE35;
    private static final int C1_INVERSE = inverse(C1);
    private static final int C2_INVERSE = inverse(C2);
    private static final int F1_INVERSE = inverse(F1);
    private static final int F2_INVERSE = inverse(F2);
    private static final int ROTATION = 15;

    private Chain()
    {
    }

    /**
     * @param previous the chain at the entry before.
     * @param crc32c   this entry's payload CRC32C.
     * @param length   this entry's payload length.
     * @return the chain at this entry.
     */
    public static int next(final int previous, final int crc32c, final int length)
    {
        int h = Integer.rotateLeft((previous ^ crc32c) * C1, ROTATION) * C2 ^ length;
        h ^= h >>> 16;
        h *= F1;
        h ^= h >>> 13;
        h *= F2;
        return h ^ h >>> 16;
    }

    /**
     * The inverse of {@link #next}: {@code previous(next(p, crc, length), crc, length) == p}.
     *
     * @param chain  the chain at an entry.
     * @param crc32c that entry's payload CRC32C.
     * @param length that entry's payload length.
     * @return the chain at the entry before it.
     */
    public static int previous(final int chain, final int crc32c, final int length)
    {
        int h = chain ^ chain >>> 16;
        h *= F2_INVERSE;
        h ^= h >>> 13 ^ h >>> 26;
        h *= F1_INVERSE;
        h ^= h >>> 16;
        return Integer.rotateRight((h ^ length) * C2_INVERSE, ROTATION) * C1_INVERSE ^ crc32c;
    }

    /**
     * @param chain a chain as stored (any int).
     * @return it as a non-negative long, as {@link Wal#chain(long)} returns it (-1 stays free for "unknown").
     */
    public static long unsigned(final int chain)
    {
        return chain & 0xFFFF_FFFFL;
    }

    /** The inverse of an odd number modulo 2^32 (Newton's iteration: each step doubles the correct low bits). */
    private static int inverse(final int odd)
    {
        int x = odd; // correct to 3 bits: odd * odd == 1 mod 8
        for (int i = 0; i < 4; i++)
        {
            x *= 2 - odd * x;
        }
        return x;
    }
}
