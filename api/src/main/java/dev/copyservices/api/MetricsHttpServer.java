package dev.copyservices.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A plain HTTP listener with one page, {@code GET /metrics}, in the Prometheus text format, for the
 * agent and the CSI driver. Scrapes run one at a time on one thread: an agent's scrape reads every
 * engine, and Prometheus scrapes rarely.
 */
public final class MetricsHttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetricsHttpServer.class.getName());
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;

    private MetricsHttpServer(HttpServer server, java.util.concurrent.ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens at {@code listen} (port 0: any free one) and answers each scrape with {@code scrape}. */
    public static MetricsHttpServer start(java.net.InetSocketAddress listen, Supplier<String> scrape) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(listen, 16);
        } catch (java.net.BindException e) {
            throw new IOException("--metrics-listen " + listen.getHostString() + ":" + listen.getPort() + ": " + e.getMessage()
                    + "; give a free port and an address of this machine", e);
        }
        server.createContext("/", exchange -> handle(exchange, scrape));
        java.util.concurrent.ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics")) {
                reply(exchange, 404, "not found: the metrics are at /metrics\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "only GET and HEAD are served at /metrics\n");
                return;
            }
            String body;
            try {
                body = scrape.get();
            } catch (RuntimeException e) {
                LOG.warning("collecting the metrics failed: " + e);
                reply(exchange, 500, "collecting the metrics failed: " + e.getMessage() + "; see the agent's log\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
