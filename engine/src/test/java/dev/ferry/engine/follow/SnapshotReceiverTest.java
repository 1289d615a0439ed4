package dev.ferry.engine.follow;

import dev.ferry.engine.handshake.ReplicaHello;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.SnapshotChunkFlyweight;
import dev.ferry.net.message.SnapshotEndFlyweight;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The receiving end of a snapshot transfer, chunk by chunk: only verified bytes are kept, a damaged chunk is refused
 * with CHECKSUM and leaves what was held as it was, the held prefix is what the next HELLO names, and the whole is
 * checked at the end.
 */
class SnapshotReceiverTest
{
    private static final long OFFSET = 500;
    private static final int CHUNK = 1000;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment frame = arena.allocate(64 * 1024);
    private final SnapshotChunkFlyweight chunk = new SnapshotChunkFlyweight();
    private final SnapshotEndFlyweight end = new SnapshotEndFlyweight();
    private final byte[] snapshot = new byte[3 * CHUNK + 17];
    private int crc;

    {
        new Random(7).nextBytes(snapshot);
        Arrays.fill(snapshot, CHUNK, 2 * CHUNK, (byte)'a'); // compresses
        final CRC32C whole = new CRC32C();
        whole.update(snapshot);
        crc = (int)whole.getValue();
    }

    @AfterEach
    void close()
    {
        arena.close();
    }

    @Test
    void shouldKeepOnlyVerifiedChunksAndResumeFromThem() throws IOException
    {
        final SnapshotReceiver receiver = new SnapshotReceiver(dir.resolve(StateStore.DIRECTORY));
        receiver.begin(OFFSET, 0);
        receiver.onChunk(chunk(0, Codec.NONE, false));
        receiver.onChunk(chunk(CHUNK, Codec.ZSTD, false));
        // a compressed chunk damaged before it was framed (the frame's CRC32C is then right: only rawCrc tells)
        final FerryException damaged = assertThrows(FerryException.class, () -> receiver.onChunk(chunk(2 * CHUNK, Codec.ZSTD, true)));
        assertEquals(ErrorCode.CHECKSUM, damaged.code());
        receiver.end(); // the link is dropped

        final ReplicaHello.PartialSnapshot held = receiver.held();
        assertEquals(new ReplicaHello.PartialSnapshot(OFFSET, snapshot.length, 2 * CHUNK, crc), held,
            "the next HELLO names the two verified chunks");

        // the primary resumes from there
        receiver.begin(OFFSET, 0);
        receiver.onChunk(chunk(2 * CHUNK, Codec.SNAPPY, false));
        receiver.onChunk(chunk(3 * CHUNK, Codec.NONE, false));
        final Path complete = receiver.complete(end());
        assertArrayEquals(snapshot, Files.readAllBytes(complete));
        receiver.close();
    }

    @Test
    void shouldRefuseAChunkOutOfPlaceOrOfAnotherSnapshot()
    {
        try (SnapshotReceiver receiver = new SnapshotReceiver(dir.resolve(StateStore.DIRECTORY)))
        {
            receiver.begin(OFFSET, 0);
            receiver.onChunk(chunk(0, Codec.NONE, false));
            assertEquals(ErrorCode.PROTOCOL, assertThrows(FerryException.class,
                () -> receiver.onChunk(chunk(2 * CHUNK, Codec.NONE, false))).code(), "a gap");
            receiver.begin(OFFSET + 1, 0);
            assertEquals(ErrorCode.PROTOCOL, assertThrows(FerryException.class,
                () -> receiver.onChunk(chunk(CHUNK, Codec.NONE, false))).code(), "another snapshot's chunk");
        }
    }

    @Test
    void shouldRefuseAWholeThatDoesNotMatchAndStartAgainFromZero()
    {
        try (SnapshotReceiver receiver = new SnapshotReceiver(dir.resolve(StateStore.DIRECTORY)))
        {
            crc ^= 1; // the chunks are each intact, the whole is not what the primary announced
            receiver.begin(OFFSET, 0);
            for (int at = 0; at < snapshot.length; at += CHUNK)
            {
                receiver.onChunk(chunk(at, Codec.NONE, false));
            }
            assertEquals(ErrorCode.CHECKSUM, assertThrows(FerryException.class, () -> receiver.complete(end())).code());
            assertNull(receiver.held(), "nothing kept: the next transfer starts from byte 0");
        }
    }

    private SnapshotChunkFlyweight chunk(final int at, final Codec codec, final boolean damage)
    {
        final int length = Math.min(CHUNK, snapshot.length - at);
        final MemorySegment raw = arena.allocate(length);
        MemorySegment.copy(snapshot, at, raw, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
        final CRC32C rawCrc = new CRC32C();
        rawCrc.update(snapshot, at, length);
        int dataLength = length;
        if (codec == Codec.NONE)
        {
            MemorySegment.copy(raw, 0, frame, SnapshotChunkFlyweight.DATA_OFFSET, length);
        }
        else
        {
            try (Compressor compressor = Compressors.of(codec))
            {
                final MemorySegment packed = arena.allocate(compressor.maxCompressedLength(length));
                dataLength = compressor.compress(raw, packed);
                MemorySegment.copy(packed, 0, frame, SnapshotChunkFlyweight.DATA_OFFSET, dataLength);
            }
        }
        final int frameLength = chunk.header(frame, 0, OFFSET, snapshot.length, crc, codec, at, length,
            codec == Codec.NONE ? 0 : (int)rawCrc.getValue() ^ (damage ? 1 : 0), dataLength).seal();
        return chunk.decode(frame, 0, frameLength);
    }

    private SnapshotEndFlyweight end()
    {
        return end.decode(frame, 0, end.encode(frame, 0, OFFSET, snapshot.length, crc));
    }
}
