package dev.copyservices.agent.nbd;

import dev.copyservices.agent.volume.BlockDevice;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory registry of test volumes that counts holds and can revoke them. */
final class TestRegistry implements ExportRegistry {
    static final class Volume {
        final String name;
        final String description;
        final BlockDevice device;
        final AtomicBoolean readOnly;
        final AtomicInteger holds = new AtomicInteger();
        final List<Runnable> revokers = new CopyOnWriteArrayList<>();

        Volume(String name, String description, BlockDevice device, boolean readOnly) {
            this.name = name;
            this.description = description;
            this.device = device;
            this.readOnly = new AtomicBoolean(readOnly);
        }
    }

    private final Map<String, Volume> volumes = new ConcurrentHashMap<>();

    Volume add(String name, String description, BlockDevice device, boolean readOnly) {
        Volume v = new Volume(name, description, device, readOnly);
        volumes.put(name, v);
        return v;
    }

    Volume volume(String name) {
        return volumes.get(name);
    }

    /** Runs every onRevoke of the volume, as a forced delete would. */
    void revoke(String name) {
        volumes.get(name).revokers.forEach(Runnable::run);
    }

    /** Volumes no client may open, as if attached to no host: the refusal carries this message. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    void refuse(String name, String message) {
        refused.put(name, message);
    }

    @Override
    public List<ExportSummary> list(InetAddress client) {
        List<ExportSummary> out = new ArrayList<>();
        volumes.values().stream().filter(v -> !refused.containsKey(v.name))
                .forEach(v -> out.add(new ExportSummary(v.name, v.description)));
        return out;
    }

    @Override
    public Optional<ExportSummaryInfo> info(String name, InetAddress client) throws ExportRefusedException {
        Volume v = volumes.get(name);
        if (v != null && refused.containsKey(name)) {
            throw new ExportRefusedException(refused.get(name));
        }
        return v == null ? Optional.empty()
                : Optional.of(new ExportSummaryInfo(name, v.device.size(), v.readOnly.get()));
    }

    @Override
    public Optional<Export> open(String name, InetAddress client, Runnable onRevoke) throws ExportRefusedException {
        Volume v = volumes.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (refused.containsKey(name)) {
            throw new ExportRefusedException(refused.get(name));
        }
        v.holds.incrementAndGet();
        v.revokers.add(onRevoke);
        return Optional.of(new Export() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return v.device.size();
            }

            @Override
            public boolean readOnly() {
                return v.readOnly.get();
            }

            @Override
            public BlockDevice device() {
                return v.device;
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    v.revokers.remove(onRevoke);
                    v.holds.decrementAndGet();
                }
            }
        });
    }
}
