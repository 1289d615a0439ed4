/**
 * Replication: the primary, replicas, sessions, acknowledgements, status, and the {@code ferry} command line.
 */
package dev.ferry.engine;
