/**
 * A node's status as one JSON document: written for {@code STATUS_RESPONSE} and {@code ferry status --json}, read
 * back by {@link dev.ferry.engine.status.StatusClient}.
 */
package dev.ferry.engine.status;
