package dev.ferry.engine.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.error.ErrorCode;
import dev.ferry.net.message.StatusResponseFlyweight;
import dev.ferry.wal.frame.DecoderContract;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.FuzzFrame;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.ferry.wal.frame.DecoderContract.require;

/**
 * Coverage-guided fuzzing (Jazzer) of what {@code ferry status} does with the bytes a primary answers: the
 * {@code STATUS_RESPONSE} body, read as a status document ({@link StatusDocuments#read}) and printed
 * ({@link StatusCommand#print}). The input is the document: the harness puts it in a frame (its length, a valid
 * header), whose own decoder is {@code ControlMessageFuzzTest.statusResponse}'s target.
 * <p>
 * {@link StatusDocuments#read} documents {@code PROTOCOL} for a document that is not a status; a status it accepts has
 * every field {@link PrimaryStatus} and {@link ReplicaStatus} describe (no missing id, state or list), and prints.
 * <p>
 * {@code mvn verify} replays {@code StatusDocumentFuzzTestInputs/statusDocument} (seeds from
 * {@link StatusDocumentFuzzSeedsTest}, and findings kept as regression inputs); {@code .ci/fuzz} fuzzes
 * (net/PROTOCOL.md section 11).
 */
class StatusDocumentFuzzTest implements AutoCloseable
{
    /** The frame limit {@code StatusClient} reads with. */
    static final int MAX_FRAME_BYTES = 2 * FrameHeader.MAX_FRAME_BYTES_DEFAULT;

    private final FuzzFrame input = new FuzzFrame(MAX_FRAME_BYTES);
    private final StatusResponseFlyweight response = new StatusResponseFlyweight();
    private final PrintStream out = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);

    @AfterEach
    @Override
    public void close()
    {
        input.close();
    }

    @FuzzTest
    void statusDocument(final byte[] document)
    {
        decode(document);
    }

    /**
     * Reads {@code document}, carried in a {@code STATUS_RESPONSE}, and prints it.
     *
     * @param document the JSON document's bytes.
     * @return whether it was accepted.
     */
    DecoderContract.Outcome decode(final byte[] document)
    {
        // one part of one, the proof (the status client checks it before this) left zero
        final byte[] bytes = new byte[(int)StatusResponseFlyweight.length(document.length)];
        System.arraycopy(document, 0, bytes, StatusResponseFlyweight.JSON_OFFSET, document.length);
        final MemorySegment frame = input.copy(bytes);
        final int jsonLength = (int)(frame.byteSize() - StatusResponseFlyweight.length(0));
        frame.set(FrameHeader.SHORT_LE, StatusResponseFlyweight.PARTS_OFFSET, (short)1);
        frame.set(FrameHeader.INT_LE, StatusResponseFlyweight.JSON_LENGTH_OFFSET, jsonLength);
        input.seal(frame, MessageType.STATUS_RESPONSE);
        return DecoderContract.check(() ->
        {
            final String json = response.decode(frame).json();
            require(json.equals(new String(frame.asSlice(StatusResponseFlyweight.JSON_OFFSET, jsonLength)
                .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)), "json() differs from the body");
            final PrimaryStatus status = StatusDocuments.read(json);
            check(status);
            StatusCommand.print(status, out);
        }, ErrorCode.PROTOCOL);
    }

    private static void check(final PrimaryStatus status)
    {
        require(null != status, "no status");
        require(null != status.historyId() && null != status.sync(), "historyId or sync missing: " + status);
        require(null != status.replicas(), "replicas missing: " + status);
        for (final ReplicaStatus replica : status.replicas())
        {
            require(null != replica, "a null replica: " + status);
            require(null != replica.id() && null != replica.remote() && null != replica.state(),
                "a replica without id, remote or state: " + replica);
        }
    }
}
