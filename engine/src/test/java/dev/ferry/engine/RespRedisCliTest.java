package dev.ferry.engine;

import dev.ferry.engine.resp.RespConfig;
import dev.ferry.engine.state.KvStateMachine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's {@code redis-cli} against a Ferry primary and its replica: scripted commands, a write visible on the
 * replica once {@code WAIT 1} answers 1, {@code READONLY} on the replica, {@code INFO replication} and {@code ROLE}.
 * Needs {@code redis-tools}: skipped without it, unless {@code FERRY_REQUIRE_REDIS=1} (as {@code .ci/run} sets, after
 * installing it), which makes its absence a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RespRedisCliTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    /**
     * @param tool a program of Debian's redis packages.
     * @return its path; the test is skipped (or fails, under {@code FERRY_REQUIRE_REDIS=1}) if it is not installed.
     */
    static String redisTool(final String tool)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        {
            final Path candidate = Path.of(directory, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        if ("1".equals(System.getenv("FERRY_REQUIRE_REDIS")))
        {
            fail(tool + " is not installed (apt-get install redis-server redis-tools), and FERRY_REQUIRE_REDIS=1");
        }
        Assumptions.abort(tool + " is not installed (apt-get install redis-tools): skipped; set FERRY_REQUIRE_REDIS=1 " +
            "to make that a failure");
        return null;
    }

    private static String cli(final InetSocketAddress node, final String script, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(redisTool("redis-cli"), "-h", node.getHostString(), "-p",
            Integer.toString(node.getPort())));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            process.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "redis-cli did not end");
            return out;
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void redisCliDrivesThePrimaryAndReadsFromTheReplica() throws Exception
    {
        final Primary primary = fixture.primary(fixture.primaryConfig().stateMachine(new KvStateMachine())
            .resp(new RespConfig(new InetSocketAddress("127.0.0.1", 0), null)));
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .stateMachine(new KvStateMachine()).resp(new RespConfig(new InetSocketAddress("127.0.0.1", 0), null))));
        ReplicationFixture.await("r1 streaming", Duration.ofSeconds(20), () -> replica.state() == ReplicaState.STREAMING);
        // the same script gives these lines from redis-server 7.0 (redis-cli prints nil as an empty line when piped, and an empty line after each error)
        assertEquals(String.join("\n",
            "OK", "2", "2", "", "OK", "", "OK", "1", "100",
            "ERR unknown command 'BOGUS', with args beginning with: '1' ",
            "",
            "ERR value is not an integer or out of range",
            "",
            "1", ""),
            cli(primary.respAddress(),
                "SET a 1\nINCR a\nMGET a b\nSELECT 2\nGET a\nSET x y NX\nEXPIRE x 100\nTTL x\nBOGUS 1\nINCR x\nWAIT 1 5000\n"));
        assertEquals("2\n", cli(replica.respAddress(), "", "GET", "a"));
        assertEquals("y\n", cli(replica.respAddress(), "", "-n", "2", "GET", "x"));
        assertEquals("READONLY You can't write against a read only replica.\n\n",
            cli(replica.respAddress(), "", "SET", "a", "3"));
        final String info = cli(replica.respAddress(), "", "INFO", "replication");
        assertTrue(info.contains("role:slave") && info.contains("master_link_status:up"), info);
        assertTrue(cli(primary.respAddress(), "", "ROLE").startsWith("master\n"));
        assertEquals("1\n", cli(primary.respAddress(), "", "DBSIZE"));
        assertEquals("1\n", cli(primary.respAddress(), "", "-n", "2", "DBSIZE"));
    }
}
