package dev.ferry.wal.frame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.wal.codec.Codec;
import org.junit.jupiter.api.AfterEach;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.ferry.wal.frame.BatchFlyweight.CODEC_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRIES_OFFSET;
import static dev.ferry.wal.frame.BatchFlyweight.ENTRY_HEADER_LENGTH;
import static dev.ferry.wal.frame.DecoderContract.require;
import static dev.ferry.wal.frame.FrameHeader.BYTE;

/**
 * Coverage-guided fuzzing (Jazzer) of the {@code BATCH} decoder, one target per codec: the batch header, the
 * decompression of hostile input (snappy and zstd through their JNI libraries), the entry walk and each entry's
 * CRC32C. The frame header is {@link FrameDecoderFuzzTest}'s target: here it is made valid over the input, and the
 * codec byte set to the target's codec, so that every input reaches the batch checks.
 * <p>
 * A batch accepted must satisfy net/PROTOCOL.md section 5.1: {@code firstOffset + count <= 2^63 - 1}, {@code count <=
 * uncompressedLength / 16}, {@code uncompressedLength <= maxFrameBytes - 29} (and equal to the region for
 * {@code NONE}), entries delivered in offset order that fill the region exactly, each payload matching the CRC32C
 * handed out (computed apart). Decompression writes nothing past {@code uncompressedLength}: guard bytes after it in
 * the scratch memory must come back untouched, whether the batch was accepted or refused.
 * <p>
 * {@code mvn verify} replays {@code BatchDecoderFuzzTestInputs/<codec>} (seeds from {@link FrameFuzzSeedsTest}, and
 * findings kept as regression inputs); {@code .ci/fuzz} fuzzes (net/PROTOCOL.md section 11).
 */
class BatchDecoderFuzzTest implements AutoCloseable
{
    /** The frame limit of the targets: larger than any input, so a hostile uncompressedLength can exceed the input. */
    static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final int GUARD_BYTES = 4096;
    private static final byte GUARD = (byte)0xA5;
    private static final MemorySegment GUARD_PATTERN = MemorySegment.ofArray(new byte[GUARD_BYTES]).fill(GUARD);

    private final Arena arena = Arena.ofShared();
    private final FuzzFrame input = new FuzzFrame(MAX_FRAME_BYTES);
    private final FrameDecoder frameDecoder = new FrameDecoder(MAX_FRAME_BYTES);
    private final BatchDecoder decoder = new BatchDecoder(MAX_FRAME_BYTES);
    private final BatchFlyweight flyweight = new BatchFlyweight();
    private final MemorySegment scratch =
        arena.allocate(BatchDecoder.scratchLength(MAX_FRAME_BYTES) + GUARD_BYTES, 64);
    private final EntryCheck entries = new EntryCheck();

    @AfterEach
    @Override
    public void close()
    {
        decoder.close();
        input.close();
        arena.close();
    }

    @FuzzTest
    void none(final byte[] frame)
    {
        decode(Codec.NONE, frame);
    }

    @FuzzTest
    void snappy(final byte[] frame)
    {
        decode(Codec.SNAPPY, frame);
    }

    @FuzzTest
    void zstd(final byte[] frame)
    {
        decode(Codec.ZSTD, frame);
    }

    /**
     * Decodes {@code bytes} as a batch frame of {@code codec} and checks what is accepted.
     *
     * @param codec the codec the frame is made to declare.
     * @param bytes the frame.
     * @return whether the batch was accepted.
     */
    DecoderContract.Outcome decode(final Codec codec, final byte[] bytes)
    {
        final MemorySegment frame = input.copy(bytes);
        if (frame.byteSize() > CODEC_OFFSET)
        {
            frame.set(BYTE, CODEC_OFFSET, (byte)codec.id());
        }
        input.seal(frame, MessageType.BATCH);
        return DecoderContract.check(() -> decodeBatch(codec, frame));
    }

    private void decodeBatch(final Codec codec, final MemorySegment frame)
    {
        require(MessageType.BATCH == frameDecoder.verify(frame), "a sealed BATCH frame verified as another type");
        decoder.wrap(frame);

        final long length = frame.byteSize();
        final long firstOffset = decoder.firstOffset();
        final int count = decoder.count();
        final int uncompressedLength = decoder.uncompressedLength();
        flyweight.wrap(frame, 0);
        require(decoder.frameLength() == length, "frameLength " + decoder.frameLength() + " of " + length);
        require(decoder.codec() == codec && flyweight.codecId() == codec.id(), "codec " + decoder.codec());
        require(firstOffset == flyweight.firstOffset() && count == flyweight.count() &&
            uncompressedLength == flyweight.uncompressedLength(), "fields differ from the frame's bytes");
        require(firstOffset >= 0 && count >= 0 && firstOffset <= Long.MAX_VALUE - count,
            "firstOffset=" + firstOffset + " count=" + count);
        require(uncompressedLength >= 0 && uncompressedLength <= BatchFlyweight.maxEntriesLength(MAX_FRAME_BYTES),
            "uncompressedLength=" + uncompressedLength);
        require(count <= uncompressedLength / ENTRY_HEADER_LENGTH,
            "count=" + count + " entries in uncompressedLength=" + uncompressedLength);
        require(Codec.NONE != codec || uncompressedLength == length - ENTRIES_OFFSET,
            "NONE batch of " + length + " bytes declares uncompressedLength=" + uncompressedLength);

        scratch.asSlice(uncompressedLength, GUARD_BYTES).fill(GUARD);
        entries.reset(firstOffset, uncompressedLength);
        try
        {
            final int delivered = decoder.forEach(scratch, entries);
            require(delivered == count && entries.delivered == count,
                "delivered " + delivered + " (handler saw " + entries.delivered + ") of count=" + count);
            require(entries.bytes == uncompressedLength,
                "entries fill " + entries.bytes + " of uncompressedLength=" + uncompressedLength);
        }
        finally
        {
            final long touched = scratch.asSlice(uncompressedLength, GUARD_BYTES).mismatch(GUARD_PATTERN);
            require(touched < 0, "decompression wrote past uncompressedLength=" + uncompressedLength +
                " (guard byte " + touched + " changed)");
        }
    }

    /**
     * Checks each entry the decoder delivers against the batch header and the decoder's own accessors.
     */
    private final class EntryCheck implements BatchEntryHandler
    {
        private long firstOffset;
        private int uncompressedLength;
        private int delivered;
        private long bytes;

        void reset(final long firstOffset, final int uncompressedLength)
        {
            this.firstOffset = firstOffset;
            this.uncompressedLength = uncompressedLength;
            delivered = 0;
            bytes = 0;
        }

        @Override
        public void onEntry(final long offset, final long timestampNs, final MemorySegment payload)
        {
            require(offset == firstOffset + delivered, "entry " + delivered + " has offset " + offset);
            require(payload.byteSize() == decoder.entryPayloadLength(), "payload of " + payload.byteSize() +
                " bytes, entryPayloadLength " + decoder.entryPayloadLength());
            final MemorySegment memory = decoder.entryMemory();
            require(decoder.entryPayloadOffset() >= 0 &&
                decoder.entryPayloadOffset() + payload.byteSize() <= memory.byteSize() &&
                payload.address() == memory.address() + decoder.entryPayloadOffset(),
                "payload is not where entryMemory and entryPayloadOffset say");
            require(FuzzFrame.crc32c(payload.toArray(ValueLayout.JAVA_BYTE)) == decoder.entryCrc32c(),
                "entry at offset " + offset + " delivered with a crc32c its payload does not have");
            delivered++;
            bytes += ENTRY_HEADER_LENGTH + payload.byteSize();
            require(bytes <= uncompressedLength, "entries run past uncompressedLength=" + uncompressedLength);
        }
    }
}
