package dev.copyservices.agent.metrics;

import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.mirror.MirrorEngine;
import dev.copyservices.agent.security.TransportSecurity;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeInfo;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import dev.copyservices.api.MetricsHttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The agent's Prometheus metrics: host I/O per volume (recorded as it happens), the volumes' and copy
 * services' state (read from the engines at each scrape), and the TLS certificate's expiry. Served
 * by {@link MetricsHttpServer} at {@code /metrics}.
 */
public final class AgentMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final VolumeEngine volumes;
    private final VolumeIoMetrics io;
    private final CopyServiceMetrics copyServices;
    private final MultiGauge volumeSize;
    private final MultiGauge volumeAllocated;
    private final MetricsHttpServer server;

    private AgentMetrics(java.net.InetSocketAddress listen, VolumeEngine volumes, FlashCopyEngine flashCopies,
            VolumeCopyEngine volumeCopies, MirrorEngine mirrors, TransportSecurity security) throws IOException {
        this.volumes = volumes;
        this.io = new VolumeIoMetrics(registry);
        this.copyServices = new CopyServiceMetrics(registry, flashCopies, volumeCopies, mirrors);
        this.volumeSize = MultiGauge.builder("copyservices.volume.size").baseUnit("bytes")
                .description("Volume capacity").register(registry);
        this.volumeAllocated = MultiGauge.builder("copyservices.volume.allocated").baseUnit("bytes")
                .description("Bytes of the pool a volume uses").register(registry);
        security.certificateNotAfter().ifPresent(notAfter -> Gauge.builder(
                "copyservices.tls.certificate.expiry.timestamp", security,
                s -> s.certificateNotAfter().map(t -> (double) t.getEpochSecond()).orElse(Double.NaN))
                .baseUnit("seconds").description("When the agent's TLS certificate expires (Unix time); a rotated"
                        + " certificate shows once it is reloaded")
                .register(registry));
        this.server = MetricsHttpServer.start(listen, this::scrape);
        volumes.observeHostIo(io);
    }

    /** Starts the registry and its HTTP listener; host I/O is counted from now on. */
    public static AgentMetrics start(java.net.InetSocketAddress listen, VolumeEngine volumes, FlashCopyEngine flashCopies,
            VolumeCopyEngine volumeCopies, MirrorEngine mirrors, TransportSecurity security) throws IOException {
        return new AgentMetrics(listen, volumes, flashCopies, volumeCopies, mirrors, security);
    }

    public int port() {
        return server.port();
    }

    /** The Prometheus text of every metric, with the engines' state read just now. */
    String scrape() {
        List<VolumeInfo> all = volumes.list(Map.of());
        Set<String> names = all.stream().map(VolumeInfo::name).collect(Collectors.toSet());
        io.retainVolumes(names);
        volumeSize.register(all.stream().map(v -> MultiGauge.Row.of(Tags.of("volume", v.name()), v.sizeBytes()))
                .collect(Collectors.toList()), true);
        volumeAllocated.register(all.stream().map(v -> MultiGauge.Row.of(Tags.of("volume", v.name()),
                v.allocatedBytes())).collect(Collectors.toList()), true);
        copyServices.refresh();
        return registry.scrape();
    }

    @Override
    public void close() {
        volumes.observeHostIo(dev.copyservices.agent.volume.HostIoListener.NONE);
        server.close();
        registry.close();
    }
}
