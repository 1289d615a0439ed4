/**
 * The serving side, run by a primary (and, with the operations issue, by a replica started with {@code --serve}):
 * {@link dev.ferry.engine.serve.ServeAgent}'s duty cycle accepts connections and runs one
 * {@code DownstreamSession} per downstream replica (handshake through {@link dev.ferry.engine.handshake.Resume},
 * batches read zero-copy from the replica's named cursor, acknowledgements, heartbeats, the status responder), keeps
 * every replica's {@link dev.ferry.engine.serve.ReplicaSlot} in the {@link dev.ferry.engine.serve.SlotTable} (and the
 * slots of holders that are not replicas: {@code HOLD_SLOT_REQUEST}, the archive shipper), and applies retention no
 * lower than the slowest slot (saved beside the WAL by {@code SlotStore}).
 */
package dev.ferry.engine.serve;
