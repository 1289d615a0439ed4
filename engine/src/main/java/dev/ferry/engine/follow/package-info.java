/**
 * The following side: {@link dev.ferry.engine.follow.FollowAgent}, the link to the upstream node as a duty cycle
 * (connect, handshake, stream, acknowledge, back off and reconnect), writing received batches into this node's WAL at
 * the upstream's offsets.
 */
package dev.ferry.engine.follow;
