package dev.ferry.net.message;

import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

import static dev.ferry.wal.frame.DecoderContract.require;

/**
 * A control message as its fuzz target sees it: its type, its flyweight, the checks of a frame the flyweight accepted
 * (the ranges net/PROTOCOL.md section 4 documents, read back through the accessors), and real frames from its
 * encoder for seeds. The messages are listed in {@link ControlMessages}; adding one is a constant there and a
 * three-line {@code @FuzzTest} method in {@link ControlMessageFuzzTest} named {@link #target()}.
 *
 * @param target    the name of its {@code @FuzzTest} method, and of its inputs directory.
 * @param type      its frame type.
 * @param flyweight makes the flyweight that decodes it.
 * @param accepted  checks the fields of a frame the flyweight accepted.
 * @param seeds     encodes real frames of it.
 * @param <F>       its flyweight.
 */
record ControlMessage<F extends MessageFlyweight<F>>(
    String target, MessageType type, Supplier<F> flyweight, Accepted<F> accepted, Seeds<F> seeds)
{
    /**
     * The checks of a frame the flyweight accepted.
     *
     * @param <F> the flyweight.
     */
    @FunctionalInterface
    interface Accepted<F>
    {
        /**
         * @param message the flyweight, wrapped over the accepted frame.
         * @param frame   the frame, exactly its length.
         * @throws AssertionError if a field is out of its documented range.
         */
        void check(F message, MemorySegment frame);
    }

    /**
     * Real frames of the message, for seeds.
     *
     * @param <F> the flyweight.
     */
    @FunctionalInterface
    interface Seeds<F>
    {
        /**
         * @param message a flyweight to encode with.
         * @param buffer  memory to encode into, at offset 0.
         * @param sink    takes each frame.
         */
        void encode(F message, MemorySegment buffer, Sink sink);
    }

    /**
     * Takes a seed frame.
     */
    @FunctionalInterface
    interface Sink
    {
        /**
         * @param name   what the frame is, {@code [a-z0-9-]}.
         * @param length the frame length, from offset 0 of the buffer.
         */
        void seed(String name, int length);
    }

    /**
     * Decodes frames of this message with one flyweight, reused as a receiver reuses its own.
     */
    @FunctionalInterface
    interface Decoder
    {
        /**
         * Decodes a frame and checks the fields of what is accepted.
         *
         * @param frame the frame, exactly its length.
         * @throws dev.ferry.wal.frame.FrameException if the frame is refused.
         */
        void decode(MemorySegment frame);
    }

    /**
     * @return a decoder over a flyweight of its own.
     */
    Decoder decoder()
    {
        final F message = flyweight.get();
        return frame ->
        {
            final F decoded = message.decode(frame);
            require(decoded == message && decoded.buffer() == frame && 0 == decoded.offset(), "decode did not wrap it");
            require(decoded.frameLength() == frame.byteSize(),
                "frameLength() " + decoded.frameLength() + " of a " + frame.byteSize() + "-byte " + type + " frame");
            accepted.check(decoded, frame);
            require(!decoded.toString().isEmpty(), "empty toString()");
        };
    }
}
