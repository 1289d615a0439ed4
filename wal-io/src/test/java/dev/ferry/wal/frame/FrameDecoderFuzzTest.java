package dev.ferry.wal.frame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterEach;

import java.lang.foreign.MemorySegment;

import static dev.ferry.wal.frame.DecoderContract.require;
import static dev.ferry.wal.frame.FrameHeader.CRC32C_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.FLAGS_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.HEADER_LENGTH;
import static dev.ferry.wal.frame.FrameHeader.LENGTH_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.TYPE_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.VERSION_OFFSET;

/**
 * Coverage-guided fuzzing (Jazzer) of stream framing and the frame header checks: raw bytes as they come off a socket,
 * cut and checked frame after frame as {@code FrameConnection} does ({@link FrameDecoder#frameLength} until a frame has
 * arrived, then {@link FrameDecoder#verify}). Every frame accepted must carry the header net/PROTOCOL.md section 2
 * documents, checked against the input bytes with a CRC32C computed apart from the decoder's.
 * <p>
 * {@code mvn verify} replays {@code FrameDecoderFuzzTestInputs/frames} (seeds from {@link FrameFuzzSeedsTest}, and
 * findings kept as regression inputs); {@code .ci/fuzz} fuzzes (net/PROTOCOL.md section 11).
 */
class FrameDecoderFuzzTest implements AutoCloseable
{
    /** The limit a primary reads a replica's frames with (net/PROTOCOL.md section 2): small, so lengths cross it. */
    static final int MAX_FRAME_BYTES = 4096;

    private final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_BYTES);
    private final FuzzFrame input = new FuzzFrame(4 * MAX_FRAME_BYTES);

    @AfterEach
    @Override
    public void close()
    {
        input.close();
    }

    @FuzzTest
    void frames(final byte[] bytes)
    {
        decode(bytes);
    }

    /**
     * Cuts and verifies the frames in {@code bytes} until the stream ends, a frame is incomplete or one is refused.
     *
     * @param bytes the received bytes.
     * @return whether every frame was accepted.
     */
    DecoderContract.Outcome decode(final byte[] bytes)
    {
        final MemorySegment stream = input.copy(bytes);
        return DecoderContract.check(() -> cut(stream, bytes));
    }

    private void cut(final MemorySegment stream, final byte[] bytes)
    {
        final long end = stream.byteSize();
        int position = 0;
        while (true)
        {
            final long available = end - position;
            final int length = decoder.frameLength(stream, position, available);
            if (length < 0)
            {
                if (available >= Integer.BYTES)
                {
                    final long declared = intLe(bytes, position + LENGTH_OFFSET);
                    require(declared >= HEADER_LENGTH && declared <= MAX_FRAME_BYTES && declared > available,
                        "frameLength waits for a frame declaring " + declared + " bytes with " + available + " in");
                }
                return;
            }
            require(length >= HEADER_LENGTH && length <= MAX_FRAME_BYTES && length <= available,
                "frameLength=" + length + " with " + available + " bytes in");

            final MessageType type = decoder.verify(stream, position, length);
            checkHeader(bytes, position, length, type);
            position += length;
        }
    }

    private static void checkHeader(final byte[] bytes, final int frame, final int length, final MessageType type)
    {
        require(intLe(bytes, frame + LENGTH_OFFSET) == length, "length field differs from the frame's " + length);
        final int typeValue = bytes[frame + TYPE_OFFSET] & 0xFF;
        require(null != type && type == MessageType.fromValue(typeValue), "type " + type + " from byte " + typeValue);
        final int version = bytes[frame + VERSION_OFFSET] & 0xFF;
        require(version == FrameHeader.VERSION, "version " + version);
        final int flags = (bytes[frame + FLAGS_OFFSET] & 0xFF) | (bytes[frame + FLAGS_OFFSET + 1] & 0xFF) << 8;
        require(0 == (flags & ~FrameHeader.KNOWN_FLAGS), "flags 0x" + Integer.toHexString(flags));
        require((int)intLe(bytes, frame + CRC32C_OFFSET) == FuzzFrame.frameCrc32c(bytes, frame, length),
            "crc32c field does not match the frame's bytes");
    }

    private static long intLe(final byte[] bytes, final int at)
    {
        return (bytes[at] & 0xFFL) | (bytes[at + 1] & 0xFFL) << 8 | (bytes[at + 2] & 0xFFL) << 16 |
            (bytes[at + 3] & 0xFFL) << 24;
    }
}
