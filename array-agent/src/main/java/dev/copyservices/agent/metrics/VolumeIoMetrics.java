package dev.copyservices.agent.metrics;

import dev.copyservices.agent.volume.HostIoListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Host I/O per volume and operation: a latency histogram (its _count is the operations), bytes and
 * failed requests. The meters of one volume and operation are looked up once and kept.
 */
final class VolumeIoMetrics implements HostIoListener {
    /**
     * Fixed buckets from a fast local write to a synchronous mirror write that waits out a slow peer:
     * a handful of series per volume instead of the percentile histogram's seventy.
     */
    private static final Duration[] BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private record Key(String volume, Operation operation) {
    }

    private record Meters(Timer latency, Counter bytes, Counter errors) {
    }

    private final MeterRegistry registry;
    private final Map<Key, Meters> meters = new ConcurrentHashMap<>();

    VolumeIoMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void completed(String volume, Operation operation, long bytes, long nanos, boolean failed) {
        Meters m = meters.computeIfAbsent(new Key(volume, operation), this::create);
        if (failed) {
            m.errors.increment();
            return;
        }
        m.latency.record(nanos, TimeUnit.NANOSECONDS);
        m.bytes.increment(bytes);
    }

    private Meters create(Key key) {
        String operation = key.operation().name().toLowerCase(Locale.ROOT);
        return new Meters(Timer.builder("copyservices.volume.io").description("Host requests served, by latency")
                .tag("volume", key.volume()).tag("operation", operation).serviceLevelObjectives(BUCKETS)
                .register(registry),
                Counter.builder("copyservices.volume.io.bytes").baseUnit("bytes").description("Bytes hosts read or"
                        + " wrote (zeroed and trimmed ranges count their length)").tag("volume", key.volume())
                        .tag("operation", operation).register(registry),
                Counter.builder("copyservices.volume.io.errors").description("Host requests that failed or were"
                        + " refused").tag("volume", key.volume()).tag("operation", operation).register(registry));
    }

    /** Forgets volumes that are gone, so a deleted volume's series end. */
    void retainVolumes(java.util.Set<String> names) {
        meters.entrySet().removeIf(e -> {
            if (names.contains(e.getKey().volume())) {
                return false;
            }
            registry.remove(e.getValue().latency());
            registry.remove(e.getValue().bytes());
            registry.remove(e.getValue().errors());
            return true;
        });
    }
}
