package dev.ferry.jmh.pipeline;

import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.ReplicaConfig;
import dev.ferry.jmh.wal.BenchDirs;
import dev.ferry.engine.follow.BatchAppender;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.BatchEncoder;
import dev.ferry.wal.frame.BatchFlyweight;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static dev.ferry.wal.frame.BatchFlyweight.FIRST_OFFSET_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.CRC32C_OFFSET;
import static dev.ferry.wal.frame.FrameHeader.INT_LE;
import static dev.ferry.wal.frame.FrameHeader.LONG_LE;

/**
 * The replica's work per batch, without the socket: what a received {@code BATCH} frame costs from
 * {@code FrameConnection.receive} through {@code Replica.Link.onBatch}. {@link FrameDecoder#verify} (header checks
 * and the frame CRC32C), {@link BatchDecoder#wrap} and the link's gap and duplicate checks against
 * {@link Wal#nextOffset()}, {@link BatchDecoder#forEach} (decompression for {@code SNAPPY} and {@code ZSTD}, every
 * payload's CRC32C checked) with the link's consumer: {@link Wal#appendAt} of each new entry with the CRC32C the
 * decoder verified ({@link BatchDecoder#entryCrc32c()}). The link's {@code wal.flush()} and ACK follow once per
 * receive loop (up to 64 frames), not per batch, and are left out ({@code SyncPolicy.NONE}, the default, makes
 * flush a no-op anyway); so is the WAL pretoucher, which runs only when the link is idle.
 * <p>
 * The frames are encoded once per trial, as the primary would send them (its default zstd level; a batch that does
 * not shrink goes as {@code NONE}), {@code batchEntries} entries of {@code size} bytes of compressible event log
 * ({@code PipelineFixture}) each, back to back in one native receive buffer: a ring of about
 * 8 MiB. Each iteration appends into a fresh replica WAL from offset 0.
 * Every invocation takes the next frame of the ring and first restamps its {@code firstOffset} to the replica's
 * {@link Wal#nextOffset()}, so every batch carries exactly the offsets the replica expects next: the first lap of
 * the ring already has them, and later laps would otherwise repeat offsets already written (repeats that
 * {@code appendAt} checks and does not write). Restamping patches the 8-byte field and the frame's CRC32C in place, using the linearity
 * of CRC32C (for equal lengths, {@code crc(a) ^ crc(b)} depends only on {@code a ^ b}): one XOR of a precomputed
 * column per differing offset bit, a few nanoseconds, no pass over the frame; the full CRC32C check in
 * {@code verify} still runs on every invocation and would fail the benchmark if a patch were wrong.
 * <p>
 * The baseline appends the same payloads (without Ferry's 24-byte entry header) as raw Chronicle documents into a
 * fresh queue per iteration: the copy into the mapped file a receiver cannot avoid. It does not depend on
 * {@code codec}, so its repeats across codecs show the run's noise. Native memory from {@link Arena#ofAuto()}. The
 * only thread is the JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ReceivePathBenchmark
{
    /**
     * Where {@code firstOffset}'s first byte sits in the byte stream the frame CRC32C covers: frame bytes
     * {@code [0, 8)} then {@code [12, length)}, so frame byte {@code 12 + k} is stream byte {@code 8 + k}.
     */
    private static final int FIRST_OFFSET_CRC_POSITION =
        FIRST_OFFSET_OFFSET - (FrameHeader.HEADER_LENGTH - CRC32C_OFFSET);
    private static final long TIMESTAMP_NS = 1_700_000_000_000_000_000L;

    @Param({"1", "16", "256"})
    int batchEntries;

    @Param({"64", "1024"})
    int size;

    @Param({"NONE", "SNAPPY", "ZSTD"})
    Codec codec;


    private int maxFrameBytes;
    private MemorySegment ring;
    private long[] frameOffsets;
    private int[] frameLengths;
    private int[][] frameCrcColumns;
    private int ringFrames;
    private int ringIndex;
    private FrameDecoder frameDecoder;
    private BatchAppender appender;
    private MemorySegment scratch;

    private BytesStore<?, ?> rawPayloads;
    private int payloadCount;
    private int rawIndex;

    private Path dir;
    private Wal wal;
    private SingleChronicleQueue rawQueue;
    private ExcerptAppender rawAppender;

    /**
     * Encode the ring of frames, with the CRC32C columns that restamp them, and check that every frame restamps and
     * verifies.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final Arena arena = Arena.ofAuto();
        maxFrameBytes = new ReplicaConfig().maxFrameBytes();
        ringFrames = PipelineFixture.ringFrames(batchEntries, size);
        payloadCount = ringFrames * batchEntries;
        final MemorySegment log = PipelineFixture.eventLog(arena, (long)payloadCount * size);

        final int uncompressedFrameLength =
            BatchFlyweight.ENTRIES_OFFSET + batchEntries * (BatchFlyweight.ENTRY_HEADER_LENGTH + size);
        ring = arena.allocate((long)ringFrames * uncompressedFrameLength, 64);
        frameOffsets = new long[ringFrames];
        frameLengths = new int[ringFrames];
        frameCrcColumns = new int[ringFrames][];
        encodeRing(arena, log);

        frameDecoder = new FrameDecoder(maxFrameBytes);
        if (Codec.NONE != codec)
        {
            scratch = arena.allocate(BatchDecoder.scratchLength(maxFrameBytes), 64);
        }
        for (int i = 0; i < ringFrames; i++)
        {
            restamp(i, Long.MAX_VALUE / 2 + i);
            verify(i);
            restamp(i, (long)i * batchEntries);
            verify(i);
        }

        rawPayloads = BytesStore.nativeStoreWithFixedCapacity((long)payloadCount * size);
        MemorySegment.copy(log, 0, addressSpace(), rawPayloads.addressForWrite(0), log.byteSize());
    }

    private void encodeRing(final Arena arena, final MemorySegment log)
    {
        final BatchEncoder encoder = new BatchEncoder(maxFrameBytes);
        final Compressor compressor =
            Codec.NONE == codec ? null : Compressors.of(codec, new PrimaryConfig().zstdLevel());
        final MemorySegment encodeScratch =
            null == compressor ? null : arena.allocate(BatchEncoder.scratchLength(compressor, maxFrameBytes), 64);
        final Map<Integer, int[]> columnsByLength = new HashMap<>();
        long position = 0;
        for (int i = 0; i < ringFrames; i++)
        {
            encoder.wrap(ring, position, (int)Math.min(ring.byteSize() - position, maxFrameBytes))
                .firstOffset((long)i * batchEntries);
            for (int e = 0; e < batchEntries; e++)
            {
                final long index = (long)i * batchEntries + e;
                if (!encoder.tryAppend(TIMESTAMP_NS + index * 1_000L, log.asSlice(index * size, size)))
                {
                    throw new IllegalStateException("entry " + e + " of frame " + i + " does not fit");
                }
            }
            final int length = encoder.commit(compressor, encodeScratch);
            frameOffsets[i] = position;
            frameLengths[i] = length;
            frameCrcColumns[i] = columnsByLength.computeIfAbsent(length, ReceivePathBenchmark::crcColumns);
            position += length;
        }
        if (null != compressor)
        {
            compressor.close();
        }
    }

    /**
     * For a frame of {@code length} bytes: column {@code b} is what flipping bit {@code b} of {@code firstOffset}
     * XORs into the frame CRC32C (for messages of equal length, CRC32C differences depend only on the differing
     * bits).
     */
    private static int[] crcColumns(final int length)
    {
        final byte[] stream = new byte[length - (FrameHeader.HEADER_LENGTH - CRC32C_OFFSET)];
        final CRC32C crc = new CRC32C();
        crc.update(stream);
        final int zeros = (int)crc.getValue();
        final int[] columns = new int[Long.SIZE];
        for (int bit = 0; bit < Long.SIZE; bit++)
        {
            final int at = FIRST_OFFSET_CRC_POSITION + (bit >>> 3); // firstOffset is little-endian
            stream[at] = (byte)(1 << (bit & 7));
            crc.reset();
            crc.update(stream);
            columns[bit] = (int)crc.getValue() ^ zeros;
            stream[at] = 0;
        }
        return columns;
    }

    @SuppressWarnings("restricted")
    private static MemorySegment addressSpace()
    {
        return MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    private void verify(final int i)
    {
        if (MessageType.BATCH != frameDecoder.verify(ring, frameOffsets[i], frameLengths[i]))
        {
            throw new IllegalStateException("frame " + i + " is not a batch");
        }
    }

    /**
     * Set frame {@code i}'s {@code firstOffset} and patch its CRC32C to match.
     */
    private void restamp(final int i, final long firstOffset)
    {
        final MemorySegment ring = this.ring;
        final long frame = frameOffsets[i];
        final int[] columns = frameCrcColumns[i];
        long flipped = ring.get(LONG_LE, frame + FIRST_OFFSET_OFFSET) ^ firstOffset;
        int crc = ring.get(INT_LE, frame + CRC32C_OFFSET);
        while (0 != flipped)
        {
            crc ^= columns[Long.numberOfTrailingZeros(flipped)];
            flipped &= flipped - 1;
        }
        ring.set(LONG_LE, frame + FIRST_OFFSET_OFFSET, firstOffset);
        ring.set(INT_LE, frame + CRC32C_OFFSET, crc);
    }

    /**
     * A fresh replica WAL and a fresh raw queue, so the disk holds one iteration's data at a time.
     */
    @Setup(Level.Iteration)
    public void setUpIteration()
    {
        dir = BenchDirs.create("receive-path");
        wal = Wal.open(new WalConfig().directory(dir.resolve("replica")).singleWriter(true)); // as a Replica opens it
        appender = new BatchAppender(wal, maxFrameBytes);
        rawQueue = SingleChronicleQueueBuilder.binary(dir.resolve("raw")).rollCycle(wal.config().rollCycle()).build();
        rawAppender = rawQueue.createAppender();
        ringIndex = 0;
        rawIndex = 0;
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Iteration)
    public void tearDownIteration()
    {
        wal.close();
        rawAppender.close();
        rawQueue.close();
        BenchDirs.delete(dir);
    }

    /**
     * Free the decoder and the raw payloads.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        rawPayloads.releaseLast();
    }

    /**
     * One batch received: the next frame of the ring, stamped with the replica's next offset, verified, decoded and
     * appended.
     *
     * @return the entries appended.
     */
    @Benchmark
    public int receiveBatch()
    {
        final int i = ringIndex;
        ringIndex = i + 1 == ringFrames ? 0 : i + 1;
        restamp(i, wal.nextOffset()); // what the primary sends next; not part of the replica's work
        final long frameOffset = frameOffsets[i];
        final int frameLength = frameLengths[i];
        if (MessageType.BATCH != frameDecoder.verify(ring, frameOffset, frameLength))
        {
            throw new IllegalStateException("frame " + i + " is not a batch");
        }
        return onBatch(ring, frameOffset, frameLength);
    }

    /** {@link BatchAppender} (the code {@code Replica} runs); a gap or duplicate would be a harness bug. */
    private int onBatch(final MemorySegment buffer, final long offset, final int length)
    {
        final long next = wal.nextOffset();
        final int written = appender.append(buffer, offset, length, scratch, next);
        if (written <= 0)
        {
            throw new IllegalStateException("batch at " + appender.firstOffset() + " wrote " + written + ", replica at " + next);
        }
        return written;
    }

    /**
     * Baseline: append the same {@code batchEntries} payloads as raw Chronicle documents.
     *
     * @return the index of the last document appended.
     */
    @Benchmark
    public long rawAppendBaseline()
    {
        final ExcerptAppender appender = rawAppender;
        final BytesStore<?, ?> payloads = rawPayloads;
        final long size = this.size;
        int index = rawIndex;
        for (int e = 0; e < batchEntries; e++)
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(payloads, index * size, size);
            }
            index++;
        }
        rawIndex = index == payloadCount ? 0 : index;
        return appender.lastIndexAppended();
    }
}
