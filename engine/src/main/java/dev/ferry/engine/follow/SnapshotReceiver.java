package dev.ferry.engine.follow;

import dev.ferry.engine.SnapshotProgress;
import dev.ferry.engine.handshake.ReplicaHello;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.SnapshotChunkFlyweight;
import dev.ferry.net.message.SnapshotEndFlyweight;
import dev.ferry.wal.Arenas;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The receiving end of a snapshot transfer: verified chunks appended to a file in {@code <wal>/state/incoming}, named
 * after the snapshot they belong to ({@code snapshot-<offset>-<totalBytes>-<crc32c>.part}), so a transfer cut by
 * either side (a dropped connection, {@code kill -9} of either process) resumes from the last verified byte: the next
 * {@code HELLO} names what is held ({@link #held()}), and the primary goes on from there if it still has that
 * snapshot. A chunk is verified before it is written: its frame CRC (by the frame decoder), its decompression into
 * at most {@link SnapshotChunkFlyweight#MAX_RAW_LENGTH} bytes, its raw CRC32C, and that it belongs to this snapshot and
 * starts where the last one ended. At {@code SNAPSHOT_END} the whole file's length and CRC32C are checked and it is
 * synced; only then is it handed over.
 * <p>
 * On the replica's thread only; progress is readable from any thread.
 */
final class SnapshotReceiver implements AutoCloseable
{
    static final String INCOMING = "incoming";
    /** Room left for the WAL beside an incoming snapshot: a snapshot never takes the WAL's last bytes. */
    private static final long RESERVE_BYTES = 64L << 20;
    private static final Pattern PART = Pattern.compile("snapshot-(\\d{20})-(\\d+)-([0-9a-f]{8})\\.part");

    private final Path directory;
    private final CRC32C crc = new CRC32C();
    private final CRC32C whole = new CRC32C(); // of every byte held, as they are written
    private final Compressor[] decompressors = new Compressor[Codec.values().length];
    private Arena arena;
    private MemorySegment raw;
    private MemorySegment packed; // a native copy of compressed data that arrived in heap memory
    private FileChannel file;
    private Path path;
    private long offset = -1;
    private long totalBytes = -1;
    private int snapshotCrc;
    private volatile long held;
    private volatile long total;
    private volatile long progressOffset = -1;
    private volatile long fromBytes;
    private volatile long startNs;

    /**
     * @param stateDirectory the node's {@code <wal>/state} directory.
     */
    SnapshotReceiver(final Path stateDirectory)
    {
        this.directory = stateDirectory.resolve(INCOMING);
    }

    /**
     * @return the snapshot held in part from an interrupted transfer (the newest, if several: the others are
     *         deleted), or null.
     */
    ReplicaHello.PartialSnapshot held()
    {
        final List<Path> parts = parts();
        Path best = null;
        long bestOffset = -1;
        for (final Path part : parts)
        {
            final long at = Long.parseLong(match(part).group(1));
            if (at > bestOffset)
            {
                best = part;
                bestOffset = at;
            }
        }
        for (final Path part : parts)
        {
            if (part != best)
            {
                delete(part);
            }
        }
        if (best == null)
        {
            return null;
        }
        final Matcher m = match(best);
        try
        {
            final long size = Files.size(best);
            final long length = Long.parseLong(m.group(2));
            if (size > length)
            {
                delete(best);
                return null;
            }
            return new ReplicaHello.PartialSnapshot(bestOffset, length, size, HexFormat.fromHexDigits(m.group(3)));
        }
        catch (final IOException | NumberFormatException ex)
        {
            delete(best);
            return null;
        }
    }

    /**
     * The primary streams to this replica without a snapshot: what is held of an interrupted one will not be needed.
     */
    void discard()
    {
        for (final Path part : parts())
        {
            delete(part);
        }
    }

    /**
     * The primary's {@code WELCOME} announced the snapshot at {@code offset}: its first chunk says which one.
     *
     * @param offset the offset the snapshot stands at.
     * @param nowNs  {@link System#nanoTime()}.
     */
    void begin(final long offset, final long nowNs)
    {
        closeFile();
        this.offset = offset;
        this.totalBytes = -1;
        this.progressOffset = offset;
        this.total = 0;
        this.held = 0;
        this.startNs = nowNs;
    }

    /**
     * Verify a chunk and append it.
     *
     * @throws FerryException PROTOCOL for a chunk of another snapshot, or not where the last one ended; CHECKSUM for
     *                        damaged data (the link is dropped and the transfer resumed from the last verified byte);
     *                        STORAGE if it cannot be written.
     */
    void onChunk(final SnapshotChunkFlyweight chunk)
    {
        if (chunk.snapshotOffset() != offset)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "a chunk of the snapshot at offset " + chunk.snapshotOffset() +
                " during the transfer of the one at " + offset);
        }
        if (file == null)
        {
            open(chunk.totalBytes(), chunk.snapshotCrc(), chunk.byteOffset());
        }
        else if (chunk.totalBytes() != totalBytes || chunk.snapshotCrc() != snapshotCrc)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "a chunk names another snapshot (" + chunk.totalBytes() +
                " bytes, crc " + Integer.toHexString(chunk.snapshotCrc()) + ") than the one in transfer");
        }
        if (chunk.byteOffset() != held)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "a snapshot chunk at byte " + chunk.byteOffset() +
                " where byte " + held + " was expected");
        }
        final int length = chunk.rawLength();
        final ByteBuffer bytes = unpack(chunk, length);
        if (chunk.codec() != Codec.NONE) // an uncompressed chunk's bytes were checked with its frame's CRC32C
        {
            crc.reset();
            crc.update(bytes.mark());
            bytes.reset();
        }
        if (chunk.codec() != Codec.NONE && (int)crc.getValue() != chunk.rawCrc())
        {
            throw new FerryException(ErrorCode.CHECKSUM, "snapshot chunk at byte " + held + " is damaged (crc32c " +
                Integer.toHexString((int)crc.getValue()) + ", expected " + Integer.toHexString(chunk.rawCrc()) +
                "); it is fetched again");
        }
        whole.update(bytes.mark());
        try
        {
            bytes.reset();
            long position = held;
            while (bytes.hasRemaining())
            {
                position += file.write(bytes, position);
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot write the incoming snapshot " + path + ": " +
                ex.getMessage(), ex);
        }
        held += length;
    }

    /**
     * @return the chunk's raw bytes: in place in the frame when it is not compressed, else decompressed.
     */
    private ByteBuffer unpack(final SnapshotChunkFlyweight chunk, final int length)
    {
        final MemorySegment buffer = chunk.buffer();
        final Codec codec = chunk.codec();
        if (codec == Codec.NONE)
        {
            return buffer.asSlice(chunk.dataOffset(), length).asByteBuffer();
        }
        if (arena == null)
        {
            arena = Arenas.ofShared(); // closed by whichever thread closes the replica
            raw = arena.allocate(SnapshotChunkFlyweight.MAX_RAW_LENGTH, 64);
        }
        MemorySegment source = buffer;
        long sourceOffset = chunk.dataOffset();
        if (!buffer.isNative())
        {
            if (packed == null || packed.byteSize() < chunk.dataLength())
            {
                packed = arena.allocate(Math.max(chunk.dataLength(), 64 * 1024), 64);
            }
            MemorySegment.copy(buffer, sourceOffset, packed, 0, chunk.dataLength());
            source = packed;
            sourceOffset = 0;
        }
        Compressor decompressor = decompressors[codec.id()];
        if (decompressor == null)
        {
            decompressor = Compressors.of(codec);
            decompressors[codec.id()] = decompressor;
        }
        try
        {
            decompressor.decompress(source, sourceOffset, chunk.dataLength(), raw, 0, length);
        }
        catch (final RuntimeException ex)
        {
            throw new FerryException(ErrorCode.CHECKSUM, "snapshot chunk at byte " + held + " does not decompress (" +
                ex.getMessage() + "); it is fetched again", ex);
        }
        return raw.asSlice(0, length).asByteBuffer();
    }

    private void open(final long length, final int wholeCrc, final long firstByte)
    {
        totalBytes = length;
        snapshotCrc = wholeCrc;
        total = length;
        path = directory.resolve(String.format("snapshot-%020d-%d-%08x.part", offset, length, wholeCrc));
        try
        {
            Files.createDirectories(directory);
            final long needed = length - firstByte + RESERVE_BYTES;
            final long usable = Files.getFileStore(directory).getUsableSpace();
            if (usable < needed)
            {
                throw new FerryException(ErrorCode.STORAGE, "a snapshot of " + length + " bytes does not fit in " +
                    directory + ": " + usable + " bytes usable, " + needed + " needed (with a reserve of " +
                    RESERVE_BYTES + " for the WAL); free space, or give the replica a larger disk");
            }
            for (final Path other : parts())
            {
                if (!other.equals(path))
                {
                    delete(other); // another snapshot's part: the primary no longer has it
                }
            }
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            final long size = file.size();
            if (firstByte > size)
            {
                throw new FerryException(ErrorCode.PROTOCOL, "the primary resumes the snapshot at byte " + firstByte +
                    " but this replica holds " + size);
            }
            file.truncate(firstByte); // what is held beyond where the primary resumes is sent again
            held = firstByte;
            fromBytes = firstByte;
            whole.reset();
            readBack(firstByte); // the whole's CRC32C goes on from what an interrupted transfer left
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot open the incoming snapshot " + path + ": " +
                ex.getMessage(), ex);
        }
    }

    private void readBack(final long length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long position = 0;
        while (position < length)
        {
            buffer.clear().limit((int)Math.min(buffer.capacity(), length - position));
            final int n = file.read(buffer, position);
            if (n < 0)
            {
                throw new IOException("the part ended at byte " + position + " of " + length);
            }
            whole.update(buffer.flip());
            position += n;
        }
    }

    /**
     * The last chunk came: check the whole and sync it.
     *
     * @param end the primary's {@code SNAPSHOT_END}.
     * @return the complete, verified, synced file.
     * @throws FerryException PROTOCOL if it names another snapshot or bytes are missing; CHECKSUM if the whole is
     *                        damaged (the file is deleted: the next transfer starts from byte 0).
     */
    Path complete(final SnapshotEndFlyweight end)
    {
        if (end.snapshotOffset() != offset)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "SNAPSHOT_END of the snapshot at offset " + end.snapshotOffset() +
                " during the transfer of the one at " + offset);
        }
        if (file == null)
        {
            open(end.totalBytes(), end.snapshotCrc(), end.totalBytes()); // every byte was held already (a resume)
        }
        if (end.totalBytes() != totalBytes || end.snapshotCrc() != snapshotCrc || held != totalBytes)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "SNAPSHOT_END says " + end.totalBytes() + " bytes, crc " +
                Integer.toHexString(end.snapshotCrc()) + "; this replica holds " + held + " of " + totalBytes +
                " bytes, crc " + Integer.toHexString(snapshotCrc));
        }
        try
        {
            final int got = (int)whole.getValue();
            if (got != snapshotCrc)
            {
                final Path damaged = path;
                closeFile();
                delete(damaged);
                throw new FerryException(ErrorCode.CHECKSUM, "the snapshot at offset " + offset + " is damaged as a " +
                    "whole (crc32c " + Integer.toHexString(got) + ", expected " + Integer.toHexString(snapshotCrc) +
                    "); it is fetched again from byte 0");
            }
            file.force(true);
            final Path done = path;
            closeFile();
            return done;
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read back the incoming snapshot " + path + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @param nowNs {@link System#nanoTime()}.
     * @return the transfer in progress, or null.
     */
    SnapshotProgress progress(final long nowNs)
    {
        final long at = progressOffset;
        return at < 0 ? null : SnapshotProgress.of(at, held, total, fromBytes, nowNs - startNs);
    }

    /** The transfer stopped (done, or the link dropped: what was verified stays on disk for a resume). */
    void end()
    {
        progressOffset = -1;
        closeFile();
    }

    private void closeFile()
    {
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException ignore)
            {
                // what was written is read again, and checked, before it is used
            }
            file = null;
        }
    }

    private List<Path> parts()
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory))
        {
            return new ArrayList<>(files.filter(f -> PART.matcher(f.getFileName().toString()).matches()).toList());
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    private static Matcher match(final Path part)
    {
        final Matcher m = PART.matcher(part.getFileName().toString());
        if (!m.matches())
        {
            throw new IllegalStateException(part.toString());
        }
        return m;
    }

    private static void delete(final Path part)
    {
        try
        {
            Files.deleteIfExists(part);
        }
        catch (final IOException ignore)
        {
            // an extra part costs disk only; the next transfer replaces it
        }
    }

    @Override
    public void close()
    {
        end();
        for (int i = 0; i < decompressors.length; i++)
        {
            if (decompressors[i] != null)
            {
                decompressors[i].close();
                decompressors[i] = null;
            }
        }
        if (arena != null)
        {
            arena.close();
            arena = null;
        }
    }
}
