package dev.ferry.jmh.pipeline;

import dev.ferry.engine.PrimaryConfig;
import dev.ferry.engine.serve.InFlightBatches;
import dev.ferry.jmh.wal.BenchDirs;
import dev.ferry.engine.serve.CursorBatcher;
import dev.ferry.wal.SeekResult;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalEntry;
import dev.ferry.wal.codec.Codec;
import dev.ferry.wal.codec.Compressor;
import dev.ferry.wal.codec.Compressors;
import dev.ferry.wal.frame.BatchDecoder;
import dev.ferry.wal.frame.BatchEncoder;
import dev.ferry.wal.frame.FrameDecoder;
import dev.ferry.wal.frame.MessageType;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.AuxCounters;
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
import java.util.concurrent.TimeUnit;

/**
 * The primary's work per batch, without the socket: what {@code DownstreamSession.sendBatches} does between claiming
 * send-buffer space and committing it. {@link BatchEncoder#wrap} on the send buffer at the cursor's next offset,
 * {@link CursorBatcher#fill} (the code {@code DownstreamSession} runs) (batch-size check, {@link WalEntry#appendTo}: the
 * entry's timestamp, stored CRC32C and payload copied once from the mapped WAL, no allocation; first and last
 * timestamps kept), {@link BatchEncoder#commit(Compressor, MemorySegment)} with the codec's compressor (none for
 * {@code NONE}; zstd at {@link PrimaryConfig}'s default level), then the session's unacknowledged-batch ring stores.
 * <p>
 * Every batch holds exactly {@code batchEntries} entries of {@code size} bytes: the poll limit is
 * {@code batchEntries} and the handler's byte limit is {@code maxFrameBytes} (the primary's default
 * {@code maxBatchBytes} of 64 KiB would cut 256 x 1 KiB into several batches). The WAL holds 32 MiB of
 * compressible event-log payloads ({@code PipelineFixture}), a whole number of batches (at least 256), written once
 * per trial; when the cursor reaches the end it seeks back to the oldest entry. {@link Sizes} counts the entry bytes
 * and the frame bytes (their quotient is the compression ratio; a batch that does not shrink goes out as
 * {@code NONE}).
 * <p>
 * The baseline reads the same number of documents from the same queue files with a raw Chronicle tailer and copies
 * each whole document (Ferry's 24-byte entry header and the payload) into the same send buffer with
 * {@link MemorySegment#copy}: the read and the one copy the send path cannot avoid. It does not depend on
 * {@code codec}, so its repeats across codecs show the run's noise. Native memory from {@link Arena#ofAuto()}. The
 * only thread is the JMH worker; nothing spins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SendPathBenchmark
{
    private static final int RING = 4096;

    /**
     * The whole address space, to copy from the addresses Chronicle hands out for an open document (as
     * {@link WalEntry} does) without a segment per document.
     */
    @SuppressWarnings("restricted")
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /**
     * Entry bytes in and frame bytes out, summed over the measured iterations; their quotient is the compression
     * ratio.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sizes
    {
        /** Uncompressed frame bytes (header, batch header, entries) encoded. */
        public long entryBytes;
        /** Frame bytes produced, after compression. */
        public long frameBytes;

        /**
         * Start each iteration from zero.
         */
        @Setup(Level.Iteration)
        public void reset()
        {
            entryBytes = 0;
            frameBytes = 0;
        }
    }

    @Param({"1", "16", "256"})
    int batchEntries;

    @Param({"64", "1024"})
    int size;

    @Param({"NONE", "SNAPPY", "ZSTD"})
    Codec codec;

    private CursorBatcher batcher;
    private final InFlightBatches inFlight = new InFlightBatches(RING);
    private long entriesSent;
    private long entryBytesSent;

    private Path dir;
    private Wal wal;
    private WalCursor cursor;
    private long firstOffset;
    private long endOffset;
    private int maxFrameBytes;
    private int maxBatchBytes;
    private MemorySegment sendBuffer;
    private BatchEncoder encoder;
    private Compressor compressor;
    private MemorySegment scratch;

    private SingleChronicleQueue rawQueue;
    private ExcerptTailer rawTailer;
    private int walEntries;
    private int rawRead;

    /**
     * Write the WAL, open the cursor and the raw tailer, and check that a batch decodes to the entries written.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final PrimaryConfig defaults = new PrimaryConfig();
        maxFrameBytes = defaults.maxFrameBytes();
        maxBatchBytes = maxFrameBytes;
        batcher = new CursorBatcher(maxBatchBytes);
        final Arena arena = Arena.ofAuto();

        walEntries = PipelineFixture.walEntries(batchEntries, size);
        final MemorySegment log = PipelineFixture.eventLog(arena, (long)walEntries * size);
        dir = BenchDirs.create("send-path");
        wal = Wal.open(new WalConfig().directory(dir));
        for (int i = 0; i < walEntries; i++)
        {
            wal.append(log.asSlice((long)i * size, size));
        }
        firstOffset = wal.oldestOffset();
        endOffset = wal.nextOffset();
        cursor = wal.cursor();

        sendBuffer = arena.allocate(maxFrameBytes, 64);
        encoder = new BatchEncoder(maxFrameBytes);
        if (Codec.NONE != codec)
        {
            compressor = Compressors.of(codec, defaults.zstdLevel());
            scratch = arena.allocate(BatchEncoder.scratchLength(compressor, maxFrameBytes), 64);
        }

        rawQueue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).rollCycle(wal.config().rollCycle()).build();
        rawTailer = rawQueue.createTailer();

        checkFirstBatch(log, arena);
    }

    private void checkFirstBatch(final MemorySegment log, final Arena arena)
    {
        final int length = sendBatch(new Sizes());
        final MemorySegment frame = arena.allocate(length, 64);
        MemorySegment.copy(sendBuffer, 0, frame, 0, length);
        if (MessageType.BATCH != new FrameDecoder(maxFrameBytes).verify(frame))
        {
            throw new IllegalStateException("not a batch frame");
        }
        try (BatchDecoder decoder = new BatchDecoder(maxFrameBytes))
        {
            final MemorySegment decoded = arena.allocate(BatchDecoder.scratchLength(maxFrameBytes), 64);
            final int count = decoder.decode(frame, decoded, (offset, timestampNs, payload) ->
            {
                final long index = offset - firstOffset;
                if (-1 != payload.mismatch(log.asSlice(index * size, size)))
                {
                    throw new IllegalStateException("entry " + offset + " differs from what was appended");
                }
            });
            if (count != batchEntries)
            {
                throw new IllegalStateException("first batch decoded to " + count + " entries, not " + batchEntries);
            }
        }
        if (SeekResult.FOUND != cursor.seek(firstOffset))
        {
            throw new IllegalStateException("cannot seek back to " + firstOffset);
        }
        inFlight.clear();
        entriesSent = 0;
        entryBytesSent = 0;
    }

    /**
     * Close and delete.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (null != compressor)
        {
            compressor.close();
        }
        rawTailer.close();
        rawQueue.close();
        cursor.close();
        wal.close();
        BenchDirs.delete(dir);
    }

    /**
     * One batch: fill from the cursor, commit (compressing for {@code SNAPPY} and {@code ZSTD}), record it in the
     * unacknowledged-batch ring.
     *
     * @param sizes where entry and frame bytes are counted.
     * @return the frame length.
     */
    @Benchmark
    public int sendBatch(final Sizes sizes)
    {
        final WalCursor cursor = this.cursor;
        final BatchEncoder encoder = this.encoder;
        encoder.wrap(sendBuffer, 0, maxFrameBytes).firstOffset(cursor.nextOffset());
        final int count = batcher.fill(cursor, encoder, batchEntries);
        if (count != batchEntries)
        {
            throw new IllegalStateException("batch of " + count + " entries, expected " + batchEntries);
        }
        final int entryBytes = encoder.encodedLength();
        final int length = encoder.commit(compressor, scratch);

        if (inFlight.isFull())
        {
            inFlight.clear(); // nobody acknowledges here: keep the ring cycling like a session's
        }
        inFlight.sent(encoder.firstOffset() + count - 1, batcher.firstTimestampNs(), batcher.lastTimestampNs(),
            entryBytes);
        entriesSent += count;
        entryBytesSent += entryBytes;

        sizes.entryBytes += entryBytes;
        sizes.frameBytes += length;
        if (cursor.nextOffset() == endOffset && SeekResult.FOUND != cursor.seek(firstOffset))
        {
            throw new IllegalStateException("cannot seek back to " + firstOffset);
        }
        return length;
    }

    /**
     * Baseline: read {@code batchEntries} documents with a raw Chronicle tailer and copy each into the send buffer.
     *
     * @return the bytes copied.
     */
    @Benchmark
    public long rawTailCopyBaseline()
    {
        final ExcerptTailer tailer = rawTailer;
        final MemorySegment sendBuffer = this.sendBuffer;
        long position = 0;
        for (int i = 0; i < batchEntries; i++)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    throw new IllegalStateException("raw tailer found no document after " + rawRead);
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final int length = (int)bytes.readRemaining();
                final long address = bytes.addressForRead(bytes.readPosition(), length);
                MemorySegment.copy(ALL, address, sendBuffer, position, length);
                position += length;
            }
        }
        rawRead += batchEntries;
        if (rawRead == walEntries)
        {
            tailer.toStart();
            rawRead = 0;
        }
        return position;
    }
}
