package dev.ferry.engine.serve;

/**
 * The sessions of a serving node, as one session needs to see the others: at most one connection per replica id.
 */
interface Sessions
{
    /**
     * A replica that passed the handshake replaces any older connection of the same id (it reconnected).
     *
     * @param newer     the session that passed.
     * @param replicaId its replica's id.
     */
    void replaceOlderSession(DownstreamSession newer, String replicaId);

    /**
     * @param session   a closing session.
     * @param replicaId its replica's id.
     * @return true if no other open session serves that replica (so the slot may be marked disconnected).
     */
    boolean ownsSlot(DownstreamSession session, String replicaId);

    /**
     * A connection that never authenticated was refused or closed: logged at a bounded rate.
     *
     * @param line what happened.
     */
    void strangerRefused(String line);

    /**
     * @return the node's state machine's applier (its snapshots are what a replica brought back by a snapshot gets),
     *         or null if it runs none.
     */
    dev.ferry.engine.state.Applier applier();

    /**
     * @return the average size of an entry in bytes, as far as this node has seen (0 before any): to estimate the WAL
     *         bytes after an offset.
     */
    long averageEntryBytes();

    /**
     * Drop a disconnected replica's slot (an operator's authenticated request): it no longer holds retention back.
     *
     * @param id the replica's id.
     * @return the answer, a JSON document: the slot dropped, where it held retention, how much.
     * @throws dev.ferry.error.FerryException CONFIGURATION if there is no such slot or its replica is connected.
     */
    String dropSlot(String id);

    /**
     * Hold a slot for a process that is not a replica (an authenticated {@code HOLD_SLOT_REQUEST}: the archive shipper)
     * at {@code nextOffset}: create it, or move a disconnected one there (forward or back); it then holds retention as
     * a disconnected replica's slot does, cap included, and is saved at once.
     *
     * @param id         the slot's id (a valid replica id).
     * @param nextOffset the first offset the holder still needs; above the head it is held at the head.
     * @return the answer, a JSON document: {@code {"held":ID,"from":N,"head":H,"oldest":O}}.
     * @throws dev.ferry.error.FerryException CONFIGURATION if a replica of that id is connected, RETENTION if
     *                                        {@code nextOffset} is below the oldest offset retained.
     */
    String holdSlot(String id, long nextOffset);
}
