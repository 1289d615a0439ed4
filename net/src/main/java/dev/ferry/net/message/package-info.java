/**
 * The control messages: one flyweight per message type ({@code HELLO}, {@code WELCOME}, {@code ACK}, {@code NACK},
 * {@code HEARTBEAT}, {@code ERROR}, {@code STATUS_REQUEST} and {@code PROMOTE_REQUEST}, {@code STATUS_RESPONSE},
 * {@code CHALLENGE}, {@code AUTH}, {@code SNAPSHOT_CHUNK}, {@code SNAPSHOT_END}, {@code DROP_SLOT_REQUEST},
 * {@code HOLD_SLOT_REQUEST}, {@code AUDIT_REQUEST}, {@code AUDIT_RESPONSE}) that encodes in place after the
 * 12-byte frame header and seals the frame, and decodes a frame {@link dev.ferry.wal.frame.FrameDecoder} has verified,
 * checking every field ({@link dev.ferry.wal.frame.FrameException}, code {@code PROTOCOL}). Batches are
 * {@link dev.ferry.wal.frame.BatchEncoder} / {@link dev.ferry.wal.frame.BatchDecoder}. {@code net/PROTOCOL.md} is the
 * byte-level specification.
 */
package dev.ferry.net.message;
