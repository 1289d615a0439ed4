package dev.ferry.net.message;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.FrameHeader.BYTE;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;
import static dev.ferry.wal.frame.FrameHeader.SHORT_LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every message encodes, passes {@code FrameDecoder.verify}, decodes and reads back the same fields, at an aligned and
 * an unaligned frame offset; the layout constants match {@code net/PROTOCOL.md}.
 */
class MessageRoundTripTest
{
    private final MessageFixtures fixtures = new MessageFixtures();

    @AfterEach
    void after()
    {
        fixtures.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripHello(final long offset)
    {
        final byte[] nonce = new byte[HelloFlyweight.NONCE_LENGTH];
        for (int i = 0; i < nonce.length; i++)
        {
            nonce[i] = (byte)(0xA0 + i * 7);
        }
        final String replicaId = "replica-1.eu_west-" + "x".repeat(64 - 18);
        final int codecMask = HelloFlyweight.codecMask(Codec.SNAPPY, Codec.ZSTD);

        final HelloFlyweight encoder = new HelloFlyweight();
        final int length = encoder.encode(
            fixtures.buffer, offset, FrameHeader.VERSION, codecMask, HelloFlyweight.EMPTY_WAL_FLAG, 42, Long.MAX_VALUE,
            0x0123456789ABCDEFL, 0xFEDCBA9876543210L, nonce, replicaId);

        assertEquals(HelloFlyweight.MAX_LENGTH - HelloFlyweight.PARTIAL_LENGTH, length);
        assertEquals(HelloFlyweight.NO_LAST_CHAIN, encoder.lastChain(), "encode writes an unknown last entry");
        fixtures.verify(offset, length, MessageType.HELLO);
        final HelloFlyweight hello = new HelloFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(FrameHeader.VERSION, hello.protocolVersion());
        assertEquals(0b111, hello.codecMask());
        assertTrue(hello.supportsCodec(Codec.NONE));
        assertTrue(hello.supportsCodec(Codec.ZSTD));
        assertTrue(hello.emptyWal());
        assertFalse(hello.noSync());
        assertFalse(hello.acceptsSnapshot());
        assertFalse(hello.partialSnapshot());
        assertEquals(42, hello.epoch());
        assertEquals(Long.MAX_VALUE, hello.nextOffset());
        assertEquals(HelloFlyweight.NO_LAST_CHAIN, hello.lastChain());
        assertEquals(0x0123456789ABCDEFL, hello.historyIdHi());
        assertEquals(0xFEDCBA9876543210L, hello.historyIdLo());
        assertArrayEquals(nonce, hello.copyNonceTo(new byte[HelloFlyweight.NONCE_LENGTH]));
        assertEquals(64, hello.replicaIdLength());
        assertEquals(replicaId, hello.replicaId());
        assertEquals(length, hello.frameLength());
    }

    @Test
    void shouldRoundTripShortestHelloWithFluentSetters()
    {
        final HelloFlyweight hello = new HelloFlyweight().wrap(fixtures.buffer, 0)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.NONE))
            .flags(HelloFlyweight.NO_SYNC_FLAG)
            .epoch(0)
            .nextOffset(0)
            .lastChain(0xCAFEL)
            .historyIdHi(0)
            .historyIdLo(0)
            .nonce(new byte[HelloFlyweight.NONCE_LENGTH])
            .replicaId("r");
        final int length = hello.seal();

        assertEquals(HelloFlyweight.MIN_LENGTH, length);
        fixtures.verify(0, length, MessageType.HELLO);
        final HelloFlyweight decoded = new HelloFlyweight().decode(fixtures.buffer.asSlice(0, length));
        assertEquals("r", decoded.replicaId());
        assertEquals(1, decoded.codecMask());
        assertFalse(decoded.supportsCodec(Codec.SNAPPY));
        assertFalse(decoded.emptyWal());
        assertTrue(decoded.noSync());
        assertEquals(0xCAFEL, decoded.lastChain());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripHelloWithAPartialSnapshot(final long offset)
    {
        final String replicaId = "p".repeat(HelloFlyweight.MAX_REPLICA_ID_LENGTH);
        final int length = new HelloFlyweight().wrap(fixtures.buffer, offset)
            .protocolVersion(FrameHeader.VERSION)
            .codecMask(HelloFlyweight.codecMask(Codec.ZSTD))
            .flags(HelloFlyweight.NO_SYNC_FLAG)
            .epoch(3)
            .nextOffset(0)
            .lastChain(HelloFlyweight.NO_LAST_CHAIN)
            .historyIdHi(1)
            .historyIdLo(2)
            .nonce(new byte[HelloFlyweight.NONCE_LENGTH])
            .replicaId(replicaId)
            .partial(9_000, Long.MAX_VALUE, 1L << 20, 0xCAFEF00D)
            .seal();

        assertEquals(HelloFlyweight.MAX_LENGTH, length, "the longest id and the partial snapshot fields");
        fixtures.verify(offset, length, MessageType.HELLO);
        final HelloFlyweight hello = new HelloFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(HelloFlyweight.NO_SYNC_FLAG | HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG |
            HelloFlyweight.PARTIAL_SNAPSHOT_FLAG, hello.flags(), "partial() sets both snapshot flags");
        assertTrue(hello.noSync());
        assertTrue(hello.acceptsSnapshot());
        assertTrue(hello.partialSnapshot());
        assertFalse(hello.emptyWal());
        assertEquals(replicaId, hello.replicaId());
        assertEquals(9_000, hello.partialSnapshotOffset());
        assertEquals(Long.MAX_VALUE, hello.partialTotalBytes());
        assertEquals(1L << 20, hello.partialBytesHeld());
        assertEquals(0xCAFEF00D, hello.partialCrc());
        assertEquals(length, hello.frameLength());
        final long trailer = offset + HelloFlyweight.length(replicaId.length());
        assertEquals(9_000L, fixtures.buffer.get(LONG_LE, trailer), "the trailer follows the replica id");
        assertEquals(0xCAFEF00D, fixtures.buffer.get(INT_LE, trailer + 24));

        // a replica that accepts a snapshot and holds none sends the flag alone, and no trailer
        final int plain = new HelloFlyweight().encode(fixtures.buffer, offset, FrameHeader.VERSION, 1,
            HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG, 0, 0, 0, 0, new byte[HelloFlyweight.NONCE_LENGTH], "r");
        assertEquals(HelloFlyweight.MIN_LENGTH, plain);
        final HelloFlyweight accepting = new HelloFlyweight().decode(fixtures.buffer, offset, plain);
        assertTrue(accepting.acceptsSnapshot());
        assertFalse(accepting.partialSnapshot());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripSnapshotChunkOfEveryCodec(final long offset)
    {
        final byte[] snapshot = new byte[3000];
        for (int i = 0; i < snapshot.length; i++)
        {
            snapshot[i] = (byte)("abcabcabd".charAt(i % 9) + i / 500);
        }
        final int snapshotCrc = crc32c(snapshot, 0, snapshot.length);
        final SnapshotChunkFlyweight encoder = new SnapshotChunkFlyweight();
        final SnapshotChunkFlyweight decoder = new SnapshotChunkFlyweight();
        final MemorySegment raw = fixtures.arena.allocate(SnapshotChunkFlyweight.MAX_RAW_LENGTH);
        final MemorySegment received = fixtures.arena.allocate(SnapshotChunkFlyweight.MAX_RAW_LENGTH);
        for (final Codec codec : Codec.values())
        {
            try (Compressor compressor = Compressors.of(codec))
            {
                // the chunks of the whole snapshot, in order, each starting where the one before ended
                final ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (int from = 0; from < snapshot.length; from += 1000)
                {
                    final int rawLength = Math.min(1000, snapshot.length - from);
                    MemorySegment.copy(snapshot, from, raw, ValueLayout.JAVA_BYTE, 0, rawLength);
                    final long dataAt = offset + SnapshotChunkFlyweight.DATA_OFFSET;
                    final int dataLength = compressor.compress(
                        raw, 0, rawLength, fixtures.buffer, dataAt, compressor.maxCompressedLength(rawLength));
                    final int length = encoder.header(fixtures.buffer, offset, 77, snapshot.length, snapshotCrc,
                        codec, from, rawLength, crc32c(snapshot, from, rawLength), dataLength).seal();

                    assertEquals(SnapshotChunkFlyweight.length(dataLength), length);
                    assertEquals(dataLength, encoder.dataLength());
                    fixtures.verify(offset, length, MessageType.SNAPSHOT_CHUNK);
                    final SnapshotChunkFlyweight chunk = decoder.decode(fixtures.buffer, offset, length);
                    assertEquals(77, chunk.snapshotOffset());
                    assertEquals(snapshot.length, chunk.totalBytes());
                    assertEquals(snapshotCrc, chunk.snapshotCrc());
                    assertEquals(codec, chunk.codec());
                    assertEquals(from, chunk.byteOffset());
                    assertEquals(rawLength, chunk.rawLength());
                    assertEquals(dataAt, chunk.dataOffset());
                    assertEquals(dataLength, chunk.dataLength());
                    assertEquals("SNAPSHOT_CHUNK[snapshotOffset=77, totalBytes=3000, codec=" + codec + ", byteOffset=" +
                        from + ", rawLength=" + rawLength + ", dataLength=" + dataLength + "]", chunk.toString());

                    compressor.decompress(chunk.buffer(), chunk.dataOffset(), chunk.dataLength(), received, 0,
                        chunk.rawLength());
                    final byte[] bytes = received.asSlice(0, chunk.rawLength()).toArray(ValueLayout.JAVA_BYTE);
                    assertEquals(chunk.rawCrc(), crc32c(bytes, 0, bytes.length));
                    joined.writeBytes(bytes);
                }
                assertArrayEquals(snapshot, joined.toByteArray(), codec.toString());
                if (Codec.NONE != codec)
                {
                    assertTrue(encoder.dataLength() < encoder.rawLength(), codec + " compressed nothing");
                }
            }
        }
    }

    @Test
    void shouldRoundTripTheLargestSnapshotChunk()
    {
        final int max = SnapshotChunkFlyweight.MAX_RAW_LENGTH;
        final int frameBytes = SnapshotChunkFlyweight.length(max);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(frameBytes);
            final SnapshotChunkFlyweight encoder = new SnapshotChunkFlyweight()
                .header(buffer, 0, 0, 5L * max, 1, Codec.NONE, 4L * max, max, 2, max);
            buffer.asSlice(SnapshotChunkFlyweight.DATA_OFFSET, max).fill((byte)0x3C);
            final int length = encoder.seal();

            assertEquals(max + 52, length);
            assertEquals(MessageType.SNAPSHOT_CHUNK, new FrameDecoder(frameBytes).verify(buffer, 0, length));
            final SnapshotChunkFlyweight chunk = new SnapshotChunkFlyweight().decode(buffer);
            assertEquals(max, chunk.rawLength());
            assertEquals(max, chunk.dataLength());
            assertEquals(5L * max, chunk.byteOffset() + chunk.rawLength(), "the last chunk ends at totalBytes");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripSnapshotEnd(final long offset)
    {
        final int length = new SnapshotEndFlyweight().encode(fixtures.buffer, offset, 9_000, 1L << 40, 0x8BADF00D);

        assertEquals(SnapshotEndFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.SNAPSHOT_END);
        final SnapshotEndFlyweight end = new SnapshotEndFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(9_000, end.snapshotOffset());
        assertEquals(1L << 40, end.totalBytes());
        assertEquals(0x8BADF00D, end.snapshotCrc());
        assertEquals("SNAPSHOT_END[snapshotOffset=9000, totalBytes=1099511627776, snapshotCrc=8badf00d]",
            end.toString());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripChallenge(final long offset)
    {
        final byte[] nonce = new byte[ChallengeFlyweight.NONCE_LENGTH];
        Arrays.fill(nonce, (byte)0xC3);
        nonce[15] = 1;
        final int length = new ChallengeFlyweight().encode(fixtures.buffer, offset, nonce);

        assertEquals(ChallengeFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.CHALLENGE);
        final ChallengeFlyweight challenge = new ChallengeFlyweight().decode(fixtures.buffer, offset, length);
        assertArrayEquals(nonce, challenge.copyNonceTo(new byte[ChallengeFlyweight.NONCE_LENGTH]));
        assertEquals("CHALLENGE[]", challenge.toString(), "the nonce is not printed");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripAuth(final long offset)
    {
        final byte[] proof = new byte[AuthFlyweight.PROOF_LENGTH];
        for (int i = 0; i < proof.length; i++)
        {
            proof[i] = (byte)(0xA0 + i);
        }
        final int length = new AuthFlyweight().encode(fixtures.buffer, offset, proof);

        assertEquals(AuthFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.AUTH);
        final AuthFlyweight auth = new AuthFlyweight().decode(fixtures.buffer, offset, length);
        assertArrayEquals(proof, auth.copyProofTo(new byte[AuthFlyweight.PROOF_LENGTH]));
        assertEquals("AUTH[]", auth.toString(), "the proof is not printed");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripWelcome(final long offset)
    {
        final byte[] proof = new byte[WelcomeFlyweight.PROOF_LENGTH];
        Arrays.fill(proof, (byte)0x5A);
        final WelcomeFlyweight welcome = new WelcomeFlyweight();
        for (final Codec codec : Codec.values())
        {
            for (final WelcomeFlyweight.Mode mode : WelcomeFlyweight.Mode.values())
            {
                final int length = welcome.encode(
                    fixtures.buffer, offset, codec, mode, FrameHeader.MAX_FRAME_BYTES_MAX, 100, Long.MAX_VALUE, 7,
                    -1L, 1L, proof);

                assertEquals(WelcomeFlyweight.LENGTH, length);
                fixtures.verify(offset, length, MessageType.WELCOME);
                final WelcomeFlyweight decoded = new WelcomeFlyweight().decode(fixtures.buffer, offset, length);
                assertEquals(codec, decoded.codec());
                assertEquals(mode, decoded.mode());
                assertEquals(FrameHeader.MAX_FRAME_BYTES_MAX, decoded.maxFrameBytes());
                assertEquals(100, decoded.startOffset());
                assertEquals(Long.MAX_VALUE, decoded.headOffset());
                assertEquals(7, decoded.epoch());
                assertEquals(-1L, decoded.historyIdHi());
                assertEquals(1L, decoded.historyIdLo());
                assertArrayEquals(proof, decoded.copyProofTo(new byte[WelcomeFlyweight.PROOF_LENGTH]));
                assertFalse(decoded.proofIsZero());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripAck(final long offset)
    {
        final int length = new AckFlyweight().encode(fixtures.buffer, offset, 1000, 900, 950, -5L);

        assertEquals(AckFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.ACK);
        final AckFlyweight ack = new AckFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(1000, ack.receivedOffset());
        assertEquals(900, ack.durableOffset());
        assertEquals(950, ack.appliedOffset());
        assertEquals(-5L, ack.timestampNs());
    }

    @Test
    void shouldRoundTripAckOfNothing()
    {
        final int length = new AckFlyweight().encode(fixtures.buffer, 0, 0, 0, 0, 0);
        fixtures.verify(0, length, MessageType.ACK);
        final AckFlyweight ack = new AckFlyweight().decode(fixtures.buffer.asSlice(0, length));
        assertEquals(0, ack.receivedOffset());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripNack(final long offset)
    {
        final NackFlyweight nack = new NackFlyweight();
        for (final ErrorCode code : ErrorCode.values())
        {
            final int length = nack.encode(fixtures.buffer, offset, Long.MAX_VALUE - code.value(), code);

            assertEquals(NackFlyweight.LENGTH, length);
            fixtures.verify(offset, length, MessageType.NACK);
            final NackFlyweight decoded = new NackFlyweight().decode(fixtures.buffer, offset, length);
            assertEquals(Long.MAX_VALUE - code.value(), decoded.resendFrom());
            assertEquals(code, decoded.reason());
            assertEquals(code.value(), decoded.reasonCode());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripHeartbeat(final long offset)
    {
        final int length = new HeartbeatFlyweight().encode(fixtures.buffer, offset, 123_456_789L, Long.MIN_VALUE);

        assertEquals(HeartbeatFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.HEARTBEAT);
        final HeartbeatFlyweight heartbeat = new HeartbeatFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(123_456_789L, heartbeat.headOffset());
        assertEquals(Long.MIN_VALUE, heartbeat.timeNs());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripError(final long offset)
    {
        final ErrorFlyweight error = new ErrorFlyweight();
        for (final ErrorCode code : ErrorCode.values())
        {
            final String message = "offset 12 is older than the oldest retained offset 99 — ünïcödé 🚢 " + code;
            final int length = error.encode(fixtures.buffer, offset, code, message);

            assertEquals(ErrorFlyweight.length(message.getBytes(StandardCharsets.UTF_8).length), length);
            fixtures.verify(offset, length, MessageType.ERROR);
            final ErrorFlyweight decoded = new ErrorFlyweight().decode(fixtures.buffer, offset, length);
            assertEquals(code, decoded.code());
            assertEquals(message, decoded.message());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripErrorWithProof(final long offset)
    {
        final String message = "offset 12 is older than the oldest retained offset 99 — ünïcödé 🚢";
        final int messageLength = message.getBytes(StandardCharsets.UTF_8).length;
        final ErrorFlyweight error =
            new ErrorFlyweight().wrap(fixtures.buffer, offset).code(ErrorCode.RETENTION).message(message);
        assertFalse(error.hasProof());
        assertEquals(ErrorFlyweight.length(messageLength), error.length());
        assertEquals(ErrorFlyweight.length(messageLength) + ErrorFlyweight.PROOF_LENGTH, error.withProof().length());
        final long proofAt = offset + error.length() - ErrorFlyweight.PROOF_LENGTH;
        fixtures.buffer.asSlice(proofAt, ErrorFlyweight.PROOF_LENGTH).fill((byte)0x5A);
        final int length = error.seal();

        assertEquals(ErrorFlyweight.length(messageLength) + ErrorFlyweight.PROOF_LENGTH, length);
        fixtures.verify(offset, length, MessageType.ERROR);
        final ErrorFlyweight decoded = new ErrorFlyweight().decode(fixtures.buffer, offset, length);
        assertTrue(decoded.hasProof());
        assertEquals(length, decoded.length());
        assertEquals(ErrorCode.RETENTION, decoded.code());
        assertEquals(message, decoded.message());
        assertEquals((byte)0x5A, fixtures.buffer.get(BYTE, offset + length - 1));

        // a flyweight reused for an unsigned frame has no proof
        final int unsigned = decoded.encode(fixtures.buffer, offset, ErrorCode.FENCED, "x");
        assertFalse(decoded.hasProof());
        assertEquals(ErrorFlyweight.length(1), unsigned);
        assertFalse(new ErrorFlyweight().decode(fixtures.buffer, offset, unsigned).hasProof());
    }

    @Test
    void shouldFitTheLongestSignedErrorInMaxLength()
    {
        final ErrorFlyweight error = new ErrorFlyweight().wrap(fixtures.buffer, 0).code(ErrorCode.INTERNAL)
            .message("é".repeat(ErrorFlyweight.MAX_MESSAGE_LENGTH)).withProof();
        final int length = error.seal();
        assertEquals(ErrorFlyweight.MAX_LENGTH, length);
        fixtures.verify(0, length, MessageType.ERROR);
        assertTrue(new ErrorFlyweight().decode(fixtures.buffer, 0, length).hasProof());
    }

    @Test
    void shouldRoundTripErrorWithoutMessage()
    {
        final int length = new ErrorFlyweight().encode(fixtures.buffer, 0, ErrorCode.FENCED, null);
        assertEquals(ErrorFlyweight.MIN_LENGTH, length);
        fixtures.verify(0, length, MessageType.ERROR);
        assertEquals("", new ErrorFlyweight().decode(fixtures.buffer, 0, length).message());
    }

    @Test
    void shouldTruncateErrorMessageOnCharacterBoundary()
    {
        final ErrorFlyweight error = new ErrorFlyweight();
        final String[] messages =
        {
            "a".repeat(5000),
            "é".repeat(600),                    // 2 bytes each: 512 fit exactly
            "a" + "é".repeat(600),              // 1 + 2n: stops at 1023
            "a".repeat(1022) + "€",             // 3 bytes do not fit after 1022
            "a".repeat(1021) + "🚢🚢",           // 4 bytes do not fit after 1021
            "a".repeat(1020) + "🚢",             // exactly 1024
            "\uD800".repeat(2000),              // unpaired surrogates become '?'
        };
        final int[] expectedLengths = {1024, 1024, 1023, 1022, 1021, 1024, 1024};
        for (int i = 0; i < messages.length; i++)
        {
            final int length = error.encode(fixtures.buffer, 0, ErrorCode.INTERNAL, messages[i]);
            assertEquals(ErrorFlyweight.length(expectedLengths[i]), length, "message " + i);
            fixtures.verify(0, length, MessageType.ERROR);
            final String decoded = new ErrorFlyweight().decode(fixtures.buffer, 0, length).message();
            final String expected = new String(
                messages[i].getBytes(StandardCharsets.UTF_8), 0, expectedLengths[i], StandardCharsets.UTF_8);
            assertEquals(expected, decoded, "message " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripStatusRequest(final long offset)
    {
        final byte[] nonce = new byte[StatusRequestFlyweight.NONCE_LENGTH];
        Arrays.fill(nonce, (byte)0x7E);
        nonce[0] = 0;
        final int length = new StatusRequestFlyweight().encode(fixtures.buffer, offset, nonce);

        assertEquals(StatusRequestFlyweight.LENGTH, length);
        fixtures.verify(offset, length, MessageType.STATUS_REQUEST);
        final StatusRequestFlyweight request = new StatusRequestFlyweight().decode(fixtures.buffer, offset, length);
        assertArrayEquals(nonce, request.copyNonceTo(new byte[StatusRequestFlyweight.NONCE_LENGTH]));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void shouldRoundTripStatusResponse(final long offset)
    {
        final String json = "{\"role\":\"primary\",\"head\":42,\"replicas\":[{\"id\":\"r1\",\"lag\":\"0 µs\"}]}";
        final byte[] utf8 = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
        final int jsonBytes = json.getBytes(StandardCharsets.UTF_8).length;
        fixtures.buffer.asSlice(offset, 512).fill((byte)0x5A);
        final StatusResponseFlyweight encoder =
            new StatusResponseFlyweight().part(fixtures.buffer, offset, 2, 3, utf8, 2, jsonBytes);
        final long proofAt = offset + StatusResponseFlyweight.JSON_OFFSET + jsonBytes;
        assertTrue(Messages.isZero(fixtures.buffer, proofAt, StatusResponseFlyweight.PROOF_LENGTH),
            "part() writes a zero proof");
        final int length = encoder.seal();

        assertEquals(StatusResponseFlyweight.length(jsonBytes), length);
        fixtures.verify(offset, length, MessageType.STATUS_RESPONSE);
        final StatusResponseFlyweight response = new StatusResponseFlyweight().decode(fixtures.buffer, offset, length);
        assertEquals(2, response.part());
        assertEquals(3, response.parts());
        assertEquals(jsonBytes, response.jsonLength());
        assertEquals(offset + StatusResponseFlyweight.JSON_OFFSET, response.jsonOffset());
        assertEquals(json, response.json());
        assertEquals("STATUS_RESPONSE[part=2/3, jsonLength=" + jsonBytes + "]", response.toString());
    }

    @Test
    void shouldRoundTripStatusResponseFillingTheFrame()
    {
        final byte[] json = "x".repeat(MessageFixtures.MAX_FRAME_BYTES).getBytes(StandardCharsets.US_ASCII);
        final int count = StatusResponseFlyweight.partLength(json, 0, MessageFixtures.MAX_FRAME_BYTES);
        final int length = new StatusResponseFlyweight()
            .part(fixtures.buffer, 0, StatusResponseFlyweight.MAX_PARTS - 1, StatusResponseFlyweight.MAX_PARTS, json, 0,
                count)
            .seal();

        assertEquals(MessageFixtures.MAX_FRAME_BYTES, length);
        fixtures.verify(0, length, MessageType.STATUS_RESPONSE);
        final StatusResponseFlyweight response = new StatusResponseFlyweight().decode(fixtures.buffer, 0, length);
        assertEquals(StatusResponseFlyweight.MAX_PARTS - 1, response.part());
        assertEquals(StatusResponseFlyweight.MAX_PARTS, response.parts());
        assertEquals("x".repeat(count), response.json());
    }

    @Test
    void shouldRoundTripAnEmptyStatus()
    {
        final byte[] json = new byte[0];
        assertEquals(0, StatusResponseFlyweight.partLength(json, 0, 4096));
        final int length = new StatusResponseFlyweight().part(fixtures.buffer, 0, 0, 1, json, 0, 0).seal();
        assertEquals(StatusResponseFlyweight.MIN_LENGTH, length);
        fixtures.verify(0, length, MessageType.STATUS_RESPONSE);
        assertEquals("", new StatusResponseFlyweight().decode(fixtures.buffer, 0, length).json());
    }

    /**
     * A document of one-, two-, three- and four-byte characters, cut by {@code partLength} for every frame size from
     * the smallest it allows up to a few hundred bytes and some larger ones: every part is a valid frame of at most that
     * size, no character is split (each part decodes on its own), and the parts join into the original document.
     */
    @Test
    void shouldNeverSplitACharacterAcrossStatusParts()
    {
        final String[] characters = {"a", "é", "€", "🚢"};
        final StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3000; i++)
        {
            text.append(characters[(i * i + i / 7) % characters.length]); // irregular runs of every width
        }
        final String document = text.toString();
        final byte[] utf8 = document.getBytes(StandardCharsets.UTF_8);
        final StatusResponseFlyweight encoder = new StatusResponseFlyweight();
        final StatusResponseFlyweight decoder = new StatusResponseFlyweight();
        final int smallest = (int)StatusResponseFlyweight.length(4);

        final int[] larger = {1021, 1024, 4093, 4096, utf8.length + 51, utf8.length + 52, utf8.length + 53};
        final int[] frameSizes = new int[300 + larger.length];
        for (int i = 0; i < 300; i++)
        {
            frameSizes[i] = smallest + i;
        }
        System.arraycopy(larger, 0, frameSizes, 300, larger.length);

        for (final int maxFrameBytes : frameSizes)
        {
            final StringBuilder joined = new StringBuilder();
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int from = 0;
            int parts = 0;
            while (from < utf8.length)
            {
                final int count = StatusResponseFlyweight.partLength(utf8, from, maxFrameBytes);
                assertTrue(count > 0, "progress at " + from + " with frames of " + maxFrameBytes);
                final int length = encoder.part(fixtures.buffer, 0, parts, parts + 1, utf8, from, count).seal();
                assertTrue(length <= maxFrameBytes, length + " > " + maxFrameBytes);
                fixtures.verify(0, length, MessageType.STATUS_RESPONSE);
                final String part = decoder.decode(fixtures.buffer, 0, length).json(); // checks its UTF-8
                joined.append(part);
                bytes.write(utf8, from, count);
                from += count;
                parts++;
            }
            assertEquals(document, joined.toString(), "frames of " + maxFrameBytes);
            assertArrayEquals(utf8, bytes.toByteArray(), "frames of " + maxFrameBytes);
            if (maxFrameBytes >= utf8.length + StatusResponseFlyweight.MIN_LENGTH)
            {
                assertEquals(1, parts, "a document that fits is sent whole");
            }
        }
    }

    @Test
    void shouldMatchTheLayoutInProtocolMd()
    {
        assertEquals(5, FrameHeader.VERSION);
        assertEquals(12, MessageType.CHALLENGE.value());
        assertEquals(13, MessageType.AUTH.value());

        assertEquals(12, HelloFlyweight.PROTOCOL_VERSION_OFFSET);
        assertEquals(14, HelloFlyweight.CODEC_MASK_OFFSET);
        assertEquals(16, HelloFlyweight.FLAGS_OFFSET);
        assertEquals(20, HelloFlyweight.EPOCH_OFFSET);
        assertEquals(28, HelloFlyweight.NEXT_OFFSET_OFFSET);
        assertEquals(36, HelloFlyweight.LAST_CHAIN_OFFSET);
        assertEquals(44, HelloFlyweight.HISTORY_ID_HI_OFFSET);
        assertEquals(52, HelloFlyweight.HISTORY_ID_LO_OFFSET);
        assertEquals(60, HelloFlyweight.EPOCH_START_OFFSET_OFFSET);
        assertEquals(68, HelloFlyweight.EPOCH_NODE_OFFSET);
        assertEquals(76, HelloFlyweight.NONCE_OFFSET);
        assertEquals(16, HelloFlyweight.NONCE_LENGTH);
        assertEquals(92, HelloFlyweight.REPLICA_ID_LENGTH_OFFSET);
        assertEquals(93, HelloFlyweight.REPLICA_ID_OFFSET);
        assertEquals(94, HelloFlyweight.MIN_LENGTH);
        assertEquals(28, HelloFlyweight.PARTIAL_LENGTH);
        assertEquals(185, HelloFlyweight.MAX_LENGTH);
        assertEquals(1, HelloFlyweight.EMPTY_WAL_FLAG);
        assertEquals(2, HelloFlyweight.NO_SYNC_FLAG);
        assertEquals(4, HelloFlyweight.ACCEPTS_SNAPSHOT_FLAG);
        assertEquals(8, HelloFlyweight.PARTIAL_SNAPSHOT_FLAG);

        assertEquals(12, WelcomeFlyweight.CODEC_OFFSET);
        assertEquals(13, WelcomeFlyweight.MODE_OFFSET);
        assertEquals(14, WelcomeFlyweight.RESERVED_OFFSET);
        assertEquals(16, WelcomeFlyweight.MAX_FRAME_BYTES_OFFSET);
        assertEquals(20, WelcomeFlyweight.START_OFFSET_OFFSET);
        assertEquals(28, WelcomeFlyweight.HEAD_OFFSET_OFFSET);
        assertEquals(36, WelcomeFlyweight.EPOCH_OFFSET);
        assertEquals(44, WelcomeFlyweight.HISTORY_ID_HI_OFFSET);
        assertEquals(52, WelcomeFlyweight.HISTORY_ID_LO_OFFSET);
        assertEquals(60, WelcomeFlyweight.CHAIN_BEFORE_OFFSET);
        assertEquals(68, WelcomeFlyweight.EPOCH_START_OFFSET_OFFSET);
        assertEquals(76, WelcomeFlyweight.EPOCH_NODE_LENGTH_OFFSET);
        assertEquals(77, WelcomeFlyweight.EPOCH_NODE_OFFSET);
        assertEquals(141, WelcomeFlyweight.RESERVED2_OFFSET);
        assertEquals(148, WelcomeFlyweight.PROOF_OFFSET);
        assertEquals(180, WelcomeFlyweight.LENGTH);
        assertEquals(2, WelcomeFlyweight.Mode.TRUNCATE.value());

        assertEquals(44, AckFlyweight.LENGTH);
        assertEquals(22, NackFlyweight.LENGTH);
        assertEquals(28, HeartbeatFlyweight.LENGTH);

        assertEquals(12, ErrorFlyweight.CODE_OFFSET);
        assertEquals(14, ErrorFlyweight.MESSAGE_LENGTH_OFFSET);
        assertEquals(16, ErrorFlyweight.MESSAGE_OFFSET);
        assertEquals(16, ErrorFlyweight.MIN_LENGTH);
        assertEquals(32, ErrorFlyweight.PROOF_LENGTH);
        assertEquals(1072, ErrorFlyweight.MAX_LENGTH);

        assertEquals(12, StatusRequestFlyweight.NONCE_OFFSET);
        assertEquals(28, StatusRequestFlyweight.LENGTH);

        assertEquals(12, StatusResponseFlyweight.PART_OFFSET);
        assertEquals(14, StatusResponseFlyweight.PARTS_OFFSET);
        assertEquals(16, StatusResponseFlyweight.JSON_LENGTH_OFFSET);
        assertEquals(20, StatusResponseFlyweight.JSON_OFFSET);
        assertEquals(52, StatusResponseFlyweight.MIN_LENGTH);
        assertEquals(52 + 10, StatusResponseFlyweight.length(10));
        assertEquals(65535, StatusResponseFlyweight.MAX_PARTS);

        assertEquals(12, ChallengeFlyweight.NONCE_OFFSET);
        assertEquals(28, ChallengeFlyweight.LENGTH);
        assertEquals(12, AuthFlyweight.PROOF_OFFSET);
        assertEquals(44, AuthFlyweight.LENGTH);

        assertEquals(7, MessageType.SNAPSHOT_CHUNK.value());
        assertEquals(12, SnapshotChunkFlyweight.SNAPSHOT_OFFSET_OFFSET);
        assertEquals(20, SnapshotChunkFlyweight.TOTAL_BYTES_OFFSET);
        assertEquals(28, SnapshotChunkFlyweight.SNAPSHOT_CRC_OFFSET);
        assertEquals(32, SnapshotChunkFlyweight.CODEC_OFFSET);
        assertEquals(33, SnapshotChunkFlyweight.RESERVED_BYTE_OFFSET);
        assertEquals(34, SnapshotChunkFlyweight.RESERVED_OFFSET);
        assertEquals(36, SnapshotChunkFlyweight.BYTE_OFFSET_OFFSET);
        assertEquals(44, SnapshotChunkFlyweight.RAW_LENGTH_OFFSET);
        assertEquals(48, SnapshotChunkFlyweight.RAW_CRC_OFFSET);
        assertEquals(52, SnapshotChunkFlyweight.DATA_OFFSET);
        assertEquals(53, SnapshotChunkFlyweight.MIN_LENGTH);
        assertEquals(52 + 10, SnapshotChunkFlyweight.length(10));
        assertEquals(1 << 20, SnapshotChunkFlyweight.MAX_RAW_LENGTH);

        assertEquals(8, MessageType.SNAPSHOT_END.value());
        assertEquals(12, SnapshotEndFlyweight.SNAPSHOT_OFFSET_OFFSET);
        assertEquals(20, SnapshotEndFlyweight.TOTAL_BYTES_OFFSET);
        assertEquals(28, SnapshotEndFlyweight.SNAPSHOT_CRC_OFFSET);
        assertEquals(32, SnapshotEndFlyweight.LENGTH);
    }

    @Test
    void shouldWriteLittleEndianFieldsAtTheDocumentedOffsets()
    {
        new AckFlyweight().encode(fixtures.buffer, 0, 0x0807060504030201L, 0x0102L, 0x0101L, 0x1122334455667788L);
        assertEquals(0x01, fixtures.buffer.get(BYTE, 12));
        assertEquals(0x08, fixtures.buffer.get(BYTE, 19));
        assertEquals(0x0102L, fixtures.buffer.get(LONG_LE, 20));
        assertEquals((byte)0x88, fixtures.buffer.get(BYTE, 36));

        new NackFlyweight().encode(fixtures.buffer, 0, 5, ErrorCode.CHECKSUM);
        assertEquals(5L, fixtures.buffer.get(LONG_LE, 12));
        assertEquals(4, fixtures.buffer.get(SHORT_LE, 20));

        new ErrorFlyweight().encode(fixtures.buffer, 0, ErrorCode.RETENTION, "ab");
        assertEquals(18, fixtures.buffer.get(INT_LE, 0));
        assertEquals(MessageType.ERROR.value(), fixtures.buffer.get(BYTE, 4));
        assertEquals(FrameHeader.VERSION, fixtures.buffer.get(BYTE, 5));
        assertEquals(7, fixtures.buffer.get(SHORT_LE, 12));
        assertEquals(2, fixtures.buffer.get(SHORT_LE, 14));
        assertEquals('a', fixtures.buffer.get(BYTE, 16));

        final byte[] json = {'{', '}'};
        new StatusResponseFlyweight().part(fixtures.buffer, 0, 0x0102, 0x0304, json, 0, 2).seal();
        assertEquals(54, fixtures.buffer.get(INT_LE, 0));
        assertEquals(0x0102, fixtures.buffer.get(SHORT_LE, 12));
        assertEquals(0x0304, fixtures.buffer.get(SHORT_LE, 14));
        assertEquals(2, fixtures.buffer.get(INT_LE, 16));
        assertEquals('{', fixtures.buffer.get(BYTE, 20));
        assertEquals('}', fixtures.buffer.get(BYTE, 21));

        new SnapshotChunkFlyweight().header(fixtures.buffer, 0, 0x0102030405060708L, 0x1112131415161718L, 0x21222324,
            Codec.ZSTD, 0x0102L, 0x0304, 0x31323334, 1).seal();
        assertEquals(53, fixtures.buffer.get(INT_LE, 0));
        assertEquals(MessageType.SNAPSHOT_CHUNK.value(), fixtures.buffer.get(BYTE, 4));
        assertEquals(0x08, fixtures.buffer.get(BYTE, 12));
        assertEquals(0x01, fixtures.buffer.get(BYTE, 19));
        assertEquals(0x18, fixtures.buffer.get(BYTE, 20));
        assertEquals(0x24, fixtures.buffer.get(BYTE, 28));
        assertEquals(2, fixtures.buffer.get(BYTE, 32));
        assertEquals(0, fixtures.buffer.get(BYTE, 33));
        assertEquals(0, fixtures.buffer.get(SHORT_LE, 34));
        assertEquals(0x0102L, fixtures.buffer.get(LONG_LE, 36));
        assertEquals(0x0304, fixtures.buffer.get(INT_LE, 44));
        assertEquals(0x34, fixtures.buffer.get(BYTE, 48));

        new SnapshotEndFlyweight().encode(fixtures.buffer, 0, 0x0807060504030201L, 0x10, 0x44332211);
        assertEquals(32, fixtures.buffer.get(INT_LE, 0));
        assertEquals(MessageType.SNAPSHOT_END.value(), fixtures.buffer.get(BYTE, 4));
        assertEquals(0x01, fixtures.buffer.get(BYTE, 12));
        assertEquals(0x10L, fixtures.buffer.get(LONG_LE, 20));
        assertEquals(0x11, fixtures.buffer.get(BYTE, 28));
        assertEquals(0x44, fixtures.buffer.get(BYTE, 31));
    }

    private static int crc32c(final byte[] bytes, final int from, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int)crc.getValue();
    }
}
