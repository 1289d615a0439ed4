package dev.ferry.jmh.pipeline;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * What the pipeline benchmarks move: an event log of JSON-like records with seeded random field values (the
 * {@code COMPRESSIBLE} data of {@code CompressionBenchmark}), cut into fixed-size payloads regardless of record
 * boundaries, so a batch compresses as a real log's would.
 */
final class PipelineFixture
{
    /** Payload bytes the send path's WAL holds: laps of it take long enough that the lap's re-seek is noise. */
    static final long WAL_PAYLOAD_BYTES = 32L << 20;
    /** Fewest batches in the send path's WAL: the cursor's re-seek at the end of a lap is at most 1/256 of a batch. */
    static final int WAL_MIN_BATCHES = 256;
    /** Frame bytes the receive path's ring aims for: more than the caches, few enough to encode quickly. */
    static final long RING_FRAME_BYTES = 8L << 20;
    /** Fewest frames in the receive ring. */
    static final int RING_MIN_FRAMES = 16;
    /** Most frames in the receive ring. */
    static final int RING_MAX_FRAMES = 4096;

    private static final String[] TYPES = {"deposit", "withdrawal", "transfer", "fee", "refund"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};

    private PipelineFixture()
    {
    }

    /**
     * @param batchEntries entries a batch.
     * @param size         payload bytes an entry.
     * @return the entries the send path's WAL holds: about {@link #WAL_PAYLOAD_BYTES} of payload, at least
     * {@link #WAL_MIN_BATCHES} batches, a whole number of batches.
     */
    static int walEntries(final int batchEntries, final int size)
    {
        final long batches = Math.max(WAL_MIN_BATCHES, WAL_PAYLOAD_BYTES / ((long)batchEntries * size));
        return Math.toIntExact(batches * batchEntries);
    }

    /**
     * @param batchEntries entries a batch.
     * @param size         payload bytes an entry.
     * @return the frames in the receive path's ring: about {@link #RING_FRAME_BYTES} of frames, within
     * [{@link #RING_MIN_FRAMES}, {@link #RING_MAX_FRAMES}].
     */
    static int ringFrames(final int batchEntries, final int size)
    {
        final long frames = RING_FRAME_BYTES / ((long)batchEntries * (size + 16));
        return Math.clamp(frames, RING_MIN_FRAMES, RING_MAX_FRAMES);
    }

    /**
     * @param arena where to allocate.
     * @param bytes how many bytes of log.
     * @return a native segment of {@code bytes} bytes of the event log.
     */
    static MemorySegment eventLog(final Arena arena, final long bytes)
    {
        final MemorySegment log = arena.allocate(bytes, 64);
        final SplittableRandom random = new SplittableRandom(7);
        final StringBuilder record = new StringBuilder(256);
        long id = 1_000_000L;
        long timestampMs = 1_700_000_000_000L;
        long position = 0;
        while (position < bytes)
        {
            id += 1 + random.nextInt(3);
            timestampMs += random.nextInt(250);
            record.setLength(0);
            record.append("{\"id\":").append(id)
                .append(",\"ts\":").append(timestampMs)
                .append(",\"account\":\"acct-").append(1000 + random.nextInt(9000))
                .append("\",\"type\":\"").append(TYPES[random.nextInt(TYPES.length)])
                .append("\",\"amount\":").append(random.nextInt(100_000)).append('.').append(10 + random.nextInt(90))
                .append(",\"currency\":\"").append(CURRENCIES[random.nextInt(CURRENCIES.length)])
                .append("\",\"status\":\"settled\"}\n");
            final byte[] ascii = record.toString().getBytes(StandardCharsets.US_ASCII);
            final long length = Math.min(ascii.length, bytes - position);
            MemorySegment.copy(MemorySegment.ofArray(ascii), 0, log, position, length);
            position += length;
        }
        return log;
    }
}
