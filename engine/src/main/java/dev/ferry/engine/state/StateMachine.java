package dev.ferry.engine.state;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * What an application implements to have Ferry apply the replicated log: entries in offset order, and snapshots
 * consistent at an offset so a node can start from one instead of the whole log. Called from one thread at a time.
 * <p>
 * A state machine is deterministic: applying the same entries from the same snapshot gives the same state on every
 * node. An entry it cannot apply (malformed for it) is refused with a {@code FerryException} of code
 * {@code APPLY}, and nothing of that entry may have been applied: Ferry then stops applying at that offset and keeps
 * the entry and everything after it in the WAL.
 */
public interface StateMachine
{
    /**
     * Apply one entry.
     *
     * @param offset the entry's offset: exactly {@link #appliedOffset()}.
     * @param entry  the entry's bytes, valid during the call only.
     * @throws dev.ferry.error.FerryException with code {@code APPLY} if the entry cannot be applied (nothing of it is).
     */
    void apply(long offset, MemorySegment entry);

    /**
     * @return the next offset to apply: every entry below it is applied (0 for an empty state).
     */
    long appliedOffset();

    /**
     * Write a snapshot of the state, consistent at {@link #appliedOffset()}, with its own checksum, so that
     * {@link #loadSnapshot} of those bytes gives this state back.
     *
     * @param out where the bytes go.
     * @throws IOException if writing fails.
     */
    void writeSnapshot(WritableByteChannel out) throws IOException;

    /**
     * Replace the state with a snapshot's.
     *
     * @param in the bytes {@link #writeSnapshot} wrote.
     * @throws IOException if reading fails.
     * @throws dev.ferry.error.FerryException with code {@code APPLY} (or {@code CHECKSUM}) for a malformed or damaged
     *                                        snapshot; the state is then unchanged.
     */
    void loadSnapshot(ReadableByteChannel in) throws IOException;
}
