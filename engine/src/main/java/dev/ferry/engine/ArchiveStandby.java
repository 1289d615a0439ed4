package dev.ferry.engine;

import dev.ferry.engine.agent.AgentRunner;
import dev.ferry.engine.archive.ArchiveFollower;
import dev.ferry.engine.archive.ArchiveStore;
import dev.ferry.engine.archive.Archives;
import dev.ferry.engine.follow.PromotionListener;
import dev.ferry.engine.history.History;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.auth.HandshakeAuth;
import dev.ferry.net.auth.Secret;
import dev.ferry.net.idle.IdleStrategies;
import dev.ferry.wal.WalConfig;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A replica that follows an archive instead of a primary ({@code ferry replica --from-archive URI}): it restores the
 * newest point, then appends and applies each segment as it is shipped ({@link ArchiveFollower}, on one thread,
 * {@code ferry-standby-ID}, that parks when idle: it never spins). Promotable like any replica: {@link #promote}, or
 * {@code ferry promote --replica HOST:PORT} on its {@code --serve} address, begins the next epoch on its WAL and opens
 * a primary there.
 */
public final class ArchiveStandby implements AutoCloseable
{
    /** How often the archive is listed for new segments. */
    public static final long POLL_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final String id;
    private final WalConfig wal;
    private final ArchiveStore store;
    private final ArchiveFollower follower;
    private final AgentRunner runner;
    private final Supplier<PrimaryConfig> promotedConfig;
    private final EventLog log;
    private PromotionListener promotion;
    private volatile Primary promoted;
    private volatile boolean promoting;

    private ArchiveStandby(final String id, final WalConfig wal, final String uri, final boolean stateMachine,
        final long snapshotEveryEntries, final Supplier<PrimaryConfig> promotedConfig, final EventLog log)
    {
        this.id = id;
        this.wal = wal;
        this.promotedConfig = promotedConfig;
        this.log = log;
        this.store = Archives.openExisting(uri);
        this.follower = new ArchiveFollower(store, wal, stateMachine ? dev.ferry.engine.state.KvStateMachine::new : null,
            snapshotEveryEntries, POLL_INTERVAL_NS, log);
        this.runner = new AgentRunner(follower, IdleStrategies.parse("park"), AgentRunner.daemon("ferry-standby-" + id),
            () -> { }, log::log, () -> { }, error -> log.log("archive standby " + id + " stopped: " + error));
    }

    /**
     * Start a standby.
     *
     * @param id                   its id (the node named by the epoch it begins if promoted).
     * @param wal                  its WAL settings.
     * @param uri                  the archive.
     * @param stateMachine         whether it keeps the key-value state.
     * @param snapshotEveryEntries save a state snapshot after this many entries applied.
     * @param serve                where {@code ferry promote} reaches it, or null.
     * @param secret               the secret a promotion request must prove.
     * @param promotedConfig       the settings of the primary it becomes (its listen address is {@code serve}).
     * @param log                  its event log.
     * @return the running standby.
     */
    public static ArchiveStandby start(final String id, final WalConfig wal, final String uri, final boolean stateMachine,
        final long snapshotEveryEntries, final InetSocketAddress serve, final Secret secret,
        final Supplier<PrimaryConfig> promotedConfig, final EventLog log)
    {
        final ArchiveStandby standby = new ArchiveStandby(id, wal, uri, stateMachine, snapshotEveryEntries,
            promotedConfig, log);
        if (serve != null)
        {
            try
            {
                standby.promotion = new PromotionListener(serve, new HandshakeAuth(secret), () ->
                {
                    final Primary opened = standby.promote(standby.promotedConfig.get().listen(serve));
                    return "{\"promoted\":true,\"replica\":\"" + id + "\",\"epoch\":" + opened.history().epoch() +
                        ",\"startOffset\":" + opened.history().current().startOffset() + ",\"historyId\":\"" +
                        opened.history().id() + "\",\"listen\":\"" + Endpoint.format(opened.localAddress()) + "\"}";
                }, log, "archive standby " + id);
            }
            catch (final RuntimeException ex)
            {
                standby.store.close();
                throw ex;
            }
        }
        standby.runner.start();
        return standby;
    }

    /**
     * Stop following and open a primary on this WAL at the next epoch, begun by this standby.
     *
     * @param primary the primary's settings; its WAL settings are replaced by this standby's.
     * @return the running primary.
     * @throws FerryException CONFIGURATION if nothing was restored yet.
     */
    public synchronized Primary promote(final PrimaryConfig primary)
    {
        promoting = true;
        if (promotion != null)
        {
            promotion.close(); // its address becomes the primary's
        }
        runner.stop();
        store.close();
        if (History.load(wal.directory()) == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "archive standby " + id + " restored nothing yet: there is " +
                "nothing to promote");
        }
        final Primary opened = Primary.open(primary.wal(wal.copy()).promotedBy(id));
        promoted = opened;
        log.log("archive standby " + id + " promoted: primary at epoch " + opened.history().epoch() + " from offset " +
            opened.history().current().startOffset());
        return opened;
    }

    /**
     * @return the follower (its offsets and generation).
     */
    public ArchiveFollower follower()
    {
        return follower;
    }

    /**
     * @return the primary it became, or null.
     */
    public Primary promoted()
    {
        return promoted;
    }

    /**
     * @return whether a promotion began.
     */
    public boolean promoting()
    {
        return promoting;
    }

    @Override
    public synchronized void close()
    {
        if (promotion != null)
        {
            promotion.close();
        }
        runner.stop();
        store.close();
        final Primary primary = promoted;
        if (primary != null)
        {
            primary.close();
        }
    }
}
