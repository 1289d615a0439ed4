package dev.ferry.engine.archive;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.WalEntry;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.BatchEncoder;
import dev.ferry.wal.frame.FrameHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * A segment object: a run of consecutive WAL entries in Ferry's batch format (the {@code BATCH} frames replication
 * sends, each compressed on its own), between a header and a checksum of the whole object:
 * <pre>
 *   0  magic "FERRYSEG"            8 bytes
 *   8  format                      int (1)
 *  12  codec                       int (the codec tried on each frame; a frame it would not shrink is stored as is)
 *  16  first offset                long
 *  24  last offset                 long
 *  32  first entry's timestamp     long, ns since the epoch
 *  40  last entry's timestamp      long
 *  48  chain before the first      int (the WAL's chained checksum before the first entry)
 *  52  chain after the last        int (the WAL's chained checksum at the last entry)
 *  56  frames' length              int
 *  60  reserved                    int (0)
 *  64  BATCH frames                entries first..last, in order
 *  ..  CRC32C of all bytes before  int
 * </pre>
 * All little-endian. A reader checks the checksum, the header against the object's name, and every entry's CRC32C
 * and offset, so a damaged or truncated object is detected before any of it is used.
 */
final class SegmentFormat
{
    static final long MAGIC = 0x4745_5359_5252_4546L; // "FERRYSEG" little-endian
    static final int FORMAT = 1;
    static final int HEADER_LENGTH = 64;
    static final int TRAILER_LENGTH = 4;

    private SegmentFormat()
    {
    }

    /**
     * Builds one segment in native memory: entries go straight from the WAL's cursor into frames. Single-threaded;
     * reused from segment to segment.
     */
    static final class Writer implements AutoCloseable
    {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment buffer;
        private final MemorySegment scratch;
        private final BatchEncoder encoder;
        private final Compressor compressor;
        private final int maxFrameBytes;
        private final long targetBytes;
        private long position;
        private boolean open;
        private long count;
        private long first;
        private long last;
        private long firstNs;
        private long lastNs;
        private int chainBefore;
        private int chainAfter;
        private long rawBytes;

        /**
         * @param codec         the codec tried on each frame.
         * @param maxEntryBytes the largest entry it must hold.
         * @param targetBytes   the size (stored) at which a segment is full.
         */
        Writer(final Codec codec, final int maxEntryBytes, final long targetBytes)
        {
            this.maxFrameBytes = Math.min(FrameHeader.MAX_FRAME_BYTES_MAX,
                Math.max(FrameHeader.MAX_FRAME_BYTES_DEFAULT, maxEntryBytes + 4096));
            this.targetBytes = Math.max(targetBytes, 1);
            this.encoder = new BatchEncoder(maxFrameBytes);
            this.compressor = Compressors.of(codec);
            this.scratch = arena.allocate(BatchEncoder.scratchLength(compressor, maxFrameBytes));
            this.buffer = arena.allocate(HEADER_LENGTH + this.targetBytes + 2L * maxFrameBytes + TRAILER_LENGTH);
        }

        /**
         * Start a segment.
         *
         * @param firstOffset its first offset.
         * @param chain       the WAL's chained checksum before it.
         */
        void begin(final long firstOffset, final int chain)
        {
            position = HEADER_LENGTH;
            count = 0;
            first = firstOffset;
            last = firstOffset - 1;
            chainBefore = chain;
            chainAfter = chain;
            rawBytes = 0;
            open = false;
        }

        /**
         * @param entry the next entry (offset {@link #next()}).
         * @return false if the segment is full: the entry is not in it.
         */
        boolean add(final WalEntry entry)
        {
            if (entry.offset() != last + 1)
            {
                throw new FerryException(ErrorCode.SEQUENCE_GAP, "the archive's segment expects offset " + (last + 1) +
                    " but the WAL gave " + entry.offset());
            }
            if (entry.chain() != dev.ferry.wal.Chain.next(chainAfter, entry.crc32c(), entry.length()))
            {
                // the WAL's entries changed under the reader (a truncation, then another epoch's entries at these
                // offsets): they belong to another generation
                throw new FerryException(ErrorCode.DIVERGED, "the WAL's entry at offset " + entry.offset() +
                    " does not follow the entries archived before it");
            }
            if (size() >= HEADER_LENGTH + targetBytes)
            {
                return false;
            }
            if (!open)
            {
                encoder.wrap(buffer, position, maxFrameBytes).firstOffset(entry.offset());
                open = true;
            }
            if (!encoder.tryAppend(entry))
            {
                seal();
                if (position >= HEADER_LENGTH + targetBytes)
                {
                    return false;
                }
                encoder.wrap(buffer, position, maxFrameBytes).firstOffset(entry.offset());
                open = true;
                if (!encoder.tryAppend(entry))
                {
                    throw new FerryException(ErrorCode.INTERNAL, "an entry of " + entry.length() +
                        " bytes does not fit an empty frame of " + maxFrameBytes);
                }
            }
            if (count == 0)
            {
                firstNs = entry.timestampNs();
            }
            count++;
            last = entry.offset();
            lastNs = entry.timestampNs();
            chainAfter = entry.chain();
            rawBytes += entry.length();
            return true;
        }

        /** The bytes written so far, the open frame's included. */
        private long size()
        {
            return position + (open ? encoder.encodedLength() : 0);
        }

        private void seal()
        {
            if (open)
            {
                position += encoder.commit(compressor, scratch);
                encoder.reset();
                open = false;
            }
        }

        /**
         * @return the next offset it takes.
         */
        long next()
        {
            return last + 1;
        }

        long count()
        {
            return count;
        }

        long first()
        {
            return first;
        }

        long last()
        {
            return last;
        }

        long firstNs()
        {
            return firstNs;
        }

        long lastNs()
        {
            return lastNs;
        }

        int chainAfter()
        {
            return chainAfter;
        }

        /**
         * @return the payload bytes of its entries.
         */
        long rawBytes()
        {
            return rawBytes;
        }

        /**
         * @return the stored size so far.
         */
        long storedBytes()
        {
            return position + TRAILER_LENGTH;
        }

        /**
         * Finish the segment.
         *
         * @return the object's bytes.
         */
        byte[] finish()
        {
            seal();
            buffer.set(LONG_LE, 0, MAGIC);
            buffer.set(INT_LE, 8, FORMAT);
            buffer.set(INT_LE, 12, compressor.codec().id());
            buffer.set(LONG_LE, 16, first);
            buffer.set(LONG_LE, 24, last);
            buffer.set(LONG_LE, 32, firstNs);
            buffer.set(LONG_LE, 40, lastNs);
            buffer.set(INT_LE, 48, chainBefore);
            buffer.set(INT_LE, 52, chainAfter);
            buffer.set(INT_LE, 56, (int)(position - HEADER_LENGTH));
            buffer.set(INT_LE, 60, 0);
            final CRC32C crc = new CRC32C();
            crc.update(buffer.asSlice(0, position).asByteBuffer());
            buffer.set(INT_LE, position, (int)crc.getValue());
            return buffer.asSlice(0, position + TRAILER_LENGTH).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }

        @Override
        public void close()
        {
            compressor.close();
            arena.close();
        }
    }

    /**
     * A segment's header, checked.
     *
     * @param first       first offset.
     * @param last        last offset.
     * @param firstNs     first timestamp.
     * @param lastNs      last timestamp.
     * @param chainBefore chain before the first entry.
     * @param chainAfter  chain at the last entry.
     */
    record Header(long first, long last, long firstNs, long lastNs, int chainBefore, int chainAfter)
    {
    }

    /** Receives a segment's entries. */
    interface EntrySink
    {
        /**
         * @param offset      the entry's offset.
         * @param timestampNs its timestamp.
         * @param crc32c      its payload's CRC32C, checked.
         * @param memory      memory holding the payload.
         * @param at          where in it.
         * @param length      its length.
         * @return false to stop (the entries after it are not delivered).
         */
        boolean onEntry(long offset, long timestampNs, int crc32c, MemorySegment memory, long at, int length);
    }

    /**
     * Check an object and read its header, without decoding the entries.
     *
     * @param object the object's bytes.
     * @param name   the object's key (for messages).
     * @return the header.
     * @throws FerryException CHECKSUM if the object is damaged or truncated.
     */
    static Header header(final byte[] object, final String name)
    {
        if (object.length < HEADER_LENGTH + TRAILER_LENGTH)
        {
            throw damaged(name, "it has " + object.length + " bytes, fewer than a header and a checksum");
        }
        final ByteBuffer bytes = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(object, 0, object.length - TRAILER_LENGTH);
        if ((int)crc.getValue() != bytes.getInt(object.length - TRAILER_LENGTH))
        {
            throw damaged(name, "its checksum does not match its bytes (damaged or truncated)");
        }
        if (bytes.getLong(0) != MAGIC)
        {
            throw damaged(name, "it is not a Ferry segment");
        }
        if (bytes.getInt(8) != FORMAT)
        {
            throw damaged(name, "format " + bytes.getInt(8) + " is not one this Ferry reads (" + FORMAT + ")");
        }
        if (bytes.getInt(56) != object.length - HEADER_LENGTH - TRAILER_LENGTH)
        {
            throw damaged(name, "its frames' length does not match its size");
        }
        return new Header(bytes.getLong(16), bytes.getLong(24), bytes.getLong(32), bytes.getLong(40), bytes.getInt(48),
            bytes.getInt(52));
    }

    /**
     * Check an object and hand its entries to {@code sink}, in order.
     *
     * @param object  the object's bytes.
     * @param name    its key.
     * @param decoder a decoder for frames of up to {@value FrameHeader#MAX_FRAME_BYTES_MAX} bytes.
     * @param scratch its decompression scratch.
     * @param sink    receives the entries.
     * @return the header.
     * @throws FerryException CHECKSUM if the object is damaged, or its entries are not exactly first..last.
     */
    static Header read(final byte[] object, final String name, final BatchDecoder decoder, final MemorySegment scratch,
        final EntrySink sink)
    {
        final Header header = header(object, name);
        try (Arena arena = Arena.ofConfined())
        {
            // native: the decompressors take direct memory only
            final MemorySegment memory = arena.allocate(object.length);
            MemorySegment.copy(MemorySegment.ofArray(object), 0, memory, 0, object.length);
            return read(header, memory, object.length, name, decoder, scratch, sink);
        }
    }

    private static Header read(final Header header, final MemorySegment memory, final int objectLength,
        final String name, final BatchDecoder decoder, final MemorySegment scratch, final EntrySink sink)
    {
        final long end = objectLength - TRAILER_LENGTH;
        final long[] next = {header.first()};
        final boolean[] stopped = {false};
        long position = HEADER_LENGTH;
        try
        {
            while (position < end && !stopped[0])
            {
                if (end - position < FrameHeader.HEADER_LENGTH)
                {
                    throw damaged(name, "a frame is cut at byte " + position);
                }
                final long length = Integer.toUnsignedLong(memory.get(INT_LE, position + FrameHeader.LENGTH_OFFSET));
                if (length < FrameHeader.HEADER_LENGTH || length > end - position)
                {
                    throw damaged(name, "a frame at byte " + position + " claims " + length + " bytes");
                }
                decoder.wrap(memory, position, length);
                if (decoder.firstOffset() != next[0])
                {
                    throw damaged(name, "a frame starts at offset " + decoder.firstOffset() + ", expected " + next[0]);
                }
                decoder.forEach(scratch, (offset, timestampNs, payload) ->
                {
                    if (!stopped[0])
                    {
                        next[0] = offset + 1;
                        stopped[0] = !sink.onEntry(offset, timestampNs, decoder.entryCrc32c(), decoder.entryMemory(),
                            decoder.entryPayloadOffset(), decoder.entryPayloadLength());
                    }
                });
                position += length;
            }
        }
        catch (final dev.ferry.wal.frame.FrameException ex)
        {
            throw damaged(name, ex.getMessage());
        }
        if (!stopped[0] && next[0] != header.last() + 1)
        {
            throw damaged(name, "it holds offsets " + header.first() + " to " + (next[0] - 1) + ", its header says " +
                header.last());
        }
        return header;
    }

    /** The largest segment object read: a segment is cut at most at 256 MiB of frames, plus one frame. */
    static final int MAX_OBJECT_BYTES = (256 << 20) + 2 * FrameHeader.MAX_FRAME_BYTES_MAX;

    /**
     * Read a segment object whole, refusing one larger than any shipper writes (a damaged or hostile archive must not
     * exhaust memory).
     *
     * @param store the archive.
     * @param key   the object's key.
     * @return its bytes.
     * @throws java.io.IOException if it cannot be read ({@link java.nio.file.NoSuchFileException} if it is gone).
     * @throws FerryException      CHECKSUM if it is larger than {@link #MAX_OBJECT_BYTES}.
     */
    static byte[] load(final ArchiveStore store, final String key) throws java.io.IOException
    {
        return load(store, key, MAX_OBJECT_BYTES, "archive segment");
    }

    /**
     * Read an object whole, up to a bound.
     *
     * @param store the archive.
     * @param key   the object's key.
     * @param limit the most bytes accepted.
     * @param what  what it is, for the message.
     * @return its bytes.
     * @throws java.io.IOException if it cannot be read.
     * @throws FerryException      CHECKSUM if it is larger than {@code limit}.
     */
    static byte[] load(final ArchiveStore store, final String key, final int limit, final String what)
        throws java.io.IOException
    {
        try (java.io.InputStream in = store.get(key))
        {
            final byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit)
            {
                throw new FerryException(ErrorCode.CHECKSUM, what + " " + key + " is damaged: it is larger than the " +
                    limit + " bytes any Ferry writes");
            }
            return bytes;
        }
    }

    private static FerryException damaged(final String name, final String why)
    {
        return new FerryException(ErrorCode.CHECKSUM, "archive segment " + name + " is damaged: " + why);
    }
}
