package dev.ferry.engine.state;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.agent.Agent;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.EntryHandler;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalEntry;

import java.util.concurrent.TimeUnit;

/**
 * Applies a node's WAL to its state machine from a cursor of its own, as a duty cycle, so that whoever appends (an
 * application's thread, a replica's receiver) never pays for applying. On open it loads the newest snapshot of the
 * node's {@link StateStore} and replays the WAL from there; while running it saves a snapshot every
 * {@code snapshotEveryEntries} entries and when closed. A large state ({@value #LARGE_STATE_BYTES} bytes of snapshot or
 * more) is saved less often: only once the WAL bytes applied since its last snapshot reach
 * {@value #SNAPSHOT_WAL_RATIO} times that snapshot's size, so its snapshots never write more than a quarter of what
 * the WAL itself writes (a snapshot is written, sorted, on the applying thread: 9 MB every 100,000 entries of 64 B
 * doubled the bytes a key-value node wrote, and took about a fifth of its CPU per entry).
 * <p>
 * An entry the state machine refuses ({@code APPLY}) stops applying at its offset: {@link #lastError()} names it, the
 * entry and everything after it stay in the WAL, and nothing more is applied until the node is restarted (after the
 * cause is fixed). {@link #appliedOffset()} is readable from any thread; the rest belongs to the thread running it.
 */
public final class Applier implements Agent
{
    /** Entries applied per cycle beyond what the WAL grew by: how fast a backlog from before is caught up. */
    private static final int BATCH = 256;
    /** The most entries applied in one cycle (a few ms of the node's thread). */
    private static final int MAX_BATCH = 65_536;
    /** The snapshot size from which snapshots are spaced by the WAL bytes they cost. */
    static final long LARGE_STATE_BYTES = 1 << 20;
    /** WAL bytes applied between two snapshots of a large state, in multiples of the last snapshot's size. */
    static final long SNAPSHOT_WAL_RATIO = 4;
    /** The least time between two snapshots of a large state. */
    static final long LARGE_STATE_MIN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final Wal wal;
    private final StateMachine state;
    private final StateStore store;
    private final long snapshotEveryEntries;
    private final boolean saves;
    private final EventLog log;
    private WalCursor cursor; // opened by the thread that applies, on its first cycle (a Chronicle tailer is one thread's)
    private final EntryHandler onEntry = this::onEntry;
    private volatile long appliedOffset;
    private volatile long snapshotOffset;
    private volatile FerryException lastError;
    private long appliedSinceSnapshot;
    private long appliedBytesSinceSnapshot;
    private long lastSnapshotBytes;
    private long appliedEntries;
    private long appliedBytes;
    private long walSeen; // the WAL's next offset at the last cycle
    private long lastSnapshotNs = Long.MIN_VALUE; // when doWork last saved one (a large state's is due by bytes and time)
    private boolean closed;

    private Applier(final Wal wal, final StateMachine state, final StateStore store, final long snapshotEveryEntries,
        final boolean saves, final EventLog log)
    {
        this.saves = saves;
        this.wal = wal;
        this.state = state;
        this.store = store;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.log = log;
    }

    /**
     * Load the newest snapshot, then position the cursor to replay the WAL after it.
     *
     * @param wal                  the node's WAL.
     * @param state                an empty state machine.
     * @param snapshotEveryEntries save a snapshot after this many entries applied (0: only on close).
     * @param log                  the node's event log.
     * @return the applier, not yet run.
     * @throws FerryException APPLY if the state cannot be rebuilt: no snapshot, and the WAL no longer starts at the
     *                        state's offset (retention deleted entries it would need).
     */
    public static Applier open(final Wal wal, final StateMachine state, final long snapshotEveryEntries, final EventLog log)
    {
        return open(wal, state, snapshotEveryEntries, true, log);
    }

    /**
     * As {@link #open(Wal, StateMachine, long, EventLog)}, for a tool that reads a node's state beside it: it loads
     * the newest snapshot and replays, but never saves one (it writes nothing).
     *
     * @param wal   the node's WAL, opened read-only.
     * @param state an empty state machine.
     * @param log   told of a damaged snapshot.
     * @return the applier.
     */
    public static Applier openReadOnly(final Wal wal, final StateMachine state, final EventLog log)
    {
        return open(wal, state, 0, false, log);
    }

    /**
     * An applier for a state just loaded from the snapshot saved in {@code wal}'s state directory at the state's
     * applied offset (a snapshot resync), over a WAL that starts there: nothing is loaded again.
     *
     * @param wal                  the node's new WAL.
     * @param state                the state machine, holding the snapshot's state.
     * @param snapshotEveryEntries as {@link #open(Wal, StateMachine, long, EventLog)}.
     * @param log                  the node's event log.
     * @return the applier, not yet run.
     */
    public static Applier adopt(final Wal wal, final StateMachine state, final long snapshotEveryEntries,
        final EventLog log)
    {
        final Applier applier = new Applier(wal, state, new StateStore(wal.directory()), snapshotEveryEntries, true, log);
        final long from = state.appliedOffset();
        applier.appliedOffset = from;
        applier.snapshotOffset = from;
        return applier;
    }

    private static Applier open(final Wal wal, final StateMachine state, final long snapshotEveryEntries,
        final boolean saves, final EventLog log)
    {
        final StateStore store = new StateStore(wal.directory());
        final long loaded = store.loadNewest(state, log);
        final Applier applier = new Applier(wal, state, store, snapshotEveryEntries, saves, log);
        final long from = state.appliedOffset();
        // an empty WAL beside a snapshot is a replica that loaded the snapshot and received nothing after it yet:
        // nothing to replay (a node opens such a WAL at the snapshot's offset: StateStore.startingAtSnapshot)
        final boolean held = from >= wal.oldestOffset() && from <= wal.nextOffset();
        // (a tool reading it opens the WAL read-only, at offset 0: nothing to replay either)
        if (!held && !(wal.isEmpty() && loaded >= 0 && wal.config().readOnly()))
        {
            throw new FerryException(ErrorCode.APPLY, "the state cannot be rebuilt: it stands at offset " + from +
                (loaded < 0 ? " (no snapshot in " + wal.directory().resolve(StateStore.DIRECTORY) + ")" : " (snapshot)") +
                " but the WAL holds offsets " + wal.oldestOffset() + " to " + (wal.nextOffset() - 1) +
                (from < wal.oldestOffset() ? " (TOO_OLD)" : " (FUTURE)") + "; a resync rebuilds it");
        }
        applier.appliedOffset = from;
        applier.snapshotOffset = Math.max(loaded, 0);
        if (loaded >= 0)
        {
            log.log("state loaded from the snapshot at offset " + loaded + "; replaying the WAL from there");
        }
        return applier;
    }

    /**
     * Apply, at the pace of the WAL: what it grew by since the last cycle (a replica's receiver appended it, or the
     * primary's writers did), and a batch of an older backlog more.
     */
    @Override
    public int doWork(final long nowNs)
    {
        final long next = wal.nextOffset();
        return apply(nowNs, cursor == null ? 0 : next - walSeen, next);
    }

    /**
     * Apply the entries that came in at a pace the caller sets (a primary: what its thread sent to replicas, so that
     * a writer faster than the node leaves the local state behind, not replication), and a batch more.
     *
     * @param nowNs the time.
     * @param pace  entries the caller's cycle moved; at most {@value #MAX_BATCH} are applied.
     * @return entries applied.
     */
    public int doWork(final long nowNs, final long pace)
    {
        return apply(nowNs, pace, wal.nextOffset());
    }

    private int apply(final long nowNs, final long pace, final long next)
    {
        walSeen = next;
        if (lastError != null || closed)
        {
            return 0;
        }
        if (cursor == null)
        {
            cursor = wal.cursor(); // here, on the thread that polls it: a Chronicle tailer belongs to one thread
            cursor.seek(appliedOffset);
        }
        final int budget = (int)Math.min(MAX_BATCH, BATCH + Math.max(0, pace));
        final int applied;
        try
        {
            applied = cursor.poll(onEntry, budget);
        }
        catch (final RuntimeException ex)
        {
            // a refused entry (APPLY), or the state machine's own failure: applying stops here, replication does not
            appliedOffset = state.appliedOffset(); // the entries of this poll before the refused one
            lastError = ex instanceof FerryException fe ? fe :
                new FerryException(ErrorCode.INTERNAL, "the state machine failed at offset " + appliedOffset + ": " + ex, ex);
            log.log("state machine stopped: " + lastError.getMessage() + "; the WAL keeps that entry and everything after it");
            return 1;
        }
        if (applied > 0)
        {
            appliedOffset = state.appliedOffset();
            appliedSinceSnapshot += applied;
            if (saves && snapshotEveryEntries > 0 && appliedSinceSnapshot >= snapshotEveryEntries &&
                (lastSnapshotBytes < LARGE_STATE_BYTES ||
                    appliedBytesSinceSnapshot >= SNAPSHOT_WAL_RATIO * lastSnapshotBytes &&
                        (lastSnapshotNs == Long.MIN_VALUE || nowNs - lastSnapshotNs >= LARGE_STATE_MIN_INTERVAL_NS)))
            {
                snapshot();
                lastSnapshotNs = nowNs;
            }
        }
        return applied;
    }

    private boolean onEntry(final WalEntry entry)
    {
        state.apply(entry.offset(), entry.payload());
        appliedEntries++;
        appliedBytes += entry.length();
        appliedBytesSinceSnapshot += entry.length();
        return true;
    }

    /**
     * @return the average length of the entries applied since this applier opened (0 before any), on its thread: an
     *         estimate of the WAL bytes a number of entries take.
     */
    public long averageEntryBytes()
    {
        return appliedEntries == 0 ? 0 : appliedBytes / appliedEntries;
    }

    /**
     * Save a snapshot of the state now.
     */
    public void snapshot()
    {
        snapshotOffset = store.save(state, wal.chainBefore(state.appliedOffset()));
        appliedSinceSnapshot = 0;
        appliedBytesSinceSnapshot = 0;
        try
        {
            lastSnapshotBytes = java.nio.file.Files.size(store.file(snapshotOffset));
        }
        catch (final java.io.IOException ex)
        {
            lastSnapshotBytes = 0; // removed already (a concurrent prune): the next one is due by entries alone
        }
    }

    /**
     * @return every entry below this is applied.
     */
    public long appliedOffset()
    {
        return appliedOffset;
    }

    /**
     * @return whether there is nothing to apply now: every entry the WAL holds is applied, or applying has stopped.
     */
    public boolean caughtUp()
    {
        return lastError != null || appliedOffset >= wal.nextOffset();
    }

    /**
     * @return the offset of the newest snapshot saved: the WAL must keep its entries from here for a restart.
     */
    public long snapshotOffset()
    {
        return snapshotOffset;
    }

    /**
     * @return the error that stopped applying, or null.
     */
    public FerryException lastError()
    {
        return lastError;
    }

    /**
     * @return the state machine (owned by the thread running this agent).
     */
    public StateMachine state()
    {
        return state;
    }

    @Override
    public String roleName()
    {
        return "ferry-apply";
    }

    /**
     * Release the cursor without saving a snapshot: the state machine's state is being replaced (a snapshot resync
     * loaded another one into it). Idempotent with {@link #close()}.
     */
    public void abandon()
    {
        if (!closed)
        {
            closed = true;
            if (cursor != null)
            {
                cursor.close();
            }
        }
    }

    /**
     * Save a last snapshot (so a restart replays little) and release the cursor. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (saves && appliedSinceSnapshot > 0 && lastError == null)
            {
                snapshot();
            }
        }
        catch (final FerryException ex)
        {
            log.log("could not save the state at close (" + ex.getMessage() + "); a restart replays more of the WAL");
        }
        finally
        {
            if (cursor != null)
            {
                cursor.close();
            }
        }
    }
}
