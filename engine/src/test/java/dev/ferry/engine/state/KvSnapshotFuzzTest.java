package dev.ferry.engine.state;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.error.ErrorCode;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.FrameException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import static dev.ferry.engine.state.KvEntryWriter.utf8;
import static dev.ferry.wal.frame.DecoderContract.require;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link KvStateMachine#loadSnapshot}: a key-value snapshot is what a replica
 * receives from its primary and loads, so its bytes are hostile. The input is the snapshot, loaded into a state that
 * already holds keys (in two databases, one with an expiry), read through a channel that hands it over in pieces of
 * changing sizes (as a socket does); then loaded again through one that fails with an {@link IOException} where the
 * bytes end. Two targets: {@link #snapshot} takes the input as it is; {@link #sealedSnapshot} first makes its last four
 * bytes the CRC32C of the others, as the frame targets make a frame's header valid, so that a changed record reaches
 * the loader's acceptance (and the checks of what it accepted) instead of stopping at the checksum.
 * <p>
 * {@link StateMachine#loadSnapshot} documents {@code APPLY} or {@code CHECKSUM} for a malformed or damaged snapshot,
 * or an {@link IOException}, and then leaves the state as it was: a refusal must change nothing (the state's own
 * snapshot bytes, sizes and applied offset before and after). A snapshot it accepts must be what the layout in
 * {@link KvStateMachine} describes (magic, applied offset, record count, every record, the CRC32C of all bytes
 * before it; read here apart from the loader), and must come back whole: the loaded state's own snapshot, loaded
 * again, writes the same bytes.
 * <p>
 * {@code mvn verify} replays {@code KvSnapshotFuzzTestInputs/<target>} (seeds from {@link KvSnapshotFuzzSeedsTest},
 * and findings kept as regression inputs); {@code .ci/fuzz} fuzzes (net/PROTOCOL.md section 11).
 */
class KvSnapshotFuzzTest
{
    /** The clock of the state the input is loaded into: its key with an expiry expires after it. */
    static final long NOW_MILLIS = 1_700_000_000_000L;

    /** The sizes of the pieces the channel hands over, in turn: a snapshot arrives as a socket gives it. */
    private static final int[] PIECES = {1, 7, 4096, 2, 65_536, 13};
    /** The bytes before the records: magic, appliedOffset u64, records u64. */
    private static final int HEADER = 4 + 8 + 8;
    /** A record's bytes before its key: db u8, keyLength u16, valueLength u32, expiryMillis i64. */
    private static final int RECORD_HEADER = 1 + 2 + 4 + 8;

    /** What {@link #holdingKeys()} holds, to compare a state with after a refused load. */
    private static final byte[] HELD_SNAPSHOT = snapshotOf(holdingKeys());
    private static final int[] HELD_SIZES = sizes(holdingKeys());
    private static final long HELD_APPLIED_OFFSET = holdingKeys().appliedOffset();

    @FuzzTest
    void snapshot(final byte[] bytes)
    {
        load(bytes);
    }

    @FuzzTest
    void sealedSnapshot(final byte[] bytes)
    {
        load(sealed(bytes));
    }

    /**
     * @param bytes a snapshot's bytes.
     * @return a copy whose last four bytes are the CRC32C of the others (as the loader computes it), or the bytes
     *         themselves when there are fewer than four.
     */
    static byte[] sealed(final byte[] bytes)
    {
        if (bytes.length < Integer.BYTES)
        {
            return bytes;
        }
        final byte[] sealed = bytes.clone();
        final CRC32C crc = new CRC32C();
        crc.update(sealed, 0, sealed.length - Integer.BYTES);
        ByteBuffer.wrap(sealed).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(sealed.length - Integer.BYTES, (int)crc.getValue());
        return sealed;
    }

    /**
     * Loads {@code bytes} as a snapshot into a state holding keys and checks what the loader made of them, then loads
     * them again through a channel that breaks where they end.
     *
     * @param bytes the snapshot's bytes.
     * @return whether the snapshot was accepted (through the channel that does not break).
     */
    DecoderContract.Outcome load(final byte[] bytes)
    {
        final KvStateMachine state = holdingKeys();
        final DecoderContract.Outcome outcome = loadInto(state, new Pieces(bytes, false));
        if (DecoderContract.Outcome.ACCEPTED == outcome)
        {
            checkAccepted(bytes, state);
        }

        // The same bytes through a connection that breaks after them. This loader reads on after the CRC32C (nothing
        // may follow it), so it refuses them; one that stopped at the CRC32C would load the same state.
        final KvStateMachine broken = holdingKeys();
        if (DecoderContract.Outcome.ACCEPTED == loadInto(broken, new Pieces(bytes, true)))
        {
            require(DecoderContract.Outcome.ACCEPTED == outcome && Arrays.equals(snapshotOf(state), snapshotOf(broken)),
                "a snapshot loaded from a broken channel, and not as from a whole one");
        }
        return outcome;
    }

    /**
     * @return a state at offset 3 with keys in databases 0 and 15, one of them with an expiry after
     *         {@link #NOW_MILLIS}, and one expired.
     */
    static KvStateMachine holdingKeys()
    {
        final KvEntryWriter writer = new KvEntryWriter(256);
        final KvStateMachine state = new KvStateMachine();
        state.apply(0, writer.reset().put(0, "user:1", "ada").put(0, "user:2", "grace").put(15, "config", "{}")
            .entry());
        state.apply(1, writer.reset().put(0, utf8("session"), utf8("token"), NOW_MILLIS + 60_000).entry());
        state.apply(2, writer.reset().put(15, utf8("gone"), utf8("x"), NOW_MILLIS - 1).entry());
        return state;
    }

    /**
     * Loads a snapshot into {@code state}, a {@link #holdingKeys()} state, and, when it is refused, checks the state
     * did not change.
     */
    private static DecoderContract.Outcome loadInto(final KvStateMachine state, final ReadableByteChannel in)
    {
        DecoderContract.Outcome outcome;
        try
        {
            outcome = DecoderContract.check(() ->
            {
                try
                {
                    state.loadSnapshot(in);
                }
                catch (final FrameException ex)
                {
                    throw new AssertionError("a snapshot refused with a FrameException, not APPLY or CHECKSUM", ex);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }, ErrorCode.APPLY, ErrorCode.CHECKSUM);
        }
        catch (final UncheckedIOException ex)
        {
            outcome = DecoderContract.Outcome.REFUSED;
        }
        if (DecoderContract.Outcome.REFUSED == outcome)
        {
            require(HELD_APPLIED_OFFSET == state.appliedOffset(),
                "a refused snapshot moved appliedOffset from " + HELD_APPLIED_OFFSET + " to " + state.appliedOffset());
            require(Arrays.equals(HELD_SIZES, sizes(state)) && Arrays.equals(HELD_SNAPSHOT, snapshotOf(state)),
                "a refused snapshot changed the state: sizes " + Arrays.toString(HELD_SIZES) + " became " +
                    Arrays.toString(sizes(state)));
        }
        return outcome;
    }

    /**
     * Checks an accepted snapshot against the layout, read here apart from the loader, and that it comes back whole.
     */
    private static void checkAccepted(final byte[] bytes, final KvStateMachine state)
    {
        require(bytes.length >= HEADER + Integer.BYTES, "a snapshot of " + bytes.length + " bytes");
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        require(Arrays.equals(Arrays.copyOf(bytes, 4), "FKV1".getBytes(StandardCharsets.US_ASCII)), "magic");
        in.position(4);
        final long appliedOffset = in.getLong();
        final long records = in.getLong();
        require(appliedOffset >= 0 && appliedOffset == state.appliedOffset(),
            "appliedOffset " + appliedOffset + " loaded as " + state.appliedOffset());
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - Integer.BYTES);
        require((int)crc.getValue() == in.getInt(bytes.length - Integer.BYTES), "accepted with a wrong CRC32C");

        // every record, by database, as the loaded state lists them (in key order, expired ones too)
        final List<List<String>> expected = new ArrayList<>();
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            expected.add(new ArrayList<>());
        }
        require(records >= 0 && records <= (bytes.length - HEADER - Integer.BYTES) / RECORD_HEADER,
            "records=" + records + " in " + bytes.length + " bytes");
        for (long r = 0; r < records; r++)
        {
            require(in.remaining() >= RECORD_HEADER + Integer.BYTES, "record " + r + " past the end");
            final int db = in.get() & 0xFF;
            final int keyLength = in.getShort() & 0xFFFF;
            final long valueLength = Integer.toUnsignedLong(in.getInt());
            final long expiryMillis = in.getLong();
            require(db < KvEntry.DATABASES && expiryMillis >= 0, // an empty key is a key (Redis has it)
                "record " + r + ": db=" + db + ", keyLength=" + keyLength + ", expiryMillis=" + expiryMillis);
            require(keyLength + valueLength <= in.remaining() - Integer.BYTES, "record " + r + " runs past the end");
            final byte[] key = new byte[keyLength];
            final byte[] value = new byte[(int)valueLength];
            in.get(key).get(value);
            expected.get(db).add(line(key, value, expiryMillis));
        }
        require(in.remaining() == Integer.BYTES, (in.remaining() - Integer.BYTES) + " bytes between the records and " +
            "the CRC32C");
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            final List<String> lines = expected.get(db);
            lines.sort(null); // hex of the key first: unsigned key order
            final List<String> loaded = new ArrayList<>();
            state.forEachLive(db, Long.MIN_VALUE, (key, value, expiry) -> loaded.add(line(key, value, expiry)));
            require(lines.equals(loaded), "database " + db + " loaded as " + loaded + ", the snapshot has " + lines);
        }

        // it comes back whole: the loaded state's own snapshot loads, and writes the same bytes again
        final byte[] written = snapshotOf(state);
        require(written.length == bytes.length, "a snapshot of " + bytes.length + " bytes written back as " +
            written.length);
        final KvStateMachine again = new KvStateMachine();
        try
        {
            again.loadSnapshot(new Pieces(written, false));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        require(again.appliedOffset() == appliedOffset, "appliedOffset " + again.appliedOffset() + " after reloading");
        require(Arrays.equals(written, snapshotOf(again)), "the loaded state's snapshot, loaded, writes other bytes");
    }

    private static String line(final byte[] key, final byte[] value, final long expiryMillis)
    {
        return HexFormat.of().formatHex(key) + " " + HexFormat.of().formatHex(value) + " " + expiryMillis;
    }

    /**
     * @return the bytes {@link KvStateMachine#writeSnapshot} writes for {@code state}.
     */
    static byte[] snapshotOf(final KvStateMachine state)
    {
        return StateStore.snapshotBytes(state);
    }

    private static int[] sizes(final KvStateMachine state)
    {
        final int[] sizes = new int[KvEntry.DATABASES];
        for (int db = 0; db < sizes.length; db++)
        {
            sizes[db] = state.size(db);
        }
        return sizes;
    }

    /**
     * The input, handed over in pieces of the sizes in {@link #PIECES} in turn, then end of stream (or, when it
     * breaks, an {@link IOException}). Blocking: a read into room for a byte never returns 0.
     */
    private static final class Pieces implements ReadableByteChannel
    {
        private final byte[] bytes;
        private final boolean breaks;
        private int position;
        private int reads;
        private boolean open = true;

        Pieces(final byte[] bytes, final boolean breaks)
        {
            this.bytes = bytes;
            this.breaks = breaks;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            if (position == bytes.length)
            {
                if (breaks)
                {
                    throw new IOException("connection reset where the snapshot's " + bytes.length + " bytes end");
                }
                return -1;
            }
            final int n = Math.min(Math.min(dst.remaining(), bytes.length - position), PIECES[reads++ % PIECES.length]);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return open;
        }

        @Override
        public void close()
        {
            open = false;
        }
    }
}
