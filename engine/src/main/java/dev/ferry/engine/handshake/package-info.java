/**
 * The handshake's resume decision: from what a replica's {@code HELLO} says and what the serving WAL holds, a pure
 * function decides what the replica gets ({@link dev.ferry.engine.handshake.Resume}); the session code around it
 * only encodes and decodes.
 */
package dev.ferry.engine.handshake;
