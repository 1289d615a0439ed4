package dev.ferry.engine;

import dev.ferry.engine.resp.RespConfig;
import dev.ferry.engine.state.KvStateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Redis client (Jedis) against a Ferry primary and its replica, both serving Redis clients: every command sees
 * every earlier one, replicas serve reads and refuse writes, WAIT means applied, expiry is the same on both nodes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RespJedisTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    private static RespConfig resp(final byte[] password)
    {
        return new RespConfig(new InetSocketAddress("127.0.0.1", 0), password);
    }

    private Primary primary(final byte[] password)
    {
        return fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine()).resp(resp(password)));
    }

    private Replica replica(final Primary primary)
    {
        return fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .stateMachine(new KvStateMachine()).resp(resp(null))));
    }

    private static Jedis jedis(final InetSocketAddress address)
    {
        return new Jedis(address.getHostString(), address.getPort(), 10_000);
    }

    @Test
    void fiftyClientsIncrementingOneKeyEndAtExactlyTheirSumOnThePrimaryAndTheReplica() throws Exception
    {
        final Primary primary = primary(null);
        final Replica replica = replica(primary);
        ReplicationFixture.await("r1 streaming", Duration.ofSeconds(20), () -> replica.state() == ReplicaState.STREAMING);
        final int clients = 50;
        final int increments = 10_000;
        final ExecutorService pool = Executors.newFixedThreadPool(clients);
        try
        {
            final List<Future<Long>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++)
            {
                done.add(pool.submit(() ->
                {
                    long last = 0;
                    try (Jedis jedis = jedis(primary.respAddress()))
                    {
                        for (int i = 0; i < increments; i++)
                        {
                            last = jedis.incr("counter");
                        }
                    }
                    return last;
                }));
            }
            for (final Future<Long> f : done)
            {
                final long last = f.get(100, TimeUnit.SECONDS);
                assertTrue(last >= 1 && last <= (long)clients * increments, "INCR answered " + last);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        try (Jedis writer = jedis(primary.respAddress()); Jedis reader = jedis(replica.respAddress()))
        {
            assertEquals("500000", writer.get("counter"));
            writer.set("marker", "after");
            assertEquals(1, writer.waitReplicas(1, 10_000)); // applied by the replica: readable there now
            assertEquals("after", reader.get("marker"));
            assertEquals("500000", reader.get("counter"));
        }
    }

    @Test
    void aReplicaServesReadsRefusesWritesAndReportsItsRole()
    {
        final Primary primary = primary(null);
        final Replica replica = replica(primary);
        try (Jedis writer = jedis(primary.respAddress()); Jedis reader = jedis(replica.respAddress()))
        {
            writer.select(3);
            writer.mset("a", "1", "b", "2", "c", "3");
            assertEquals(1, writer.waitReplicas(1, 10_000));
            reader.select(3);
            assertEquals(java.util.Arrays.asList("1", "2", "3", null), reader.mget("a", "b", "c", "d"));
            assertEquals(3, reader.dbSize());
            reader.select(0);
            assertEquals(0, reader.dbSize()); // databases are apart on the replica too
            assertTrue(assertThrows(JedisDataException.class, () -> reader.set("x", "y")).getMessage().startsWith("READONLY"));
            final String info = reader.info("replication");
            assertTrue(info.contains("role:slave") && info.contains("master_link_status:up") &&
                info.contains("master_port:" + primary.localAddress().getPort()), info);
            final String primaryInfo = writer.info("replication");
            assertTrue(primaryInfo.contains("role:master") && primaryInfo.contains("connected_slaves:1"), primaryInfo);
            final List<Object> role = reader.role();
            assertEquals("slave", role.get(0) instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : role.get(0));
        }
    }

    @Test
    void keysExpireAtTheSameAbsoluteTimeOnBothNodesAndTheActiveExpiryDeletesThemEverywhere()
    {
        final Primary primary = primary(null);
        final Replica replica = replica(primary);
        try (Jedis writer = jedis(primary.respAddress()); Jedis reader = jedis(replica.respAddress()))
        {
            writer.set("short", "v", SetParams.setParams().px(300));
            writer.set("long", "v", SetParams.setParams().ex(1000));
            assertEquals(1, writer.waitReplicas(1, 10_000));
            assertEquals(writer.pexpireTime("short"), reader.pexpireTime("short")); // one absolute time
            assertEquals("v", reader.get("short"));
            // gone on both; then the primary's active expiry deletes it by an entry, so the replica's state drops it too
            ReplicationFixture.await("short removed from both states", Duration.ofSeconds(10),
                () -> writer.dbSize() == 1 && reader.dbSize() == 1);
            assertNull(reader.get("short"));
            final long ttl = reader.ttl("long");
            assertTrue(ttl >= 990 && ttl <= 1000, "ttl " + ttl);
            assertEquals(1, writer.persist("long"));
            assertEquals(1, writer.waitReplicas(1, 10_000));
            assertEquals(-1, reader.ttl("long"));
        }
    }

    @Test
    void aPasswordFileMakesAuthRequired()
    {
        final Primary primary = primary("s3cret-pass".getBytes(StandardCharsets.US_ASCII));
        try (Jedis jedis = jedis(primary.respAddress()))
        {
            assertTrue(assertThrows(JedisDataException.class, () -> jedis.get("k")).getMessage().startsWith("NOAUTH"));
            assertTrue(assertThrows(JedisDataException.class, () -> jedis.auth("wrong")).getMessage().startsWith("WRONGPASS"));
            assertEquals("OK", jedis.auth("s3cret-pass"));
            assertEquals("OK", jedis.set("k", "v"));
            assertEquals("v", jedis.get("k"));
        }
        try (Jedis jedis = jedis(primary.respAddress()))
        {
            assertEquals("OK", jedis.auth("default", "s3cret-pass"));
            assertEquals("v", jedis.get("k"));
        }
    }

    @Test
    void aKillOfTheReplicaAndItsReturnKeepsTheStateEqual()
    {
        final Primary primary = primary(null);
        Replica replica = replica(primary);
        try (Jedis writer = jedis(primary.respAddress()))
        {
            for (int i = 0; i < 1000; i++)
            {
                writer.set("k" + i, Integer.toString(i));
            }
            assertEquals(1, writer.waitReplicas(1, 10_000));
            replica.close();
            for (int i = 0; i < 1000; i += 2)
            {
                writer.del("k" + i);
            }
            writer.rename("k1", "renamed");
            replica = replica(primary);
            assertEquals(1, writer.waitReplicas(1, 20_000));
            try (Jedis reader = jedis(replica.respAddress()))
            {
                assertEquals(500, reader.dbSize());
                assertEquals("1", reader.get("renamed"));
                assertEquals("3", reader.get("k3"));
                assertEquals(0, reader.exists("k2", "k1"));
                final Map<String, String> primaryKeys = new java.util.TreeMap<>();
                final Map<String, String> replicaKeys = new java.util.TreeMap<>();
                for (final String key : writer.keys("*"))
                {
                    primaryKeys.put(key, writer.get(key));
                }
                for (final String key : reader.keys("*"))
                {
                    replicaKeys.put(key, reader.get(key));
                }
                assertEquals(primaryKeys, replicaKeys);
            }
        }
    }

    @Test
    void withSyncReplicasAWriteIsRepliedOnceAReplicaHasItOrTimesOutAndStays()
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine())
            .resp(resp(null)).syncReplicas(1).syncLevel(AckLevel.APPLIED).syncTimeout(Duration.ofSeconds(3)));
        try (Jedis writer = jedis(primary.respAddress()))
        {
            // no replica yet: the reply is a TIMEOUT error naming the offset; the write is in the WAL all the same
            final JedisDataException timeout = assertThrows(JedisDataException.class, () -> writer.set("k", "1"));
            assertTrue(timeout.getMessage().startsWith("TIMEOUT the write is in the WAL at offset 0"), timeout.getMessage());
            assertEquals("1", writer.get("k"));
            final Replica replica = replica(primary);
            ReplicationFixture.await("r1 streaming", Duration.ofSeconds(20), () -> replica.state() == ReplicaState.STREAMING);
            assertEquals("OK", writer.set("k", "2")); // replied once applied on the replica: readable there now
            try (Jedis reader = jedis(replica.respAddress()))
            {
                assertEquals("2", reader.get("k"));
            }
        }
    }

    @Test
    void theCommandLineRefusesAPasswordFileWithoutAListenerAndAListenerWithoutTheKeyValueState()
    {
        final dev.ferry.engine.cli.CliRun.Run noListener = dev.ferry.engine.cli.CliRun.ferry("primary", "--wal",
            dir.resolve("p1").toString(), "--listen", "127.0.0.1:0", "--insecure-no-secret", "--resp-password-file",
            dir.resolve("pw").toString());
        assertEquals(2, noListener.exit(), noListener.toString());
        assertTrue(noListener.err().contains("--resp-password-file needs --resp HOST:PORT"), noListener.toString());
        final dev.ferry.engine.cli.CliRun.Run noState = dev.ferry.engine.cli.CliRun.ferry("primary", "--wal",
            dir.resolve("p2").toString(), "--listen", "127.0.0.1:0", "--insecure-no-secret", "--state", "none", "--resp",
            "127.0.0.1:0");
        assertTrue(noState.exit() != 0, noState.toString());
        assertTrue(noState.err().contains("it needs --state kv"), noState.toString());
    }

    @Test
    void aPromotedReplicaTakesRedisWritesWhereItServedReadsWithTheStateItApplied()
    {
        final Primary primary = primary(null);
        final RespConfig replicaResp = new RespConfig(new InetSocketAddress("127.0.0.1", freePort()), null);
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .stateMachine(new KvStateMachine()).resp(replicaResp)));
        try (Jedis writer = jedis(primary.respAddress()))
        {
            writer.mset("a", "1", "b", "2");
            writer.incr("a");
            assertEquals(1, writer.waitReplicas(1, 10_000));
        }
        primary.close();
        // the new primary listens for Redis clients where the replica did, on the state the replica applied
        final Primary promoted = fixture.track(replica.promote(fixture.primaryConfig()
            .walDirectory(dir.resolve("r1")).stateMachine(new KvStateMachine()).resp(replicaResp)));
        assertEquals(replicaResp.listen().getPort(), promoted.respAddress().getPort());
        try (Jedis jedis = jedis(promoted.respAddress()))
        {
            assertEquals("2", jedis.get("a"));
            assertEquals(3, jedis.incr("a"));
            assertEquals("OK", jedis.set("c", "3"));
            assertTrue(jedis.info("replication").contains("role:master"));
        }
    }

    /** A free loopback port: the promoted primary must listen where the replica did, so the test picks it. */
    private static int freePort()
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
