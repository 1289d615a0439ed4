/**
 * The embedding API: {@link dev.ferry.engine.Primary} and {@link dev.ferry.engine.Replica}, their configs, statuses,
 * listeners and states, and where a node listens ({@link dev.ferry.engine.NodeAddress}, beside its WAL). The roles
 * below it: {@code agent} (who runs the duty cycles), {@code serve} (the serving side),
 * {@code follow} (the following side), {@code handshake} (the resume decision), {@code history}, {@code status} and
 * {@code cli} (the {@code ferry} command line).
 */
package dev.ferry.engine;
