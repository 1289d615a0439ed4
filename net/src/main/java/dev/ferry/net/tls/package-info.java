/**
 * TLS for Ferry's connections: {@link dev.ferry.net.tls.TlsTransport}, a non-blocking
 * {@link dev.ferry.net.Transport} over the JDK's {@link javax.net.ssl.SSLEngine}, made per connection by a
 * {@link dev.ferry.net.tls.TlsFactory} that loads a {@link dev.ferry.net.tls.TlsConfig}'s PEM files once. The Ferry
 * protocol runs unchanged inside TLS, on the same port; each side tells a peer in the other mode from its first bytes
 * (see {@code PROTOCOL.md}, "TLS").
 */
package dev.ferry.net.tls;
