package dev.ferry.engine.serve;

import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.message.SnapshotChunkFlyweight;
import dev.ferry.net.message.SnapshotEndFlyweight;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One snapshot file sent to one replica as {@code SNAPSHOT_CHUNK} frames, then {@code SNAPSHOT_END}: read from the
 * file in chunks (each compressed with the session's codec when that makes it smaller, and checksummed before
 * compression), as the connection's send buffer has room and the rate allows. The file stays open until the transfer
 * ends, so a newer snapshot saved meanwhile (which removes the older files) does not take it away.
 * <p>
 * The rate limit is a token bucket in wire bytes, refilled at {@code rate} bytes per second and at most one chunk
 * deep, with chunks of at most a twentieth of a second's bytes: over any window the transfer sends no more than
 * {@code rate} times its length plus one chunk.
 * <p>
 * On the serving thread only.
 */
final class SnapshotShipment implements AutoCloseable
{
    /** The largest chunk before compression when the rate does not limit it. */
    static final int CHUNK_BYTES = 1024 * 1024;
    private static final int MIN_THROTTLED_CHUNK_BYTES = 4096;

    private final FileChannel file;
    private final long offset;
    private final long totalBytes;
    private final int crc;
    private final Compressor compressor;
    private final long rateBytesPerSec;
    private final int chunkBytes;
    private final MemorySegment raw;
    private final ByteBuffer rawBuffer;
    private final MemorySegment compressed;
    private final CRC32C rawCrc = new CRC32C();
    private final SnapshotChunkFlyweight chunk = new SnapshotChunkFlyweight();
    private final SnapshotEndFlyweight end = new SnapshotEndFlyweight();
    private long sent;
    private long wireBytes;
    private double allowance;
    private long refilledNs;
    private boolean endSent;

    /**
     * @param file            the snapshot file, opened by {@link #open}.
     * @param offset          the offset the snapshot stands at.
     * @param crc             the CRC32C of the whole file.
     * @param fromByte        where to start (a resumed transfer: the bytes the replica holds).
     * @param compressor      the session's compressor, or null.
     * @param maxFrameBytes   the largest frame the session sends.
     * @param rateBytesPerSec the rate limit, 0 for none.
     * @param arena           where the chunk buffers are allocated (the session's).
     * @param nowNs           {@link System#nanoTime()}.
     */
    SnapshotShipment(final FileChannel file, final long offset, final int crc, final long fromByte,
        final Compressor compressor, final int maxFrameBytes, final long rateBytesPerSec, final Arena arena,
        final long nowNs) throws IOException
    {
        this.file = file;
        this.offset = offset;
        this.totalBytes = file.size();
        this.crc = crc;
        this.sent = fromByte;
        this.compressor = compressor;
        this.rateBytesPerSec = rateBytesPerSec;
        this.chunkBytes = chunkBytes(maxFrameBytes, compressor, rateBytesPerSec);
        this.raw = compressor == null ? null : arena.allocate(chunkBytes, 64);
        this.rawBuffer = raw == null ? null : raw.asByteBuffer();
        this.compressed = compressor == null ? null : arena.allocate(compressor.maxCompressedLength(chunkBytes), 64);
        this.refilledNs = nowNs;
    }

    /**
     * @return the largest raw chunk whose frame fits {@code maxFrameBytes} however it compresses, and no more than a
     *         twentieth of a second's bytes at the rate.
     * @throws FerryException CONFIGURATION if not even a small chunk fits.
     */
    static int chunkBytes(final int maxFrameBytes, final Compressor compressor, final long rateBytesPerSec)
    {
        final int room = maxFrameBytes - SnapshotChunkFlyweight.DATA_OFFSET;
        int bytes = Math.min(Math.min(CHUNK_BYTES, SnapshotChunkFlyweight.MAX_RAW_LENGTH), room);
        if (rateBytesPerSec > 0)
        {
            bytes = (int)Math.min(bytes, Math.max(MIN_THROTTLED_CHUNK_BYTES, rateBytesPerSec / 20));
        }
        while (compressor != null && bytes > 0 && compressor.maxCompressedLength(bytes) > room)
        {
            bytes -= compressor.maxCompressedLength(bytes) - room;
        }
        if (bytes < 64)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "frames of " + maxFrameBytes +
                " bytes are too small to carry snapshot chunks");
        }
        return bytes;
    }

    /**
     * Open a snapshot file for a transfer.
     *
     * @param path the file.
     * @return its channel.
     * @throws IOException if it cannot be opened (a newer save removed it).
     */
    static FileChannel open(final Path path) throws IOException
    {
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    /**
     * The CRC32C of a whole snapshot file, remembered for the last file asked about (every replica that needs a
     * snapshot at once gets the same newest file: it is read once).
     *
     * @param path the file's path, for the memory.
     * @param file the file, open.
     * @return its CRC32C.
     * @throws IOException if it cannot be read.
     */
    static int crcOf(final Path path, final FileChannel file) throws IOException
    {
        final String key = path.toAbsolutePath() + "|" + file.size() + "|" +
            java.nio.file.Files.getLastModifiedTime(path).toMillis();
        synchronized (SnapshotShipment.class)
        {
            if (key.equals(lastCrcKey))
            {
                return lastCrc;
            }
        }
        final int crc = StateStore.crc32c(file);
        synchronized (SnapshotShipment.class)
        {
            lastCrcKey = key;
            lastCrc = crc;
        }
        return crc;
    }

    private static String lastCrcKey;
    private static int lastCrc;

    long offset()
    {
        return offset;
    }

    long totalBytes()
    {
        return totalBytes;
    }

    long sent()
    {
        return sent;
    }

    /**
     * @return whether every chunk and the {@code SNAPSHOT_END} are in the send buffer.
     */
    boolean done()
    {
        return endSent;
    }

    /**
     * @return whether the rate limit is what holds the next chunk back (the caller keeps cycling, it cannot block).
     */
    boolean throttled()
    {
        return rateBytesPerSec > 0 && !endSent && allowance <= 0;
    }

    /**
     * Send chunks while the send buffer has room and the rate allows, then the end.
     *
     * @param connection the replica's connection.
     * @param nowNs      {@link System#nanoTime()}.
     * @return the frames written.
     * @throws IOException if the file cannot be read.
     */
    int send(final FrameConnection connection, final long nowNs) throws IOException
    {
        int frames = 0;
        refill(nowNs);
        while (sent < totalBytes)
        {
            if (rateBytesPerSec > 0 && allowance <= 0)
            {
                return frames;
            }
            final int rawLength = (int)Math.min(chunkBytes, totalBytes - sent);
            final int maxData = compressor == null ? rawLength : Math.max(rawLength, compressor.maxCompressedLength(rawLength));
            final long claim = connection.claim(SnapshotChunkFlyweight.length(maxData));
            if (claim < 0)
            {
                return frames;
            }
            final MemorySegment out = connection.sendBuffer();
            final long dataAt = claim + SnapshotChunkFlyweight.DATA_OFFSET;
            int dataLength = rawLength;
            Codec codec = Codec.NONE;
            int crcOfRaw = 0; // an uncompressed chunk's bytes are covered by the frame's own CRC32C: no second pass
            if (compressor == null)
            {
                // straight from the file into the frame: one copy (the socket's is the kernel's)
                read(out.asSlice(dataAt, rawLength).asByteBuffer());
            }
            else
            {
                read(rawBuffer.clear().limit(rawLength));
                rawCrc.reset();
                rawCrc.update(rawBuffer.flip());
                crcOfRaw = (int)rawCrc.getValue();
                final int packed = compressor.compress(raw, 0, rawLength, compressed, 0, (int)compressed.byteSize());
                if (packed < rawLength)
                {
                    MemorySegment.copy(compressed, 0, out, dataAt, packed);
                    dataLength = packed;
                    codec = compressor.codec();
                }
                else
                {
                    MemorySegment.copy(raw, 0, out, dataAt, rawLength);
                    crcOfRaw = 0;
                }
            }
            final int length = chunk.header(out, claim, offset, totalBytes, crc, codec, sent, rawLength, crcOfRaw,
                dataLength).seal();
            connection.commit(length);
            sent += rawLength;
            wireBytes += length;
            allowance -= length;
            frames++;
        }
        if (!endSent)
        {
            final long claim = connection.claim(SnapshotEndFlyweight.LENGTH);
            if (claim >= 0)
            {
                connection.commit(end.encode(connection.sendBuffer(), claim, offset, totalBytes, crc));
                endSent = true;
                frames++;
            }
        }
        return frames;
    }

    private void refill(final long nowNs)
    {
        if (rateBytesPerSec > 0)
        {
            allowance = Math.min(chunkBytes + SnapshotChunkFlyweight.DATA_OFFSET,
                allowance + (nowNs - refilledNs) * (rateBytesPerSec / 1e9));
        }
        refilledNs = nowNs;
    }

    private void read(final ByteBuffer into) throws IOException
    {
        long position = sent;
        while (into.hasRemaining())
        {
            final int n = file.read(into, position);
            if (n < 0)
            {
                throw new FerryException(ErrorCode.STORAGE, "snapshot at offset " + offset + " ended at byte " +
                    position + " of " + totalBytes + ": the file changed under its transfer");
            }
            position += n;
        }
    }

    /**
     * @return the frame bytes sent so far (chunk headers included).
     */
    long wireBytes()
    {
        return wireBytes;
    }

    @Override
    public void close()
    {
        try
        {
            file.close();
        }
        catch (final IOException ignore)
        {
            // read-only: nothing is lost
        }
    }
}
