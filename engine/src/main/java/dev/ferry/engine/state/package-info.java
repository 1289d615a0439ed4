/**
 * The state machine SPI ({@link dev.ferry.engine.state.StateMachine}) an application implements to have Ferry apply
 * replicated entries, and the built-in key-value state machine ({@link dev.ferry.engine.state.KvStateMachine}, entries
 * in the {@link dev.ferry.engine.state.KvEntry} layout).
 */
package dev.ferry.engine.state;
