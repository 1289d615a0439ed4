package dev.ferry.engine;

import dev.ferry.engine.status.StatusJson;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics endpoint (issue 18, point 5): a scrape of a primary and of a replica gives the figures their status
 * gives, in Prometheus' text format; only GET /metrics is served.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class MetricsTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    @Test
    void shouldServeTheStatusFiguresInPrometheusTextFormat() throws Exception
    {
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        final Primary primary = fixture.primary(fixture.primaryConfig().metrics(any));
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())
            .metrics(any)));
        for (int i = 0; i < 100; i++)
        {
            primary.append(new byte[64]);
        }
        await("r1 at 100", WAIT, () -> primary.slot("r1") != null && primary.slot("r1").receivedOffset() == 100 &&
            replica.durableOffset() == 100);

        try (HttpClient http = HttpClient.newHttpClient())
        {
            final String text = get(http, primary.metricsAddress(), "/metrics", 200);
            final PrimaryStatus status = primary.status();
            assertTrue(StatusJson.write(status).contains("\"head\":" + status.head()));
            assertTrue(text.contains("\nferry_primary_head " + status.head() + "\n"), text);
            assertTrue(text.contains("\nferry_primary_epoch 0\n"), text);
            assertTrue(text.contains("ferry_primary_replica_received{replica=\"r1\"} 100\n"), text);
            assertTrue(text.contains("ferry_primary_replica_durable{replica=\"r1\"} 100\n"), text);
            assertTrue(text.contains("ferry_primary_replica_connected{replica=\"r1\"} 1\n"), text);
            assertTrue(text.contains("# TYPE ferry_primary_errors_total counter\n"), text);
            assertTrue(text.contains("ferry_primary_errors_total{code=\"FENCED\"} 0\n"), text);

            final String replicaText = get(http, replica.metricsAddress(), "/metrics", 200);
            assertTrue(replicaText.contains("ferry_replica_state{replica=\"r1\",state=\"STREAMING\"} 1\n"), replicaText);
            assertTrue(replicaText.contains("\nferry_replica_received 100\n"), replicaText);
            assertTrue(replicaText.contains("\nferry_replica_durable 100\n"), replicaText);

            get(http, primary.metricsAddress(), "/", 404);
            final HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(primary.metricsAddress(), "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
        // the same figures as JMX attributes
        final javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        assertEquals((double)primary.status().head(), jmx.getAttribute(primary.mbeanName(), "ferry_primary_head"));
        assertEquals(100.0, jmx.getAttribute(primary.mbeanName(), "ferry_primary_replica_received{replica=\"r1\"}"));
        assertEquals(100.0, jmx.getAttribute(replica.mbeanName(), "ferry_replica_durable"));
        assertTrue(jmx.getMBeanInfo(primary.mbeanName()).getAttributes().length > 20);
        final javax.management.ObjectName replicaBean = replica.mbeanName();
        replica.stop();
        assertTrue(!jmx.isRegistered(replicaBean), "unregistered when the replica stops");
        await("r1 disconnected", WAIT, () -> primary.slot("r1").state() == SlotState.DISCONNECTED);
        try (HttpClient http = HttpClient.newHttpClient())
        {
            final String text = get(http, primary.metricsAddress(), "/metrics", 200);
            assertTrue(text.contains("ferry_primary_replica_connected{replica=\"r1\"} 0\n"), text);
            assertTrue(text.contains("\nferry_primary_reconnects_total 0\n"), text);
        }
        final Replica again = fixture.track(Replica.start(fixture.replicaConfig("r1", primary.localAddress())));
        await("r1 back", WAIT, () -> again.state() == ReplicaState.STREAMING);
        try (HttpClient http = HttpClient.newHttpClient())
        {
            final String text = get(http, primary.metricsAddress(), "/metrics", 200);
            assertTrue(text.contains("\nferry_primary_reconnects_total 1\n"), text);
        }
    }

    private static URI uri(final InetSocketAddress address, final String path)
    {
        return URI.create("http://127.0.0.1:" + address.getPort() + path);
    }

    private static String get(final HttpClient http, final InetSocketAddress address, final String path,
        final int status) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(address, path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), response.body());
        if (status == 200)
        {
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        }
        return response.body();
    }
}
