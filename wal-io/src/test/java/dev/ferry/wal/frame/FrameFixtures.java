package dev.ferry.wal.frame;

import dev.ferry.wal.Crc32c;
import dev.ferry.wal.codec.ByteBufferView;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.CRC32C_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;

/**
 * Builds batch frames for the frame tests and decodes them back, owning the native memory they live in.
 */
final class FrameFixtures implements AutoCloseable
{
    static final int MAX_FRAME_BYTES = 64 * 1024;

    final Arena arena = Arena.ofConfined();
    final int maxFrameBytes;
    final MemorySegment frameBuffer;
    final MemorySegment encodeScratch;
    final MemorySegment decodeScratch;
    final BatchEncoder encoder;
    final FrameDecoder frameDecoder;
    final BatchDecoder batchDecoder;
    final Compressor[] compressors = new Compressor[Codec.values().length];

    FrameFixtures()
    {
        this(MAX_FRAME_BYTES);
    }

    FrameFixtures(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        frameBuffer = arena.allocate(maxFrameBytes);
        decodeScratch = arena.allocate(BatchDecoder.scratchLength(maxFrameBytes));
        int scratch = 0;
        for (final Codec codec : Codec.values())
        {
            compressors[codec.ordinal()] = Compressors.of(codec);
            scratch = Math.max(scratch, BatchEncoder.scratchLength(compressors[codec.ordinal()], maxFrameBytes));
        }
        encodeScratch = arena.allocate(scratch);
        encoder = new BatchEncoder(maxFrameBytes).minCompressBytes(0); // the tests compress even tiny batches
        frameDecoder = new FrameDecoder(maxFrameBytes);
        batchDecoder = new BatchDecoder(maxFrameBytes);
    }

    /** One decoded entry, copied out of the frame. */
    record Entry(long offset, long timestampNs, byte[] payload)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Entry that && offset == that.offset && timestampNs == that.timestampNs &&
                Arrays.equals(payload, that.payload);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(offset) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString()
        {
            return "Entry[" + offset + ", " + timestampNs + ", " + payload.length + " bytes]";
        }
    }

    static byte[] text(final int length, final int seed)
    {
        final byte[] pattern = ("entry " + seed + " PUT key-" + (seed % 17) + " = the quick brown fox; ")
            .getBytes(StandardCharsets.US_ASCII);
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = pattern[i % pattern.length];
        }
        return bytes;
    }

    static byte[] random(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    Compressor compressor(final Codec codec)
    {
        return compressors[codec.ordinal()];
    }

    /**
     * Encodes the payloads into one batch frame in {@link #frameBuffer}.
     *
     * @return the frame length.
     */
    int encode(final Codec codec, final long firstOffset, final List<byte[]> payloads)
    {
        encoder.wrap(frameBuffer, 0, (int)frameBuffer.byteSize()).firstOffset(firstOffset);
        for (int i = 0; i < payloads.size(); i++)
        {
            if (!encoder.tryAppend(1_000_000L * i + 7, MemorySegment.ofArray(payloads.get(i))))
            {
                throw new IllegalStateException("payload " + i + " does not fit");
            }
        }
        return encoder.commit(compressor(codec), encodeScratch);
    }

    /**
     * Verifies and decodes the frame at the start of {@code buffer}, exactly {@code length} bytes.
     */
    List<Entry> decode(final MemorySegment buffer, final int length)
    {
        final MemorySegment frame = buffer.asSlice(0, length);
        final MessageType type = frameDecoder.verify(frame);
        if (MessageType.BATCH != type)
        {
            throw new IllegalStateException("not a batch: " + type);
        }
        final List<Entry> entries = new ArrayList<>();
        batchDecoder.decode(
            frame,
            decodeScratch,
            (offset, timestampNs, payload) ->
                entries.add(new Entry(offset, timestampNs, payload.toArray(ValueLayout.JAVA_BYTE))));
        return entries;
    }

    /**
     * Runs a possibly hostile buffer through every decoding step a receiver would; returns normally or throws.
     */
    void receive(final MemorySegment buffer, final int available)
    {
        final int length = frameDecoder.frameLength(buffer, 0, available);
        final MemorySegment frame = buffer.asSlice(0, length < 0 ? available : length);
        if (frame.byteSize() < FrameHeader.HEADER_LENGTH)
        {
            // what a receiver does with a short frame: it waits for more bytes; verify must still refuse it
            frameDecoder.verify(frame);
            throw new AssertionError("verify accepted a frame of " + frame.byteSize() + " bytes");
        }
        if (MessageType.BATCH == frameDecoder.verify(frame))
        {
            batchDecoder.decode(frame, decodeScratch, FrameFixtures::touch);
        }
    }

    private static void touch(final long offset, final long timestampNs, final MemorySegment payload)
    {
        if (payload.byteSize() > 0)
        {
            payload.get(ValueLayout.JAVA_BYTE, payload.byteSize() - 1);
        }
    }

    /**
     * Recomputes the frame CRC32C of the frame at the start of {@code buffer} of {@code length} bytes.
     */
    static void reseal(final MemorySegment buffer, final int length)
    {
        final int crc = FrameHeader.computeCrc32c(new CRC32C(), new ByteBufferView(), buffer, 0, length);
        buffer.set(INT_LE, CRC32C_OFFSET, crc);
    }

    static int payloadCrc(final byte[] payload)
    {
        return Crc32c.compute(MemorySegment.ofArray(payload), 0, payload.length);
    }

    @Override
    public void close()
    {
        batchDecoder.close();
        for (final Compressor compressor : compressors)
        {
            compressor.close();
        }
        arena.close();
    }
}
