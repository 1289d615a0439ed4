/**
 * The Redis-protocol (RESP2) front end on a node's key-value state: {@link dev.ferry.engine.resp.RespServer}, a duty
 * cycle on the node's own thread that accepts clients, parses their requests ({@link dev.ferry.engine.resp.RespParser}),
 * executes them ({@link dev.ferry.engine.resp.KvCommands}) and writes the replies
 * ({@link dev.ferry.engine.resp.RespOutput}). On a primary each write is one WAL entry, appended and then applied
 * before the next command runs; on a replica writes are refused with Redis' {@code READONLY} error.
 */
package dev.ferry.engine.resp;
