/**
 * Handshake authentication: a {@link dev.ferry.net.auth.Secret} shared by primary and replicas and the HMAC-SHA256
 * proofs in {@code HELLO} and {@code WELCOME} with which each side shows it knows the secret. Authentication only:
 * nothing is encrypted.
 */
package dev.ferry.net.auth;
