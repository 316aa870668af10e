package dev.copyservices.agent.volume;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.nbd.Export;
import dev.copyservices.agent.nbd.ExportRegistry;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.api.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Volumes of one pool: create, resize, update, delete, and the NBD exports of them. Control changes
 * are serialised and made durable in the catalog before they show in memory; the data path only
 * reads the concurrent name map and never takes the control lock.
 */
public final class VolumeEngine implements ExportRegistry, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VolumeEngine.class.getName());

    private final Pool pool;
    private final ArrayLimits limits;
    private final EventSink events;
    private final Map<String, Volume> byName = new ConcurrentHashMap<>();
    private final Object control = new Object();

    private VolumeEngine(Pool pool, ArrayLimits limits, EventSink events) {
        this.pool = pool;
        this.limits = limits;
        this.events = events;
    }

    /** Without events, e.g. for tests of the engine alone. */
    public static VolumeEngine open(Pool pool, ArrayLimits limits) throws IOException {
        return open(pool, limits, EventSink.NONE);
    }

    /**
     * Opens every volume the catalog names and removes data files it does not name (left by a create
     * or delete that crashed half way). Work is per volume, never per byte of a volume.
     */
    public static VolumeEngine open(Pool pool, ArrayLimits limits, EventSink events) throws IOException {
        VolumeEngine engine = new VolumeEngine(pool, limits, events);
        try {
            for (VolumeRecord record : pool.catalog().getVolumesList()) {
                Path file = pool.directory().volumeFile(record.getId());
                if (!Files.exists(file)) {
                    throw new NoSuchFileException(file.toString(), null, "the data of volume '" + record.getName()
                            + "' is missing; it was removed outside the agent. Restore the file or the whole pool");
                }
                engine.byName.put(record.getName(), new Volume(record, FileBlockDevice.open(file, record.getSizeBytes())));
            }
            Set<String> known = new java.util.HashSet<>();
            pool.catalog().getVolumesList().forEach(r -> known.add(r.getId()));
            for (String id : pool.directory().dataFileIds()) {
                if (!known.contains(id)) {
                    LOG.info("removing data file " + id + " that no volume names (an interrupted create or delete)");
                    pool.directory().deleteVolumeFile(id);
                }
            }
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    public VolumeInfo create(String name, long size, boolean readOnly, Map<String, String> attributes) {
        VolumeRules.checkName(name);
        VolumeRules.checkSize(size);
        VolumeRules.checkAttributes(attributes);
        synchronized (control) {
            Volume existing = byName.get(name);
            if (existing != null) {
                VolumeRecord r = existing.record();
                if (r.getSizeBytes() == size && r.getReadOnly() == readOnly && r.getAttributesMap().equals(attributes)) {
                    return existing.info(); // a retry of the same create
                }
                throw new EngineException(Reason.VOLUME_EXISTS, "volume '" + name + "' already exists with size "
                        + Sizes.format(r.getSizeBytes()) + (r.getReadOnly() ? ", read-only" : ""),
                        "choose another name, or delete the existing volume first");
            }
            if (byName.size() >= limits.maxVolumes()) {
                throw new EngineException(Reason.VOLUME_LIMIT_REACHED, "the array already has " + byName.size()
                        + " volumes, its limit of " + limits.maxVolumes() + " (repositories, copy targets and"
                        + " mirror volumes count too)", "delete volumes you no longer need, or raise the limit"
                        + " with the agent's --max-volumes");
            }
            VolumeRecord record = VolumeRecord.newBuilder()
                    .setId(UUID.randomUUID().toString())
                    .setName(name)
                    .setSizeBytes(size)
                    .setReadOnly(readOnly)
                    .putAllAttributes(attributes)
                    .setCreatedUnixMillis(System.currentTimeMillis())
                    .build();
            Path file = pool.directory().volumeFile(record.getId());
            FileBlockDevice device = null;
            try {
                device = FileBlockDevice.create(file, size);
                pool.directory().syncVolumesDirectory();
                pool.update(c -> c.addVolumes(record));
            } catch (IOException e) {
                discard(device, record.getId());
                throw poolError("create volume '" + name + "'", e);
            }
            Volume volume = new Volume(record, device);
            byName.put(name, volume);
            events.publish(EventSink.Severity.INFO, "VOLUME_CREATED", "Volume", name, "created volume '" + name
                    + "' (" + Sizes.format(size) + ", id " + record.getId() + ")", "");
            return volume.info();
        }
    }

    public VolumeInfo get(String name) {
        return require(name).info();
    }

    /** Volumes whose attributes include every pair of {@code selector}, by name. */
    public List<VolumeInfo> list(Map<String, String> selector) {
        List<VolumeInfo> result = new ArrayList<>();
        for (Volume volume : byName.values()) {
            if (volume.record().getAttributesMap().entrySet().containsAll(selector.entrySet())) {
                result.add(volume.info());
            }
        }
        result.sort(Comparator.comparing(VolumeInfo::name));
        return result;
    }

    public VolumeInfo resize(String name, long newSize) {
        VolumeRules.checkSize(newSize);
        synchronized (control) {
            Volume volume = require(name);
            long current = volume.record().getSizeBytes();
            if (newSize == current) {
                return volume.info();
            }
            if (newSize < current) {
                throw new EngineException(Reason.SHRINK_NOT_SUPPORTED, "volume '" + name + "' is "
                        + Sizes.format(current) + "; shrinking to " + Sizes.format(newSize) + " would cut off data",
                        "give a size of at least " + Sizes.format(current) + "; to get a smaller volume, copy"
                                + " the data to a new one");
            }
            VolumeRecord updated = volume.record().toBuilder().setSizeBytes(newSize).build();
            try {
                // file first: a crash before the catalog commit leaves a longer file, cut back on open
                volume.device().grow(newSize);
                commitRecord(updated);
            } catch (IOException e) {
                throw poolError("resize volume '" + name + "'", e);
            }
            volume.setRecord(updated);
            events.publish(EventSink.Severity.INFO, "VOLUME_RESIZED", "Volume", name, "resized volume '" + name
                    + "' from " + Sizes.format(current) + " to " + Sizes.format(newSize)
                    + "; connected clients see the new size when they reconnect", "");
            return volume.info();
        }
    }

    /** Changes access and attributes; {@code readOnly} null leaves access as it is. */
    public VolumeInfo update(String name, Boolean readOnly, Map<String, String> set, Collection<String> remove) {
        synchronized (control) {
            Volume volume = require(name);
            Map<String, String> attributes = new HashMap<>(volume.record().getAttributesMap());
            remove.forEach(attributes::remove);
            attributes.putAll(set);
            VolumeRules.checkAttributes(attributes);
            VolumeRecord.Builder builder = volume.record().toBuilder().clearAttributes().putAllAttributes(attributes);
            if (readOnly != null) {
                builder.setReadOnly(readOnly);
            }
            VolumeRecord updated = builder.build();
            if (!updated.equals(volume.record())) {
                try {
                    commitRecord(updated);
                } catch (IOException e) {
                    throw poolError("update volume '" + name + "'", e);
                }
                volume.setRecord(updated);
            }
            return volume.info();
        }
    }

    public void delete(String name, boolean force) {
        synchronized (control) {
            Volume volume = require(name);
            int connections = volume.connections();
            if (connections > 0 && !force) {
                throw new EngineException(Reason.VOLUME_IN_USE, "volume '" + name + "' has " + connections
                        + " open NBD connection(s)", "disconnect the clients first, or delete with --force to"
                                + " close their connections");
            }
            String id = volume.record().getId();
            try {
                pool.update(c -> {
                    List<VolumeRecord> kept = new ArrayList<>(c.getVolumesList());
                    kept.removeIf(r -> r.getId().equals(id));
                    c.clearVolumes().addAllVolumes(kept);
                });
            } catch (IOException e) {
                throw poolError("delete volume '" + name + "'", e);
            }
            byName.remove(name);
            volume.revokeAll();
            discard(volume.device(), id);
            events.publish(EventSink.Severity.INFO, "VOLUME_DELETED", "Volume", name, "deleted volume '" + name
                    + "' (id " + id + ")" + (connections > 0 ? "; its " + connections + " NBD connection(s) were"
                            + " closed" : ""), "");
        }
    }

    public int count() {
        return byName.size();
    }

    public long provisionedBytes() {
        return byName.values().stream().mapToLong(v -> v.record().getSizeBytes()).sum();
    }

    public long allocatedBytes() {
        return byName.values().stream().mapToLong(v -> Math.max(0, v.device().allocatedBytes())).sum();
    }

    /** Makes every completed write of every volume durable, e.g. before a clean shutdown. */
    public void flushAll() {
        for (Volume volume : byName.values()) {
            try {
                volume.device().flush();
            } catch (IOException e) {
                LOG.warning("flush of volume '" + volume.record().getName() + "' failed: " + e.getMessage());
            }
        }
    }

    @Override
    public List<ExportSummary> list() {
        return byName.values().stream()
                .map(v -> new ExportSummary(v.record().getName(), Sizes.format(v.record().getSizeBytes())
                        + (v.record().getReadOnly() ? " read-only" : "") + " volume"))
                .sorted(Comparator.comparing(ExportSummary::name))
                .toList();
    }

    @Override
    public Optional<ExportSummaryInfo> info(String name) {
        Volume volume = byName.get(name);
        return volume == null ? Optional.empty()
                : Optional.of(new ExportSummaryInfo(name, volume.device().size(), volume.record().getReadOnly()));
    }

    @Override
    public Optional<Export> open(String name, Runnable onRevoke) {
        synchronized (control) { // so a delete cannot slip between the lookup and the hold
            Volume volume = byName.get(name);
            return volume == null ? Optional.empty() : Optional.of(volume.hold(onRevoke));
        }
    }

    @Override
    public void close() {
        for (Volume volume : byName.values()) {
            try {
                volume.revokeAll();
                volume.close();
            } catch (IOException e) {
                LOG.warning("closing volume '" + volume.record().getName() + "' failed: " + e.getMessage());
            }
        }
        byName.clear();
    }

    private Volume require(String name) {
        if (name == null || name.isEmpty()) {
            VolumeRules.checkName(name); // a missing name is a bad request, not a missing volume
        }
        Volume volume = byName.get(name);
        if (volume == null) {
            throw new EngineException(Reason.VOLUME_NOT_FOUND, "volume '" + name + "' does not exist",
                    "check the name with 'csctl volume list'; names are case-sensitive");
        }
        return volume;
    }

    private void commitRecord(VolumeRecord updated) throws IOException {
        pool.update(c -> {
            for (int i = 0; i < c.getVolumesCount(); i++) {
                if (c.getVolumes(i).getId().equals(updated.getId())) {
                    c.setVolumes(i, updated);
                    return;
                }
            }
            throw new IllegalStateException("volume " + updated.getId() + " is not in the catalog");
        });
    }

    private void discard(FileBlockDevice device, String id) {
        try {
            if (device != null) {
                device.close();
            }
            pool.directory().deleteVolumeFile(id);
        } catch (IOException e) {
            LOG.warning("could not remove the data file of volume " + id + " (removed at next start): " + e);
        }
    }

    private static EngineException poolError(String action, IOException e) {
        String text = String.valueOf(e.getMessage());
        if (text.contains("No space left") || text.contains("Disk quota exceeded")) {
            return new EngineException(Reason.POOL_FULL, "could not " + action + ": the pool's file system is full",
                    "free space in the pool, or delete volumes you no longer need", e);
        }
        if (text.contains("File too large")) {
            return new EngineException(Reason.INVALID_SIZE, "could not " + action + ": the pool's file system"
                    + " cannot hold a volume this large", "give a smaller size", e);
        }
        return new EngineException(Reason.POOL_IO_ERROR, "could not " + action + ": " + text,
                "check the pool directory's disk and permissions, and the agent's log", e);
    }
}
