/**
 * A WAL's history: its id and its epochs, each with the offset it starts at, persisted atomically beside the WAL.
 */
package dev.ferry.engine.history;
