package dev.ferry.net.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.FuzzFrame;
import org.junit.jupiter.api.AfterEach;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

import static dev.ferry.wal.frame.DecoderContract.require;

/**
 * Coverage-guided fuzzing (Jazzer) of each control message's decoder, one target per message (listed in
 * {@link ControlMessages}). The frame header is {@code FrameDecoderFuzzTest}'s target (wal-io): here it is made valid
 * over the input, with the message's type, so that every input reaches the body checks; a frame shorter than a header
 * goes to the decoder as it is. What a decoder accepts is checked against net/PROTOCOL.md sections 4 and 5.3.
 * <p>
 * {@code mvn verify} replays {@code ControlMessageFuzzTestInputs/<message>} (seeds from {@link MessageFuzzSeedsTest},
 * and findings kept as regression inputs); {@code .ci/fuzz} fuzzes (net/PROTOCOL.md section 11).
 */
class ControlMessageFuzzTest implements AutoCloseable
{
    /**
     * Large enough for any status document the fuzzer makes, and for snapshot chunks of up to 64 KiB (a chunk's range
     * checks do not depend on its size); control frames are otherwise small.
     */
    static final int MAX_FRAME_BYTES = 64 * 1024;

    private final FuzzFrame input = new FuzzFrame(MAX_FRAME_BYTES);
    private final FrameDecoder frameDecoder = new FrameDecoder(MAX_FRAME_BYTES);
    private final Map<ControlMessage<?>, ControlMessage.Decoder> decoders = new IdentityHashMap<>();

    @AfterEach
    @Override
    public void close()
    {
        input.close();
    }

    @FuzzTest
    void hello(final byte[] frame)
    {
        decode(ControlMessages.HELLO, frame);
    }

    @FuzzTest
    void welcome(final byte[] frame)
    {
        decode(ControlMessages.WELCOME, frame);
    }

    @FuzzTest
    void ack(final byte[] frame)
    {
        decode(ControlMessages.ACK, frame);
    }

    @FuzzTest
    void nack(final byte[] frame)
    {
        decode(ControlMessages.NACK, frame);
    }

    @FuzzTest
    void heartbeat(final byte[] frame)
    {
        decode(ControlMessages.HEARTBEAT, frame);
    }

    @FuzzTest
    void error(final byte[] frame)
    {
        decode(ControlMessages.ERROR, frame);
    }

    @FuzzTest
    void statusRequest(final byte[] frame)
    {
        decode(ControlMessages.STATUS_REQUEST, frame);
    }

    @FuzzTest
    void dropSlotRequest(final byte[] frame)
    {
        decode(ControlMessages.DROP_SLOT_REQUEST, frame);
    }

    @FuzzTest
    void holdSlotRequest(final byte[] frame)
    {
        decode(ControlMessages.HOLD_SLOT_REQUEST, frame);
    }

    @FuzzTest
    void auditRequest(final byte[] frame)
    {
        decode(ControlMessages.AUDIT_REQUEST, frame);
    }

    @FuzzTest
    void auditResponse(final byte[] frame)
    {
        decode(ControlMessages.AUDIT_RESPONSE, frame);
    }

    @FuzzTest
    void promoteRequest(final byte[] frame)
    {
        decode(ControlMessages.PROMOTE_REQUEST, frame);
    }

    @FuzzTest
    void statusResponse(final byte[] frame)
    {
        decode(ControlMessages.STATUS_RESPONSE, frame);
    }

    @FuzzTest
    void challenge(final byte[] frame)
    {
        decode(ControlMessages.CHALLENGE, frame);
    }

    @FuzzTest
    void auth(final byte[] frame)
    {
        decode(ControlMessages.AUTH, frame);
    }

    @FuzzTest
    void snapshotChunk(final byte[] frame)
    {
        decode(ControlMessages.SNAPSHOT_CHUNK, frame);
    }

    @FuzzTest
    void snapshotEnd(final byte[] frame)
    {
        decode(ControlMessages.SNAPSHOT_END, frame);
    }

    /**
     * Decodes {@code bytes} as a frame of {@code message} and checks what is accepted.
     *
     * @param message the message.
     * @param bytes   the frame; its header is made valid.
     * @return whether the frame was accepted.
     */
    DecoderContract.Outcome decode(final ControlMessage<?> message, final byte[] bytes)
    {
        final ControlMessage.Decoder decoder = decoders.computeIfAbsent(message, ControlMessage::decoder);
        final MemorySegment frame = input.sealed(bytes, message.type());
        return DecoderContract.check(() ->
        {
            if (frame.byteSize() >= FrameHeader.HEADER_LENGTH)
            {
                require(message.type() == frameDecoder.verify(frame), "a sealed frame verified as another type");
            }
            decoder.decode(frame);
        });
    }
}
