package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.DecoderContract.require;

/**
 * Every control message, for the fuzz targets ({@link ControlMessageFuzzTest}) and their seeds
 * ({@link MessageFuzzSeedsTest}). Each one's checks are net/PROTOCOL.md sections 4 and 5.3 read back through the
 * accessors, written apart from the decoder's own validation; its seeds are frames from its production encoder.
 * <p>
 * Adding a message (CHALLENGE, AUTH, SNAPSHOT_CHUNK, SNAPSHOT_END): a constant here with its checks and seeds, added
 * to {@link #ALL}; a {@code @FuzzTest} method of the same name in {@link ControlMessageFuzzTest}; then
 * {@code .ci/fuzz --write-seeds}. {@link MessageFuzzSeedsTest} fails until each step is done.
 */
final class ControlMessages
{
    static final ControlMessage<HelloFlyweight> HELLO = new ControlMessage<>(
        "hello", MessageType.HELLO, HelloFlyweight::new, ControlMessages::checkHello, ControlMessages::helloSeeds);
    static final ControlMessage<WelcomeFlyweight> WELCOME = new ControlMessage<>(
        "welcome", MessageType.WELCOME, WelcomeFlyweight::new, ControlMessages::checkWelcome,
        ControlMessages::welcomeSeeds);
    static final ControlMessage<AckFlyweight> ACK = new ControlMessage<>(
        "ack", MessageType.ACK, AckFlyweight::new, ControlMessages::checkAck, ControlMessages::ackSeeds);
    static final ControlMessage<NackFlyweight> NACK = new ControlMessage<>(
        "nack", MessageType.NACK, NackFlyweight::new, ControlMessages::checkNack, ControlMessages::nackSeeds);
    static final ControlMessage<HeartbeatFlyweight> HEARTBEAT = new ControlMessage<>(
        "heartbeat", MessageType.HEARTBEAT, HeartbeatFlyweight::new, ControlMessages::checkHeartbeat,
        ControlMessages::heartbeatSeeds);
    static final ControlMessage<ErrorFlyweight> ERROR = new ControlMessage<>(
        "error", MessageType.ERROR, ErrorFlyweight::new, ControlMessages::checkError, ControlMessages::errorSeeds);
    static final ControlMessage<StatusRequestFlyweight> STATUS_REQUEST = new ControlMessage<>(
        "statusRequest", MessageType.STATUS_REQUEST, StatusRequestFlyweight::new,
        (request, frame) -> require(StatusRequestFlyweight.LENGTH == frame.byteSize() && Arrays.equals(
            request.copyNonceTo(new byte[StatusRequestFlyweight.NONCE_LENGTH]),
            bytes(frame, StatusRequestFlyweight.NONCE_OFFSET, StatusRequestFlyweight.NONCE_LENGTH)), "the nonce"),
        (request, buffer, sink) -> sink.seed("request", request.encode(buffer, 0, pattern(16, 5))));
    static final ControlMessage<StatusRequestFlyweight> PROMOTE_REQUEST = new ControlMessage<>(
        "promoteRequest", MessageType.PROMOTE_REQUEST, () -> new StatusRequestFlyweight(MessageType.PROMOTE_REQUEST),
        (request, frame) -> require(StatusRequestFlyweight.LENGTH == frame.byteSize() && Arrays.equals(
            request.copyNonceTo(new byte[StatusRequestFlyweight.NONCE_LENGTH]),
            bytes(frame, StatusRequestFlyweight.NONCE_OFFSET, StatusRequestFlyweight.NONCE_LENGTH)), "the nonce"),
        (request, buffer, sink) -> sink.seed("request", request.encode(buffer, 0, pattern(16, 7))));
    static final ControlMessage<DropSlotRequestFlyweight> DROP_SLOT_REQUEST = new ControlMessage<>(
        "dropSlotRequest", MessageType.DROP_SLOT_REQUEST, DropSlotRequestFlyweight::new,
        (request, frame) ->
        {
            require(DropSlotRequestFlyweight.LENGTH == frame.byteSize(), "a DROP_SLOT_REQUEST of " + frame.byteSize());
            require(request.slotId().equals(HelloFlyweight.checkReplicaId(request.slotId())), "slot id");
        },
        (request, buffer, sink) ->
        {
            sink.seed("r1", request.encode(buffer, 0, pattern(16, 11), "r1"));
            sink.seed("longest-id", request.encode(buffer, 0, pattern(16, 3), "s".repeat(64)));
        });
    static final ControlMessage<HoldSlotRequestFlyweight> HOLD_SLOT_REQUEST = new ControlMessage<>(
        "holdSlotRequest", MessageType.HOLD_SLOT_REQUEST, HoldSlotRequestFlyweight::new,
        (request, frame) ->
        {
            require(HoldSlotRequestFlyweight.LENGTH == frame.byteSize(), "a HOLD_SLOT_REQUEST of " + frame.byteSize());
            require(request.slotId().equals(HelloFlyweight.checkReplicaId(request.slotId())), "slot id");
            require(request.nextOffset() == frame.get(FrameHeader.LONG_LE, HoldSlotRequestFlyweight.NEXT_OFFSET_OFFSET),
                "nextOffset is not read from its place");
            requireOffset("nextOffset", request.nextOffset());
        },
        (request, buffer, sink) ->
        {
            sink.seed("archive-0", request.encode(buffer, 0, pattern(16, 19), "archive", 0));
            sink.seed("longest-id-max-offset",
                request.encode(buffer, 0, pattern(16, 23), "a".repeat(64), Long.MAX_VALUE));
        });
    static final ControlMessage<AuditRequestFlyweight> AUDIT_REQUEST = new ControlMessage<>(
        "auditRequest", MessageType.AUDIT_REQUEST, AuditRequestFlyweight::new,
        (request, frame) ->
        {
            require(AuditRequestFlyweight.LENGTH == frame.byteSize(), "an AUDIT_REQUEST of " + frame.byteSize());
            final long from = frame.get(FrameHeader.LONG_LE, 12);
            final int count = frame.get(FrameHeader.INT_LE, 20);
            require(request.fromOffset() == from && request.count() == count &&
                request.chainBefore() == frame.get(FrameHeader.INT_LE, 24) &&
                request.chainAtLast() == frame.get(FrameHeader.INT_LE, 28), "fields not read from their places");
            requireOffset("fromOffset", from);
            require(count >= 1 && count <= AuditRequestFlyweight.MAX_COUNT, "count=" + Integer.toUnsignedString(count));
            requireOffset("last offset", from + count - 1);
        },
        (request, buffer, sink) ->
        {
            sink.seed("first-range", request.wrap(buffer, 0).fromOffset(0).count(4096).chainBefore(0)
                .chainAtLast(0x1234ABCD).seal());
            sink.seed("last-offset", request.wrap(buffer, 0).fromOffset(Long.MAX_VALUE - 1).count(1)
                .chainBefore(-1).chainAtLast(0x7FFF_FFFF).seal());
        });
    static final ControlMessage<AuditResponseFlyweight> AUDIT_RESPONSE = new ControlMessage<>(
        "auditResponse", MessageType.AUDIT_RESPONSE, AuditResponseFlyweight::new,
        (response, frame) ->
        {
            require(AuditResponseFlyweight.LENGTH == frame.byteSize(), "an AUDIT_RESPONSE of " + frame.byteSize());
            final long from = frame.get(FrameHeader.LONG_LE, 12);
            final long at = frame.get(FrameHeader.LONG_LE, 20);
            final int count = frame.get(FrameHeader.INT_LE, 28);
            final int result = frame.get(ValueLayout.JAVA_BYTE, 32) & 0xFF;
            require(response.fromOffset() == from && response.atOffset() == at && response.count() == count &&
                response.result() != null && response.result().value() == result, "fields not read from their places");
            requireOffset("fromOffset", from);
            require(count >= 1 && count <= AuditRequestFlyweight.MAX_COUNT, "count=" + Integer.toUnsignedString(count));
            requireOffset("last offset", from + count - 1);
            require(switch (result)
            {
                case 0, 2 -> at == -1;
                case 1 -> at >= from && at <= from + count - 1;
                case 3 -> at == -1 || at > from;
                default -> false;
            }, "result " + result + " with atOffset=" + at);
        },
        (response, buffer, sink) ->
        {
            sink.seed("match", response.wrap(buffer, 0).fromOffset(0).count(4096)
                .result(AuditResponseFlyweight.Result.MATCH).atOffset(-1).seal());
            sink.seed("damaged", response.wrap(buffer, 0).fromOffset(8192).count(4096)
                .result(AuditResponseFlyweight.Result.DAMAGED).atOffset(9000).seal());
            sink.seed("differs", response.wrap(buffer, 0).fromOffset(100).count(1)
                .result(AuditResponseFlyweight.Result.DIFFERS).atOffset(-1).seal());
            sink.seed("not-held", response.wrap(buffer, 0).fromOffset(0).count(65_536)
                .result(AuditResponseFlyweight.Result.NOT_HELD).atOffset(140_074).seal());
        });
    static final ControlMessage<ChallengeFlyweight> CHALLENGE = new ControlMessage<>(
        "challenge", MessageType.CHALLENGE, ChallengeFlyweight::new,
        (challenge, frame) -> require(ChallengeFlyweight.LENGTH == frame.byteSize() && Arrays.equals(
            challenge.copyNonceTo(new byte[ChallengeFlyweight.NONCE_LENGTH]),
            bytes(frame, ChallengeFlyweight.NONCE_OFFSET, ChallengeFlyweight.NONCE_LENGTH)), "the nonce"),
        (challenge, buffer, sink) -> sink.seed("nonce", challenge.encode(buffer, 0, pattern(16, 9))));
    static final ControlMessage<AuthFlyweight> AUTH = new ControlMessage<>(
        "auth", MessageType.AUTH, AuthFlyweight::new,
        (auth, frame) -> require(AuthFlyweight.LENGTH == frame.byteSize() && Arrays.equals(
            auth.copyProofTo(new byte[AuthFlyweight.PROOF_LENGTH]),
            bytes(frame, AuthFlyweight.PROOF_OFFSET, AuthFlyweight.PROOF_LENGTH)), "the proof"),
        (auth, buffer, sink) -> sink.seed("proof", auth.encode(buffer, 0, pattern(32, 13))));
    static final ControlMessage<StatusResponseFlyweight> STATUS_RESPONSE = new ControlMessage<>(
        "statusResponse", MessageType.STATUS_RESPONSE, StatusResponseFlyweight::new,
        ControlMessages::checkStatusResponse, ControlMessages::statusResponseSeeds);
    static final ControlMessage<SnapshotChunkFlyweight> SNAPSHOT_CHUNK = new ControlMessage<>(
        "snapshotChunk", MessageType.SNAPSHOT_CHUNK, SnapshotChunkFlyweight::new, ControlMessages::checkSnapshotChunk,
        ControlMessages::snapshotChunkSeeds);
    static final ControlMessage<SnapshotEndFlyweight> SNAPSHOT_END = new ControlMessage<>(
        "snapshotEnd", MessageType.SNAPSHOT_END, SnapshotEndFlyweight::new, ControlMessages::checkSnapshotEnd,
        ControlMessages::snapshotEndSeeds);

    /** Every control message. */
    static final List<ControlMessage<?>> ALL = List.of(HELLO, WELCOME, ACK, NACK, HEARTBEAT, ERROR, STATUS_REQUEST,
        STATUS_RESPONSE, CHALLENGE, AUTH, SNAPSHOT_CHUNK, SNAPSHOT_END, PROMOTE_REQUEST, DROP_SLOT_REQUEST,
        HOLD_SLOT_REQUEST, AUDIT_REQUEST, AUDIT_RESPONSE);

    /** The frame types that are not control messages: {@code BATCH} has targets of its own in wal-io. */
    static final List<MessageType> NOT_CONTROL_MESSAGES = List.of(MessageType.BATCH);

    /** The HELLO flags section 4.1 defines: EMPTY_WAL, NO_SYNC, ACCEPTS_SNAPSHOT, PARTIAL_SNAPSHOT, NEEDS_SNAPSHOT. */
    private static final int HELLO_FLAGS = 0b11111;
    /** The partial snapshot fields after a HELLO's replica id: three u64 and a u32. */
    private static final int HELLO_PARTIAL_BYTES = 3 * Long.BYTES + Integer.BYTES;

    private static final long HISTORY_ID_HI = 0x0123456789ABCDEFL;
    private static final long HISTORY_ID_LO = 0x7EDCBA9876543210L;
    /** The size of the snapshot the chunk seeds are cut from. */
    private static final int SNAPSHOT_BYTES = 4096;

    private ControlMessages()
    {
    }

    private static void checkHello(final HelloFlyweight hello, final MemorySegment frame)
    {
        final int idLength = hello.replicaIdLength();
        require(idLength >= 1 && idLength <= HelloFlyweight.MAX_REPLICA_ID_LENGTH, "idLength=" + idLength);
        final int flags = hello.flags();
        require(0 == (flags & ~HELLO_FLAGS), "flags=0x" + Integer.toHexString(flags));
        final boolean accepts = 0 != (flags & HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG);
        final boolean partial = 0 != (flags & HelloFlyweight.PARTIAL_SNAPSHOT_FLAG);
        require(accepts || !partial,
            "PARTIAL_SNAPSHOT without ACCEPTS_SNAPSHOT: flags=0x" + Integer.toHexString(flags));
        require(!hello.needsSnapshot() || (accepts && hello.emptyWal()),
            "NEEDS_SNAPSHOT without ACCEPTS_SNAPSHOT and EMPTY_WAL: flags=0x" + Integer.toHexString(flags));
        require(hello.epochStartOffset() >= 0, "epochStartOffset=" + hello.epochStartOffset());
        final long idEnd = HelloFlyweight.REPLICA_ID_OFFSET + idLength;
        require(frame.byteSize() == idEnd + (partial ? HELLO_PARTIAL_BYTES : 0),
            "a HELLO of " + frame.byteSize() + " bytes with idLength=" + idLength + ", partial " + partial);
        final String replicaId = hello.replicaId();
        require(replicaId.length() == idLength, "replicaId '" + replicaId + "' of idLength=" + idLength);
        for (int i = 0; i < idLength; i++)
        {
            final char c = replicaId.charAt(i);
            require((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                '.' == c || '_' == c || '-' == c, "replicaId char 0x" + Integer.toHexString(c));
        }
        require(hello.protocolVersion() >= 1 && hello.protocolVersion() <= 0xFFFF,
            "protocolVersion=" + hello.protocolVersion());
        final int codecMask = hello.codecMask();
        require(0 != (codecMask & 1) && 0 == (codecMask >>> Codec.values().length), "codecMask=0x" +
            Integer.toHexString(codecMask));
        for (final Codec codec : Codec.values())
        {
            require(hello.supportsCodec(codec) == (0 != (codecMask & (1 << codec.id()))), "supportsCodec " + codec);
        }
        require(hello.emptyWal() == (0 != (flags & HelloFlyweight.EMPTY_WAL_FLAG)) &&
            hello.noSync() == (0 != (flags & HelloFlyweight.NO_SYNC_FLAG)) &&
            hello.acceptsSnapshot() == accepts && hello.partialSnapshot() == partial,
            "emptyWal/noSync/acceptsSnapshot/partialSnapshot of flags=0x" + Integer.toHexString(flags));
        requireOffset("epoch", hello.epoch());
        requireOffset("nextOffset", hello.nextOffset());
        require(Arrays.equals(hello.copyNonceTo(new byte[HelloFlyweight.NONCE_LENGTH]),
            bytes(frame, HelloFlyweight.NONCE_OFFSET, HelloFlyweight.NONCE_LENGTH)), "nonce");
        if (partial)
        {
            final long snapshotOffset = frame.get(FrameHeader.LONG_LE, idEnd);
            final long totalBytes = frame.get(FrameHeader.LONG_LE, idEnd + 8);
            final long bytesHeld = frame.get(FrameHeader.LONG_LE, idEnd + 16);
            final int crc = frame.get(FrameHeader.INT_LE, idEnd + 24);
            require(hello.partialSnapshotOffset() == snapshotOffset && hello.partialTotalBytes() == totalBytes &&
                hello.partialBytesHeld() == bytesHeld && hello.partialCrc() == crc,
                "the partial snapshot fields are not read from after the replica id");
            requireOffset("partialSnapshotOffset", snapshotOffset);
            requireOffset("partialTotalBytes", totalBytes);
            requireOffset("partialBytesHeld", bytesHeld);
            require(bytesHeld <= totalBytes, "partialBytesHeld=" + bytesHeld + " beyond partialTotalBytes=" +
                totalBytes);
        }
    }

    private static void helloSeeds(
        final HelloFlyweight hello, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        final byte[] nonce = pattern(HelloFlyweight.NONCE_LENGTH, 3);
        sink.seed("resuming", hello.wrap(buffer, 0)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.SNAPPY, Codec.ZSTD))
            .flags(0)
            .epoch(2)
            .nextOffset(500)
            .lastChain(0xCAFEL)
            .historyIdHi(HISTORY_ID_HI)
            .historyIdLo(HISTORY_ID_LO)
            .nonce(nonce)
            .replicaId("replica-1")
            .seal());
        sink.seed("empty-wal", hello.encode(buffer, 0, FrameHeader.VERSION, HelloFlyweight.codecMask(Codec.NONE),
            HelloFlyweight.EMPTY_WAL_FLAG, 0, 0, 0, 0, nonce, "r"));
        sink.seed("no-sync-longest-id", hello.wrap(buffer, 0)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.ZSTD))
            .flags(HelloFlyweight.NO_SYNC_FLAG)
            .epoch(Long.MAX_VALUE)
            .nextOffset(Long.MAX_VALUE)
            .lastChain(HelloFlyweight.NO_LAST_CHAIN)
            .historyIdHi(HISTORY_ID_HI)
            .historyIdLo(HISTORY_ID_LO)
            .nonce(nonce)
            .replicaId("eu-west_1.replica-" + "x".repeat(HelloFlyweight.MAX_REPLICA_ID_LENGTH - 18))
            .seal());
        sink.seed("accepts-snapshot", hello.encode(buffer, 0, FrameHeader.VERSION,
            HelloFlyweight.codecMask(Codec.SNAPPY, Codec.ZSTD), HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG, 2, 40,
            HISTORY_ID_HI, HISTORY_ID_LO, nonce, "kv-replica"));
        sink.seed("partial-snapshot", hello.wrap(buffer, 0)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.ZSTD))
            .flags(HelloFlyweight.EMPTY_WAL_FLAG | HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG)
            .epoch(0)
            .nextOffset(0)
            .lastChain(HelloFlyweight.NO_LAST_CHAIN)
            .historyIdHi(0)
            .historyIdLo(0)
            .nonce(nonce)
            .replicaId("kv-replica")
            .partial(9_000, 3L << 20, 1L << 20, 0x5EED_C0DE)
            .seal());
        sink.seed("partial-snapshot-longest-id", hello.wrap(buffer, 0)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.NONE))
            .flags(HelloFlyweight.NO_SYNC_FLAG)
            .epoch(Long.MAX_VALUE)
            .nextOffset(Long.MAX_VALUE)
            .lastChain(HelloFlyweight.NO_LAST_CHAIN)
            .historyIdHi(HISTORY_ID_HI)
            .historyIdLo(HISTORY_ID_LO)
            .nonce(nonce)
            .replicaId("p".repeat(HelloFlyweight.MAX_REPLICA_ID_LENGTH))
            .partial(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, -1)
            .seal());
    }

    private static void checkWelcome(final WelcomeFlyweight welcome, final MemorySegment frame)
    {
        require(WelcomeFlyweight.LENGTH == frame.byteSize(), "a WELCOME of " + frame.byteSize() + " bytes");
        require(null != welcome.codec() && null != welcome.mode(), "codec " + welcome.codec() + " mode " +
            welcome.mode());
        require(0 == frame.get(FrameHeader.SHORT_LE, WelcomeFlyweight.RESERVED_OFFSET), "reserved");
        require(welcome.maxFrameBytes() >= FrameHeader.MAX_FRAME_BYTES_MIN &&
            welcome.maxFrameBytes() <= FrameHeader.MAX_FRAME_BYTES_MAX, "maxFrameBytes=" + welcome.maxFrameBytes());
        requireOffset("startOffset", welcome.startOffset());
        requireOffset("headOffset", welcome.headOffset());
        require(welcome.startOffset() <= welcome.headOffset(), "startOffset beyond headOffset");
        requireOffset("epoch", welcome.epoch());
        require(welcome.chainBefore() >= -1 && welcome.chainBefore() <= 0xFFFF_FFFFL, "chainBefore");
        requireOffset("epochStartOffset", welcome.epochStartOffset());
        final String node = welcome.epochNode();
        require(node.isEmpty() || node.equals(HelloFlyweight.checkReplicaId(node)), "epochNode " + node);
        final byte[] proof = welcome.copyProofTo(new byte[WelcomeFlyweight.PROOF_LENGTH]);
        require(welcome.proofIsZero() == Arrays.equals(proof, new byte[proof.length]), "proof");
    }

    private static void welcomeSeeds(
        final WelcomeFlyweight welcome, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        sink.seed("stream", welcome.encode(buffer, 0, Codec.ZSTD, WelcomeFlyweight.Mode.STREAM,
            FrameHeader.MAX_FRAME_BYTES_DEFAULT, 500, 1_000, 2, HISTORY_ID_HI, HISTORY_ID_LO,
            new byte[WelcomeFlyweight.PROOF_LENGTH]));
        sink.seed("snapshot-signed", welcome.encode(buffer, 0, Codec.SNAPPY, WelcomeFlyweight.Mode.SNAPSHOT,
            FrameHeader.MAX_FRAME_BYTES_MAX, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, HISTORY_ID_HI,
            HISTORY_ID_LO, pattern(WelcomeFlyweight.PROOF_LENGTH, 5)));
        welcome.wrap(buffer, 0).codec(Codec.NONE).mode(WelcomeFlyweight.Mode.TRUNCATE).maxFrameBytes(1 << 20)
            .startOffset(1_000).headOffset(1_200).epoch(3).historyIdHi(HISTORY_ID_HI).historyIdLo(HISTORY_ID_LO)
            .chainBefore(0xFFFF_FFFFL).epochStartOffset(1_000).epochNode("r".repeat(WelcomeFlyweight.MAX_EPOCH_NODE_LENGTH))
            .proof(pattern(WelcomeFlyweight.PROOF_LENGTH, 9));
        sink.seed("truncate-longest-node", welcome.seal());
    }

    private static void checkAck(final AckFlyweight ack, final MemorySegment frame)
    {
        require(AckFlyweight.LENGTH == frame.byteSize(), "an ACK of " + frame.byteSize() + " bytes");
        requireOffset("receivedOffset", ack.receivedOffset());
        requireOffset("durableOffset", ack.durableOffset());
        requireOffset("appliedOffset", ack.appliedOffset());
        require(ack.durableOffset() <= ack.receivedOffset() && ack.appliedOffset() <= ack.receivedOffset(),
            "durable or applied beyond received: " + ack);
    }

    private static void ackSeeds(final AckFlyweight ack, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        sink.seed("applied-ahead-of-durable", ack.encode(buffer, 0, 1_000, 900, 950, 1_700_000_000_000_000_000L));
        sink.seed("nothing-yet", ack.encode(buffer, 0, 0, 0, 0, 0));
    }

    private static void checkNack(final NackFlyweight nack, final MemorySegment frame)
    {
        require(NackFlyweight.LENGTH == frame.byteSize(), "a NACK of " + frame.byteSize() + " bytes");
        requireOffset("resendFrom", nack.resendFrom());
        require(null != nack.reason() && nack.reason().value() == nack.reasonCode(), "reasonCode=" +
            nack.reasonCode());
    }

    private static void nackSeeds(final NackFlyweight nack, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        sink.seed("checksum", nack.encode(buffer, 0, 700, ErrorCode.CHECKSUM));
        sink.seed("sequence-gap", nack.encode(buffer, 0, Long.MAX_VALUE, ErrorCode.SEQUENCE_GAP));
    }

    private static void checkHeartbeat(final HeartbeatFlyweight heartbeat, final MemorySegment frame)
    {
        require(HeartbeatFlyweight.LENGTH == frame.byteSize(), "a HEARTBEAT of " + frame.byteSize() + " bytes");
        requireOffset("headOffset", heartbeat.headOffset());
    }

    private static void heartbeatSeeds(
        final HeartbeatFlyweight heartbeat, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        sink.seed("head", heartbeat.encode(buffer, 0, 1_000, 1_700_000_000_000_000_000L));
    }

    private static void checkError(final ErrorFlyweight error, final MemorySegment frame)
    {
        require(null != error.code() && error.code().value() == error.codeValue(), "code=" + error.codeValue());
        final int messageLength = error.messageLength();
        require(messageLength <= ErrorFlyweight.MAX_MESSAGE_LENGTH, "messageLength=" + messageLength);
        require(frame.byteSize() == ErrorFlyweight.length(messageLength) +
            (error.hasProof() ? ErrorFlyweight.PROOF_LENGTH : 0),
            "an ERROR of " + frame.byteSize() + " bytes with messageLength=" + messageLength + ", proof " +
            error.hasProof());
        requireUtf8("message", error.message(), frame, ErrorFlyweight.MESSAGE_OFFSET, messageLength);
    }

    private static void errorSeeds(
        final ErrorFlyweight error, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        sink.seed("retention", error.encode(buffer, 0, ErrorCode.RETENTION,
            "replica r1 asks for offset 7, deleted by retention; the oldest retained offset is 70"));
        sink.seed("utf8", error.encode(buffer, 0, ErrorCode.DIVERGED, "r\u00e9sum\u00e9 \u2014 \uD83D\uDEA2"));
        sink.seed("empty", error.encode(buffer, 0, ErrorCode.CONNECTION, ""));
        error.wrap(buffer, 0).code(ErrorCode.DIVERGED).message("history differs").withProof();
        buffer.asSlice(ErrorFlyweight.length(error.messageLength()), ErrorFlyweight.PROOF_LENGTH)
            .copyFrom(MemorySegment.ofArray(pattern(ErrorFlyweight.PROOF_LENGTH, 17)));
        sink.seed("proven", error.seal());
    }

    private static void checkStatusResponse(final StatusResponseFlyweight response, final MemorySegment frame)
    {
        final long jsonLength = response.jsonLength();
        require(frame.byteSize() == StatusResponseFlyweight.length(jsonLength),
            "a STATUS_RESPONSE of " + frame.byteSize() + " bytes with jsonLength=" + jsonLength);
        require(response.part() < response.parts(), "part " + response.part() + " of " + response.parts());
        require(response.jsonOffset() == StatusResponseFlyweight.JSON_OFFSET, "jsonOffset");
        requireUtf8("json", response.json(), frame, StatusResponseFlyweight.JSON_OFFSET, (int)jsonLength);
    }

    private static void statusResponseSeeds(
        final StatusResponseFlyweight response, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        final byte[] json = ("{\"head\":1000,\"oldest\":100,\"epoch\":2,\"replicas\":[{\"id\":\"r1\",\"durable\":900," +
            "\"note\":\"r\u00e9sum\u00e9 \uD83D\uDEA2\"}]}").getBytes(StandardCharsets.UTF_8);
        sink.seed("status", response.part(buffer, 0, 0, 1, json, 0, json.length).seal());
        sink.seed("second-of-three", response.part(buffer, 0, 1, 3, json, 10, 20).seal());
        sink.seed("empty", response.part(buffer, 0, 0, 1, json, 0, 0).seal());
    }

    private static void checkSnapshotChunk(final SnapshotChunkFlyweight chunk, final MemorySegment frame)
    {
        final long length = frame.byteSize();
        require(length > SnapshotChunkFlyweight.DATA_OFFSET, "a SNAPSHOT_CHUNK of " + length + " bytes, no data");
        final long snapshotOffset = frame.get(FrameHeader.LONG_LE, SnapshotChunkFlyweight.SNAPSHOT_OFFSET_OFFSET);
        final long totalBytes = frame.get(FrameHeader.LONG_LE, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET);
        final int snapshotCrc = frame.get(FrameHeader.INT_LE, SnapshotChunkFlyweight.SNAPSHOT_CRC_OFFSET);
        final int codecId = frame.get(FrameHeader.BYTE, SnapshotChunkFlyweight.CODEC_OFFSET) & 0xFF;
        final long byteOffset = frame.get(FrameHeader.LONG_LE, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET);
        final long rawLength =
            Integer.toUnsignedLong(frame.get(FrameHeader.INT_LE, SnapshotChunkFlyweight.RAW_LENGTH_OFFSET));
        final int rawCrc = frame.get(FrameHeader.INT_LE, SnapshotChunkFlyweight.RAW_CRC_OFFSET);
        require(chunk.snapshotOffset() == snapshotOffset && chunk.totalBytes() == totalBytes &&
            chunk.snapshotCrc() == snapshotCrc && chunk.byteOffset() == byteOffset &&
            chunk.rawLength() == (int)rawLength && chunk.rawCrc() == rawCrc, "the accessors do not read the layout");

        requireOffset("snapshotOffset", snapshotOffset);
        requireOffset("totalBytes", totalBytes);
        requireOffset("byteOffset", byteOffset);
        final Codec codec = chunk.codec();
        require(null != codec && codec.id() == codecId, "codec id " + codecId + " read as " + codec);
        require(0 == frame.get(FrameHeader.BYTE, SnapshotChunkFlyweight.RESERVED_BYTE_OFFSET) &&
            0 == frame.get(FrameHeader.SHORT_LE, SnapshotChunkFlyweight.RESERVED_OFFSET), "reserved");
        require(rawLength >= 1 && rawLength <= SnapshotChunkFlyweight.MAX_RAW_LENGTH, "rawLength=" + rawLength);
        // byteOffset + rawLength <= totalBytes, without the sum (it may pass 2^63)
        require(byteOffset <= totalBytes && totalBytes - byteOffset >= rawLength,
            "byteOffset=" + byteOffset + " + rawLength=" + rawLength + " past totalBytes=" + totalBytes);
        require(chunk.dataOffset() == SnapshotChunkFlyweight.DATA_OFFSET &&
            chunk.dataLength() == length - SnapshotChunkFlyweight.DATA_OFFSET,
            "data at " + chunk.dataOffset() + ", " + chunk.dataLength() + " bytes, in a frame of " + length);
        require(Codec.NONE != codec || chunk.dataLength() == rawLength,
            "a NONE chunk of " + chunk.dataLength() + " bytes with rawLength=" + rawLength);
    }

    /**
     * Chunks of a snapshot of {@value #SNAPSHOT_BYTES} bytes: the first and the last piece as they are, one compressed
     * with each other codec, and one at the edges of every range.
     */
    private static void snapshotChunkSeeds(
        final SnapshotChunkFlyweight chunk, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        final byte[] snapshot = snapshotBytes();
        final int snapshotCrc = crc32c(snapshot, 0, snapshot.length);
        final int piece = 1024;
        sink.seed("none-first", chunk(chunk, buffer, snapshot, snapshotCrc, Codec.NONE, 0, piece));
        sink.seed("none-last",
            chunk(chunk, buffer, snapshot, snapshotCrc, Codec.NONE, snapshot.length - piece / 2, piece / 2));
        sink.seed("snappy", chunk(chunk, buffer, snapshot, snapshotCrc, Codec.SNAPPY, piece, piece));
        sink.seed("zstd", chunk(chunk, buffer, snapshot, snapshotCrc, Codec.ZSTD, 2 * piece, piece));

        chunk.header(buffer, 0, Long.MAX_VALUE, Long.MAX_VALUE, -1, Codec.NONE, Long.MAX_VALUE - 1, 1, 0, 1);
        buffer.set(FrameHeader.BYTE, SnapshotChunkFlyweight.DATA_OFFSET, (byte)0x7F);
        sink.seed("edges", chunk.seal());
    }

    /**
     * @return {@value #SNAPSHOT_BYTES} bytes that compress, as a key-value snapshot does.
     */
    private static byte[] snapshotBytes()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < SNAPSHOT_BYTES; i++)
        {
            text.append("key-").append(i).append("=value-").append(i * 7 % 13).append(';');
        }
        return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), SNAPSHOT_BYTES);
    }

    /**
     * Encodes a chunk as a primary does: its raw bytes compressed with {@code codec} (as they are for NONE), the
     * header, the data copied in, sealed.
     *
     * @return the frame length.
     */
    private static int chunk(final SnapshotChunkFlyweight chunk, final MemorySegment buffer, final byte[] snapshot,
        final int snapshotCrc, final Codec codec, final int from, final int rawLength)
    {
        try (Arena arena = Arena.ofConfined(); Compressor compressor = Compressors.of(codec))
        {
            final MemorySegment raw = arena.allocate(rawLength);
            MemorySegment.copy(snapshot, from, raw, ValueLayout.JAVA_BYTE, 0, rawLength);
            final MemorySegment data = arena.allocate(compressor.maxCompressedLength(rawLength));
            final int dataLength = compressor.compress(raw, data);
            chunk.header(buffer, 0, 9_000, snapshot.length, snapshotCrc, codec, from, rawLength,
                crc32c(snapshot, from, rawLength), dataLength);
            MemorySegment.copy(data, 0, buffer, SnapshotChunkFlyweight.DATA_OFFSET, dataLength);
            return chunk.seal();
        }
    }

    private static void checkSnapshotEnd(final SnapshotEndFlyweight end, final MemorySegment frame)
    {
        require(SnapshotEndFlyweight.LENGTH == frame.byteSize(), "a SNAPSHOT_END of " + frame.byteSize() + " bytes");
        final long snapshotOffset = frame.get(FrameHeader.LONG_LE, SnapshotEndFlyweight.SNAPSHOT_OFFSET_OFFSET);
        final long totalBytes = frame.get(FrameHeader.LONG_LE, SnapshotEndFlyweight.TOTAL_BYTES_OFFSET);
        require(end.snapshotOffset() == snapshotOffset && end.totalBytes() == totalBytes &&
            end.snapshotCrc() == frame.get(FrameHeader.INT_LE, SnapshotEndFlyweight.SNAPSHOT_CRC_OFFSET),
            "the accessors do not read the layout");
        requireOffset("snapshotOffset", snapshotOffset);
        requireOffset("totalBytes", totalBytes);
    }

    private static void snapshotEndSeeds(
        final SnapshotEndFlyweight end, final MemorySegment buffer, final ControlMessage.Sink sink)
    {
        final byte[] snapshot = snapshotBytes();
        sink.seed("end", end.encode(buffer, 0, 9_000, snapshot.length, crc32c(snapshot, 0, snapshot.length)));
        sink.seed("edges", end.encode(buffer, 0, Long.MAX_VALUE, Long.MAX_VALUE, -1));
    }

    private static void requireOffset(final String field, final long value)
    {
        require(value >= 0, field + "=" + Long.toUnsignedString(value) + " is above 2^63 - 1");
    }

    /**
     * A string accepted as well-formed UTF-8 decodes without replacement and encodes back to the very bytes.
     */
    private static void requireUtf8(
        final String field, final String value, final MemorySegment frame, final long offset, final int length)
    {
        require(Arrays.equals(value.getBytes(StandardCharsets.UTF_8), bytes(frame, offset, length)),
            field + " accepted as UTF-8 does not round-trip: '" + value + "'");
    }

    private static byte[] bytes(final MemorySegment frame, final long offset, final int length)
    {
        return frame.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static int crc32c(final byte[] bytes, final int from, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int)crc.getValue();
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i * 7);
        }
        return bytes;
    }
}
