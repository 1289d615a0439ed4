package dev.ferry.net;

import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

/**
 * Receives verified frames from a {@link FrameConnection}: the bytes are valid only during the call.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * @param type   the frame's type (already verified: length, version, CRC32C, flags).
     * @param buffer the memory holding the frame.
     * @param offset where the frame starts (its header).
     * @param length the whole frame length.
     */
    void onFrame(MessageType type, MemorySegment buffer, long offset, int length);
}
