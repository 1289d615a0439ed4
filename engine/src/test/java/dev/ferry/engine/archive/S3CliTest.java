package dev.ferry.engine.archive;

import dev.ferry.engine.cli.CliRun;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archive on an S3-compatible store from the command line, as the README shows it: {@code ferry archive --to
 * s3://bucket/prefix?endpoint=…}, {@code archive ls}, {@code archive verify}, {@code restore --to-time}, against
 * S3Proxy on loopback, credentials from the SDK's default chain (here its system properties, as the environment
 * variables would give them).
 */
class S3CliTest
{
    @TempDir
    Path dir;

    @Test
    void archiveListVerifyAndRestoreThroughS3() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        final long[] stamps = new long[600];
        try (Wal wal = Wal.open(new WalConfig().directory(walDir)))
        {
            History.create("p").save(walDir);
            final KvEntryWriter writer = new KvEntryWriter(64);
            for (int i = 0; i < stamps.length; i++)
            {
                wal.append(writer.reset().put(0, "key:" + (i % 7), "v" + i).entry());
            }
        }
        final String accessKey = System.getProperty("aws.accessKeyId");
        final String secretKey = System.getProperty("aws.secretAccessKey");
        try (S3ProxyServer server = new S3ProxyServer("backups"))
        {
            System.setProperty("aws.accessKeyId", server.accessKey());
            System.setProperty("aws.secretAccessKey", server.secretKey());
            final String uri = server.uri("backups", "node1");
            final CliRun.Run ship = CliRun.ferry("archive", "--wal", walDir.toString(), "--to", uri, "--once");
            assertEquals(0, ship.exit(), ship::toString);
            final CliRun.Run ls = CliRun.ferry("archive", "ls", "--from", uri);
            assertTrue(ls.out().contains("offsets 0-599"), ls::toString);
            final CliRun.Run verify = CliRun.ferry("archive", "verify", "--from", uri);
            assertEquals(0, verify.exit(), verify::toString);

            final Path restored = dir.resolve("restored");
            final CliRun.Run restore = CliRun.ferry("restore", "--from", uri, "--wal", restored.toString(),
                "--to-time", Long.toString(System.currentTimeMillis()));
            assertEquals(0, restore.exit(), restore::toString);
            assertEquals(CliRun.ferry("checksum", "--wal", walDir.toString()).out(),
                CliRun.ferry("checksum", "--wal", restored.toString()).out());
            assertEquals(CliRun.ferry("kv", "dump", "--wal", walDir.toString()).out(),
                CliRun.ferry("kv", "dump", "--wal", restored.toString()).out());

            final CliRun.Run wrongBucket = CliRun.ferry("archive", "ls", "--from", server.uri("nope", ""));
            assertEquals(1, wrongBucket.exit(), wrongBucket::toString);
            assertTrue(wrongBucket.err().contains("STORAGE"), wrongBucket::toString);
        }
        finally
        {
            restore("aws.accessKeyId", accessKey);
            restore("aws.secretAccessKey", secretKey);
        }
    }

    private static void restore(final String property, final String value)
    {
        if (value == null)
        {
            System.clearProperty(property);
        }
        else
        {
            System.setProperty(property, value);
        }
    }
}
