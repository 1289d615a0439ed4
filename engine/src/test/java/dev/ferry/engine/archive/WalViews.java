package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalDigest;

import java.nio.file.Path;

/**
 * What the archive tests compare of two WAL directories: the digest of a range (as {@code ferry checksum}) and the
 * key-value state a node rebuilds from them (snapshot bytes: equal states give equal bytes).
 */
public final class WalViews
{
    private WalViews()
    {
    }

    /**
     * @param walDir a WAL directory.
     * @param from   the first offset, or -1 for the oldest.
     * @param to     the last offset, or -1 for the newest.
     * @return the digest line, as {@code ferry checksum} prints it.
     */
    public static String digest(final Path walDir, final long from, final long to)
    {
        try (Wal w = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            w.refresh();
            return WalDigest.of(w, from, to).toString();
        }
    }

    /**
     * @param walDir a WAL directory with a key-value state.
     * @return the state a node rebuilds from it (its newest snapshot, then the WAL), as snapshot bytes.
     */
    public static byte[] state(final Path walDir)
    {
        try (Wal w = Wal.open(new WalConfig().directory(walDir).readOnly(true)))
        {
            w.refresh();
            final KvStateMachine state = new KvStateMachine();
            try (Applier applier = Applier.openReadOnly(w, state, EventLog.NONE))
            {
                while (applier.doWork(System.nanoTime()) > 0)
                {
                    // replay
                }
            }
            return StateStore.snapshotBytes(state);
        }
    }
}
