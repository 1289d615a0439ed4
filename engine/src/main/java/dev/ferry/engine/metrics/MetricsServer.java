package dev.ferry.engine.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.engine.EventLog;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.Endpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint of a node ({@code --metrics HOST:PORT}): {@code GET /metrics} answers the node's figures in
 * the text format; anything else is 404 or 405. It serves figures only: no entry, no state, nothing that changes the
 * node (it needs no secret, so bind it where only the monitoring reaches it). The JDK's HTTP server, on one thread of
 * its own; the figures are computed per scrape, off the replication threads.
 */
public final class MetricsServer implements AutoCloseable
{
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param address where to listen.
     * @param figures computes the text of one scrape.
     * @param log     told of a scrape that failed.
     * @param name    the node, for the thread's name.
     * @throws FerryException CONFIGURATION if the address cannot be bound.
     */
    public MetricsServer(final InetSocketAddress address, final Supplier<String> figures, final EventLog log,
        final String name)
    {
        try
        {
            server = HttpServer.create(address, 16);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, "cannot listen on --metrics " + Endpoint.format(address) +
                ": " + ex.getMessage(), ex);
        }
        executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon(true)
            .name("ferry-metrics-" + name).unstarted(r));
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, figures, log));
        server.start();
    }

    /**
     * @return the bound address (its port when 0 was asked).
     */
    public InetSocketAddress localAddress()
    {
        return server.getAddress();
    }

    private static void answer(final HttpExchange exchange, final Supplier<String> figures, final EventLog log)
        throws IOException
    {
        try (exchange)
        {
            if (!"/metrics".equals(exchange.getRequestURI().getPath()))
            {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] body;
            try
            {
                body = figures.get().getBytes(StandardCharsets.UTF_8);
            }
            catch (final RuntimeException ex)
            {
                log.log("metrics: a scrape failed: " + ex);
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if ("HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    /**
     * Stop serving. Idempotent.
     */
    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
