package dev.copyservices.csi.metrics;

import dev.copyservices.api.MetricsHttpServer;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The CSI driver's Prometheus metrics: every CSI call the container orchestrator makes, by method
 * and gRPC status code, as a latency histogram (its _count is the calls). Served at /metrics.
 */
public final class CsiMetrics implements ServerInterceptor, AutoCloseable {
    /** From a Probe to a CreateVolume that waits for a restore. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(15), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetricsHttpServer server;

    private CsiMetrics(InetSocketAddress listen) throws IOException {
        this.server = MetricsHttpServer.start(listen, registry::scrape);
    }

    public static CsiMetrics start(InetSocketAddress listen) throws IOException {
        return new CsiMetrics(listen);
    }

    public int port() {
        return server.port();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getFullMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                Timer.builder("copyservices.csi.requests").description("CSI calls by method and result")
                        .tag("method", method).tag("code", status.getCode().name()).serviceLevelObjectives(BUCKETS)
                        .register(registry).record(Duration.ofNanos(System.nanoTime() - start));
                super.close(status, trailers);
            }
        }, headers);
    }

    @Override
    public void close() {
        server.close();
        registry.close();
    }
}
