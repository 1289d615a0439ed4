package dev.ferry.engine.resp;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.agent.Agent;
import dev.ferry.engine.state.KvEntry;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;
import dev.ferry.net.SelectorParker;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Redis-protocol listener of a node: a duty cycle run by the node's own thread (the primary's sender, the
 * replica's follower), so the commands, the appends and the applying of the state share one thread and no lock. It
 * never blocks: clients are non-blocking sockets watched by a selector of its own (and by the thread's parker, so a
 * parked node wakes for a request), pipelined requests run in order, {@code WAIT} and synchronous writes park only the
 * client that asked. The writes of one cycle are committed together: the WAL's sync policy is applied once (under
 * {@code --sync batch}, one fsync for all of them) before any reply acknowledging them is sent.
 * <p>
 * Bounded per client: a request is at most one argument of {@code maxBulkBytes} (longer is Redis' protocol error, then
 * a close); a client whose unsent replies pass {@value #PAUSE_BYTES} bytes is not read until they drain (a client that
 * never reads its replies stops being served, nobody else notices), and one whose replies pass
 * {@value #OUTPUT_LIMIT_BYTES} bytes is closed, as Redis' {@code client-output-buffer-limit} does. At most
 * {@code maxClients} connections ({@code -ERR max number of clients reached} after that).
 * <p>
 * On a primary it also expires keys actively, as Redis does: every {@value #EXPIRE_PERIOD_MS} ms, up to
 * {@value #EXPIRE_BATCH} keys whose expiry has passed are deleted by one entry, so replicas drop them too.
 */
public final class RespServer implements Agent
{
    /** Unsent reply bytes above which a client's requests are not read. */
    static final int PAUSE_BYTES = 256 * 1024;
    /** Unsent reply bytes above which a client is closed. */
    static final int OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024;
    /** Redis' default {@code maxclients}. */
    public static final int MAX_CLIENTS_DEFAULT = 10_000;
    static final long EXPIRE_PERIOD_MS = 100;
    static final int EXPIRE_BATCH = 1000;
    private static final int ACCEPTS_PER_CYCLE = 64;
    private static final int READS_PER_EVENT = 4;
    private static final byte[] MAX_CLIENTS_REPLY = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    private final RespNode node;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectorParker parker;
    private final byte[] password;
    private final int maxBulkBytes;
    private final int maxClients;
    private final EventLog log;
    private final KvCommands commands;
    private final Map<Long, RespClient> clients = new LinkedHashMap<>();
    private final List<RespClient> blocked = new ArrayList<>();
    private final ArrayDeque<RespClient> runnable = new ArrayDeque<>();
    private final List<RespClient> awaitingCommit = new ArrayList<>();
    private final KvEntryWriter expiries = new KvEntryWriter(256);
    private final List<byte[]> expired = new ArrayList<>();
    private final long startedMillis = System.currentTimeMillis();
    private long nextClientId = 1;
    private long nextExpireNs;
    private long commandsProcessed;
    private long connectionsReceived;
    private long rejectedConnections;
    private int pendingOutput; // clients with unsent replies
    private boolean closed;

    /**
     * Bind the listener. Run it by adding it to the node's duty cycle; close it with the node.
     *
     * @param node         the node it serves.
     * @param listen       where to listen.
     * @param password     the password {@code AUTH} must give, or null for none (then no {@code AUTH} is needed).
     * @param parker       the parker of the node's thread, woken by clients.
     * @param maxBulkBytes the longest argument (and value) accepted: the WAL's largest entry.
     * @param maxClients   the most connections at once.
     * @param log          the node's event log.
     * @throws FerryException CONFIGURATION if the address is in use, CONNECTION if it cannot be bound.
     */
    public RespServer(final RespNode node, final InetSocketAddress listen, final byte[] password, final SelectorParker parker,
        final int maxBulkBytes, final int maxClients, final EventLog log)
    {
        this.node = node;
        this.password = password == null ? null : password.clone();
        this.parker = parker;
        this.maxBulkBytes = maxBulkBytes;
        this.maxClients = maxClients;
        this.log = log;
        this.commands = new KvCommands(node, this, maxBulkBytes);
        ServerSocketChannel channel = null;
        Selector opened = null;
        try
        {
            channel = ServerSocketChannel.open();
            channel.bind(listen, 511);
            channel.configureBlocking(false);
            opened = Selector.open();
            channel.register(opened, SelectionKey.OP_ACCEPT);
        }
        catch (final BindException ex)
        {
            closeQuietly(channel, opened);
            throw new FerryException(ErrorCode.CONFIGURATION, "cannot listen for Redis clients on " + Endpoint.format(listen) +
                ": " + ex.getMessage() + " (is another process using the port?)", ex);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel, opened);
            throw new FerryException(ErrorCode.CONNECTION, "cannot listen for Redis clients on " + Endpoint.format(listen) +
                ": " + ex, ex);
        }
        this.server = channel;
        this.selector = opened;
    }

    private static void closeQuietly(final ServerSocketChannel channel, final Selector selector)
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
            if (selector != null)
            {
                selector.close();
            }
        }
        catch (final IOException ignore)
        {
            // failing already
        }
    }

    /** @return the address it listens on. */
    public InetSocketAddress address()
    {
        try
        {
            return (InetSocketAddress)server.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "the Redis listener is closed", ex);
        }
    }

    int port()
    {
        return address().getPort();
    }

    int maxClients()
    {
        return maxClients;
    }

    boolean requiresPassword()
    {
        return password != null;
    }

    @Override
    public void onStart()
    {
        parker.wakeOnAccept(server);
    }

    /**
     * @return true when only a new request (or connection) can give this listener work: no reply waits to be sent,
     *         no client is blocked, no request is buffered.
     */
    public boolean idle()
    {
        return pendingOutput == 0 && blocked.isEmpty() && runnable.isEmpty();
    }

    @Override
    public int doWork(final long nowNs)
    {
        if (closed)
        {
            return 0;
        }
        int work = 0;
        try
        {
            if (selector.selectNow() > 0)
            {
                final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext())
                {
                    final SelectionKey key = keys.next();
                    keys.remove();
                    if (key.attachment() instanceof RespClient client && key.isValid())
                    {
                        work += serve(client, key);
                    }
                    else if (key.isValid() && key.isAcceptable())
                    {
                        // only when the selector says a connection waits: an accept() that finds none still costs the
                        // kernel a socket inode (ServeAgent measured ~5% of its thread)
                        work += accept();
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONNECTION, "the Redis listener's selector failed: " + ex, ex);
        }
        for (int i = runnable.size(); i > 0; i--)
        {
            final RespClient client = runnable.poll();
            if (!client.closed)
            {
                work += run(client);
            }
        }
        if (!blocked.isEmpty())
        {
            work += unblock(nowNs);
        }
        if (node.primary() && nowNs - nextExpireNs >= 0)
        {
            nextExpireNs = nowNs + TimeUnit.MILLISECONDS.toNanos(EXPIRE_PERIOD_MS);
            final int expired = expire();
            if (expired > 0)
            {
                node.commit();
                work += expired;
            }
        }
        return work + commit();
    }

    private int accept()
    {
        int accepted = 0;
        while (accepted < ACCEPTS_PER_CYCLE)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                log.log("redis listener: accept failed: " + ex);
                return accepted;
            }
            if (channel == null)
            {
                return accepted;
            }
            accepted++;
            connectionsReceived++;
            try
            {
                channel.configureBlocking(false);
                channel.socket().setTcpNoDelay(true);
                if (clients.size() >= maxClients)
                {
                    rejectedConnections++;
                    channel.write(java.nio.ByteBuffer.wrap(MAX_CLIENTS_REPLY));
                    channel.close();
                    continue;
                }
                final RespClient client = new RespClient(nextClientId++, channel, maxBulkBytes, password == null,
                    String.valueOf(channel.getRemoteAddress()).replace("/", ""));
                client.key = channel.register(selector, SelectionKey.OP_READ, client);
                parker.wakeOnRead(channel);
                clients.put(client.id, client);
            }
            catch (final IOException | RuntimeException ex)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // it was failing already
                }
            }
        }
        return accepted;
    }

    /** A client's socket is readable or writable. */
    private int serve(final RespClient client, final SelectionKey key)
    {
        try
        {
            if (key.isWritable())
            {
                flush(client);
                if (client.closed)
                {
                    return 1;
                }
            }
            if (key.isReadable() && !client.blocked() && client.out.pending() < PAUSE_BYTES)
            {
                for (int i = 0; i < READS_PER_EVENT; i++)
                {
                    final int read = client.parser.readFrom(client.channel);
                    if (read < 0)
                    {
                        close(client);
                        return 1;
                    }
                    if (read == 0 || !client.parser.filledLastRead())
                    {
                        break; // drained: another read would find nothing
                    }
                }
                return 1 + run(client);
            }
            return 1;
        }
        catch (final IOException ex)
        {
            close(client); // reset by the peer, or the like: nothing to tell it
            return 1;
        }
    }

    /** Execute the client's complete requests, in order, until it blocks, pauses or has none left; then send. */
    private int run(final RespClient client)
    {
        int executed = 0;
        while (!client.blocked() && !client.closeAfterReply && client.out.pending() < PAUSE_BYTES)
        {
            final List<byte[]> request;
            try
            {
                request = client.parser.next();
            }
            catch (final RespParser.ProtocolError ex)
            {
                client.out.error("ERR " + ex.getMessage());
                client.closeAfterReply = true;
                break;
            }
            if (request == null)
            {
                break;
            }
            if (request.isEmpty())
            {
                continue;
            }
            client.heldReplyMark = client.out.pending();
            final long lastWrite = client.lastWriteOffset;
            commands.execute(client, request);
            commandsProcessed++;
            executed++;
            if (client.lastWriteOffset != lastWrite && !client.awaitingCommit)
            {
                client.awaitingCommit = true; // its replies go out after this cycle's group commit
                awaitingCommit.add(client);
            }
            if (client.blocked())
            {
                blocked.add(client);
            }
        }
        if (!client.awaitingCommit)
        {
            send(client);
        }
        return executed;
    }

    private void send(final RespClient client)
    {
        try
        {
            flush(client);
        }
        catch (final IOException ex)
        {
            close(client);
        }
    }

    /**
     * The group commit: the WAL's sync policy applied once to every write of this cycle ({@code --sync batch}: one
     * fsync), then the replies that acknowledge them are sent. A reply never tells a client of a write the policy
     * has not made as durable as it promises.
     */
    private int commit()
    {
        if (awaitingCommit.isEmpty())
        {
            return 0;
        }
        node.commit();
        for (int i = 0, n = awaitingCommit.size(); i < n; i++)
        {
            final RespClient client = awaitingCommit.get(i);
            client.awaitingCommit = false;
            if (!client.closed)
            {
                send(client);
            }
        }
        awaitingCommit.clear();
        return 1;
    }

    /** Send what the socket takes; watch for writability while replies remain; close when due. */
    private void flush(final RespClient client) throws IOException
    {
        if (client.block == RespClient.Block.SYNC_WRITE)
        {
            return; // the held reply goes once the replicas have the write
        }
        final int before = client.out.pending();
        client.out.drainTo(client.channel);
        final int after = client.out.pending();
        if (after > 0 != client.countedPending)
        {
            client.countedPending = after > 0;
            pendingOutput += after > 0 ? 1 : -1;
        }
        if (after > OUTPUT_LIMIT_BYTES)
        {
            log.log("redis listener: closing client " + client.address + ": " + after + " bytes of replies unread " +
                "(limit " + OUTPUT_LIMIT_BYTES + ")");
            close(client);
            return;
        }
        if (client.closeAfterReply && after == 0)
        {
            close(client);
            return;
        }
        final int interest = (after > 0 ? SelectionKey.OP_WRITE : 0) |
            (after < PAUSE_BYTES && !client.blocked() && !client.closeAfterReply ? SelectionKey.OP_READ : 0);
        if (client.key.isValid() && client.key.interestOps() != interest)
        {
            client.key.interestOps(interest);
        }
        if (before >= PAUSE_BYTES && after < PAUSE_BYTES && client.parser.buffered() > 0)
        {
            runnable.add(client); // it was paused with requests buffered: nobody else will wake it
        }
    }

    /** Release the blocked clients whose replicas caught up or whose time ran out. */
    private int unblock(final long nowNs)
    {
        int released = 0;
        for (int i = blocked.size() - 1; i >= 0; i--)
        {
            final RespClient client = blocked.get(i);
            if (client.closed)
            {
                blocked.remove(i);
                continue;
            }
            final int count = node.replicasAt(client.blockOffset, client.blockLevel);
            final boolean met = count >= client.blockReplicas;
            if (!met && nowNs - client.blockDeadlineNs < 0)
            {
                continue;
            }
            switch (client.block)
            {
                case WAIT -> client.out.integer(count);
                case WAIT_AOF ->
                {
                    client.out.array(2);
                    client.out.integer(client.blockLocal);
                    client.out.integer(count);
                }
                case SYNC_WRITE ->
                {
                    if (!met)
                    {
                        client.out.truncate(client.heldReplyMark);
                        client.out.error("TIMEOUT the write is in the WAL at offset " + client.blockOffset + " and keeps " +
                            "replicating, but " + count + " of the " + client.blockReplicas + " replicas required had it " +
                            client.blockLevel + " within the sync timeout");
                    }
                }
                default -> throw new IllegalStateException("not blocked: " + client.block);
            }
            client.block = RespClient.Block.NONE;
            blocked.remove(i);
            runnable.add(client);
            released++;
        }
        return released;
    }

    /** A synchronous write: hold the client's reply until {@link RespNode#syncReplicas()} have {@code offset}. */
    void holdReply(final RespClient client, final long offset)
    {
        client.block(RespClient.Block.SYNC_WRITE, offset, node.syncReplicas(), node.syncLevel(),
            System.nanoTime() + node.syncTimeoutNs());
    }

    /** Active expiry: delete keys whose time has passed, one entry per database. */
    private int expire()
    {
        int deleted = 0;
        final long now = System.currentTimeMillis();
        for (int db = 0; db < KvEntry.DATABASES; db++)
        {
            if (node.state().expiringCount(db) == 0)
            {
                continue;
            }
            expired.clear();
            node.state().collectExpired(db, now, EXPIRE_BATCH, expired);
            if (expired.isEmpty())
            {
                continue;
            }
            expiries.reset();
            for (final byte[] key : expired)
            {
                expiries.delete(db, MemorySegment.ofArray(key));
            }
            try
            {
                node.write(expiries.entry());
                deleted += expired.size();
            }
            catch (final FerryException ex)
            {
                return deleted; // a fenced or stopped primary: the keys read as absent anyway
            }
        }
        return deleted;
    }

    /**
     * Check a user and password against {@code --resp-password-file}; on failure write Redis' error.
     *
     * @return true if the client is now authenticated.
     */
    boolean authenticate(final RespClient client, final byte[] user, final byte[] given)
    {
        final boolean userOk = "default".equals(new String(user, StandardCharsets.ISO_8859_1));
        final boolean passwordOk = password == null || MessageDigest.isEqual(password, given);
        if (userOk && passwordOk)
        {
            client.authenticated = true;
            return true;
        }
        client.out.error("WRONGPASS invalid username-password pair or user is disabled.");
        return false;
    }

    String describe(final RespClient client)
    {
        final long now = System.currentTimeMillis();
        return "id=" + client.id + " addr=" + client.address + " laddr=" + address().toString().replace("/", "") +
            " fd=0 name=" + (client.name == null ? "" : client.name) + " age=" + (now - client.createdMillis) / 1000 +
            " idle=" + (now - client.lastCommandMillis) / 1000 + " flags=N db=" + client.db + " sub=0 psub=0 ssub=0 " +
            "multi=-1 qbuf=" + client.parser.buffered() + " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 " +
            "omem=" + client.out.pending() + " tot-mem=0 events=r cmd=" + client.lastCommand +
            " user=default redir=-1 resp=2";
    }

    String describeAll()
    {
        final StringBuilder text = new StringBuilder();
        for (final RespClient client : clients.values())
        {
            text.append(describe(client)).append('\n');
        }
        return text.toString();
    }

    List<String> serverInfo()
    {
        final long uptime = (System.currentTimeMillis() - startedMillis) / 1000;
        return List.of(
            "redis_version:" + KvCommands.VERSION,
            "redis_mode:standalone",
            "os:" + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
            "arch_bits:64",
            "multiplexing_api:epoll",
            "process_id:" + ProcessHandle.current().pid(),
            "tcp_port:" + port(),
            "uptime_in_seconds:" + uptime,
            "uptime_in_days:" + uptime / 86_400,
            "total_connections_received:" + connectionsReceived,
            "total_commands_processed:" + commandsProcessed,
            "rejected_connections:" + rejectedConnections);
    }

    List<String> clientsInfo()
    {
        return List.of(
            "connected_clients:" + clients.size(),
            "maxclients:" + maxClients,
            "blocked_clients:" + blocked.size());
    }

    private void close(final RespClient client)
    {
        if (client.closed)
        {
            return;
        }
        client.closed = true;
        if (client.countedPending)
        {
            client.countedPending = false;
            pendingOutput--;
        }
        client.out.clear();
        clients.remove(client.id);
        try
        {
            client.channel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        parker.forgetClosed();
    }

    @Override
    public String roleName()
    {
        return "ferry-resp";
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final RespClient client : new ArrayList<>(clients.values()))
        {
            close(client);
        }
        closeQuietly(server, selector);
    }
}
