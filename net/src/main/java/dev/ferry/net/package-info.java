/**
 * Bytes on the wire: NIO connections carrying Ferry frames through a {@link dev.ferry.net.Transport} (the socket
 * itself, or TLS from {@code dev.ferry.net.tls}), the handshake and control messages, idle strategies.
 */
package dev.ferry.net;
