/**
 * Benchmarks of the state machines: the key-value state machine's apply path.
 */
package dev.ferry.jmh.state;
