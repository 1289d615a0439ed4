/**
 * Bytes on the wire: NIO connections carrying Ferry frames, the handshake and control messages, idle strategies.
 */
package dev.ferry.net;
