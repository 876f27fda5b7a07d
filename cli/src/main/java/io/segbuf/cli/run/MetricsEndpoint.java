package io.segbuf.cli.run;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Serves a Prometheus registry's meters in the text format at {@code GET /metrics}, and the service's liveness and
 * readiness at {@code GET /healthz} and {@code GET /readyz} (200 {@code ok}, or 503 and the reason), on one
 * address, from a single daemon thread of the JDK's HTTP server. Closing it stops the server.
 */
final class MetricsEndpoint implements AutoCloseable {
  private static final String TEXT = "text/plain; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer server;

  /** Listens on {@code host}:{@code port}; port 0 picks a free port ({@link #port()} tells which). */
  MetricsEndpoint(String host, int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " (--metrics-host, --metrics-port): "
          + Failures.describe(e), e);
    }
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.start();
  }

  /** Answers {@code /healthz} and {@code /readyz} from {@code health}'s checks. */
  void serveHealth(HealthCheck health) {
    server.createContext("/healthz", exchange -> status(exchange, health::liveness));
    server.createContext("/readyz", exchange -> status(exchange, health::readiness));
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void status(HttpExchange exchange, Supplier<HealthCheck.Status> check) throws IOException {
    HealthCheck.Status status = check.get();
    respond(exchange, status.ok() ? 200 : 503, TEXT, status.detail() + "\n");
  }

  private static void respond(HttpExchange exchange, int code, String type, String text) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(code, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    registry.close();
  }
}
