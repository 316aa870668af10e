package dev.copyservices.agent.volume;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.nbd.Export;
import dev.copyservices.agent.nbd.ExportRegistry;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.VolumeKind;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Volumes of one pool: create, resize, update, delete, and the NBD exports of them. Control changes
 * are serialised and made durable in the catalog before they show in memory; the data path only
 * reads the concurrent name map and never takes the control lock.
 */
public final class VolumeEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VolumeEngine.class.getName());

    private final Pool pool;
    private final ArrayLimits limits;
    private final VolumeLifecycle lifecycle;
    private final EventSink events;
    private final Map<String, Volume> byName = new ConcurrentHashMap<>();
    private final Map<String, Volume> byId = new ConcurrentHashMap<>();
    private final Object control = new Object();
    private final VolumeExports exports = new VolumeExports(this);
    private volatile HostIoListener hostIo = HostIoListener.NONE;
    private volatile boolean hostMappingEnforced = true;

    private VolumeEngine(Pool pool, ArrayLimits limits, VolumeLifecycle lifecycle, EventSink events) {
        this.pool = pool;
        this.limits = limits;
        this.lifecycle = lifecycle;
        this.events = events;
    }

    /**
     * Opens every standard volume the catalog names and removes data and repository files it does
     * not name (left by a create or delete that crashed half way). FlashCopy volumes are opened by
     * the FlashCopy engine, which registers them. Work is per volume, never per byte of a volume.
     */
    public static VolumeEngine open(Pool pool, ArrayLimits limits, VolumeLifecycle lifecycle, EventSink events)
            throws IOException {
        VolumeEngine engine = new VolumeEngine(pool, limits, lifecycle, events);
        try {
            VolumeRecovery.recover(engine, pool, lifecycle);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    public static VolumeEngine open(Pool pool, ArrayLimits limits) throws IOException {
        return open(pool, limits, VolumeLifecycle.NONE, EventSink.NONE);
    }

    public VolumeInfo create(String name, long size, boolean readOnly, Map<String, String> attributes) {
        VolumeRules.checkName(name);
        VolumeRules.checkSize(size);
        VolumeRules.checkAttributes(attributes);
        synchronized (control) {
            Volume existing = byName.get(name);
            if (existing == null && nameInUse(name)) {
                throw new EngineException(Reason.VOLUME_EXISTS, "the name '" + name + "' is taken by a FlashCopy"
                        + " repository", "choose another name");
            }
            if (existing != null) {
                VolumeRecord r = existing.record();
                if (r.getKind() == VolumeKind.STANDARD && r.getSizeBytes() == size && r.getReadOnly() == readOnly
                        && r.getAttributesMap().equals(attributes)) {
                    return info(existing); // a retry of the same create
                }
                throw new EngineException(Reason.VOLUME_EXISTS, "volume '" + name + "' already exists with size "
                        + Sizes.format(r.getSizeBytes()) + (r.getReadOnly() ? ", read-only" : ""),
                        "choose another name, or delete the existing volume first");
            }
            checkRoomFor(1);
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
                discard(device, record);
                throw PoolErrors.of("create volume '" + name + "'", e);
            }
            Volume volume = serve(record, lifecycle.wrapStandard(record, device));
            events.publish(EventSink.Severity.INFO, "VOLUME_CREATED", "Volume", name, "created volume '" + name
                    + "' (" + Sizes.format(size) + ", id " + record.getId() + ")", "");
            return info(volume);
        }
    }

    public VolumeInfo get(String name) {
        return info(require(name));
    }

    /** Volumes whose attributes include every pair of {@code selector}, by name. */
    public List<VolumeInfo> list(Map<String, String> selector) {
        List<VolumeInfo> result = new ArrayList<>();
        for (Volume volume : byName.values()) {
            if (volume.record().getAttributesMap().entrySet().containsAll(selector.entrySet())) {
                result.add(info(volume));
            }
        }
        result.sort(Comparator.comparing(VolumeInfo::name));
        return result;
    }

    public VolumeInfo resize(String name, long newSize) {
        VolumeRules.checkSize(newSize);
        synchronized (control) {
            Volume volume = require(name);
            if (volume.record().getKind() == VolumeKind.FLASHCOPY) {
                throw new EngineException(Reason.NOT_A_STANDARD_VOLUME, "volume '" + name + "' is a FlashCopy; it"
                        + " keeps the size of its base at its point in time", "resize the base, then re-create"
                        + " the FlashCopy ('csctl flashcopy recreate " + name + "')");
            }
            long current = volume.record().getSizeBytes();
            if (newSize == current) {
                return info(volume);
            }
            lifecycle.checkResizable(volume.record(), newSize);
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
                commit(volume, updated);
            } catch (IOException e) {
                throw PoolErrors.of("resize volume '" + name + "'", e);
            }
            events.publish(EventSink.Severity.INFO, "VOLUME_RESIZED", "Volume", name, "resized volume '" + name
                    + "' from " + Sizes.format(current) + " to " + Sizes.format(newSize)
                    + "; connected clients see the new size when they reconnect", "");
            return info(volume);
        }
    }

    /** Changes access and attributes; {@code readOnly} null leaves access as it is. */
    public VolumeInfo update(String name, Boolean readOnly, Map<String, String> set, Collection<String> remove) {
        synchronized (control) {
            Volume volume = require(name);
            try {
                mutate(volume.record().getId(), current -> {
                    Map<String, String> attributes = new HashMap<>(current.getAttributesMap());
                    remove.forEach(attributes::remove);
                    attributes.putAll(set);
                    VolumeRules.checkAttributes(attributes);
                    VolumeRecord.Builder builder = current.toBuilder().clearAttributes().putAllAttributes(attributes);
                    if (readOnly != null) {
                        builder.setReadOnly(readOnly);
                    }
                    return builder.build();
                });
            } catch (IOException e) {
                throw PoolErrors.of("update volume '" + name + "'", e);
            }
            return info(volume);
        }
    }

    /**
     * Attaches the volume to a host: NBD clients at the host's addresses may open its export.
     * Attaching a host again replaces its addresses (connections from dropped ones are ended);
     * the same attachment again changes nothing.
     */
    public VolumeInfo attach(String name, String host, List<String> addresses) {
        var attachment = HostMapping.attachment(host, addresses);
        synchronized (control) {
            Volume volume = require(name);
            VolumeRecord before = volume.record();
            VolumeRecord after = changeAttachments(volume, r -> HostMapping.attach(r, attachment));
            if (!after.equals(before)) {
                events.publish(EventSink.Severity.INFO, "VOLUME_ATTACHED", "Volume", name, "attached volume '" + name
                        + "' to host '" + host + "' (" + String.join(", ", attachment.getAddressesList()) + ")", "");
            }
            return info(volume);
        }
    }

    /** Detaches the volume from a host and ends that host's NBD connections; not attached is fine. */
    public VolumeInfo detach(String name, String host) {
        HostMapping.checkHost(host);
        synchronized (control) {
            Volume volume = require(name);
            VolumeRecord before = volume.record();
            VolumeRecord after = changeAttachments(volume, r -> HostMapping.detach(r, host));
            if (!after.equals(before)) {
                events.publish(EventSink.Severity.INFO, "VOLUME_DETACHED", "Volume", name, "detached volume '" + name
                        + "' from host '" + host + "'", "");
            }
            return info(volume);
        }
    }

    private VolumeRecord changeAttachments(Volume volume, UnaryOperator<VolumeRecord> change) {
        VolumeRecord after;
        try {
            after = mutate(volume.record().getId(), change);
        } catch (IOException e) {
            throw PoolErrors.of("change the attachments of volume '" + volume.record().getName() + "'", e);
        }
        if (hostMappingEnforced) {
            volume.revokeUnless(client -> HostMapping.allows(after, client));
        }
        return after;
    }

    /** The volumes as NBD exports, each open only to the hosts it is attached to (unless {@link #openToEveryClient}). */
    public ExportRegistry exports() {
        return exports;
    }

    /**
     * Lets every NBD client open every export, attached or not: for --insecure-dev, where nothing
     * else is protected either. Attachments are still kept, and apply again at the next secure start.
     */
    public void openToEveryClient() {
        hostMappingEnforced = false;
    }

    boolean hostMappingEnforced() {
        return hostMappingEnforced;
    }

    /** For {@link VolumeExports}: a live volume by name, looked up without the control lock. */
    Volume byName(String name) {
        return byName.get(name);
    }

    Collection<Volume> volumes() {
        return byName.values();
    }

    /** For {@link VolumeExports}: taken so that a delete cannot slip between a look-up and a hold. */
    Object controlLock() {
        return control;
    }

    /**
     * Deletes a volume and what depends on it, in one catalog commit: a base takes its FlashCopies
     * along (L4586), and a FlashCopy's repository name deletes that FlashCopy (L4202).
     */
    public void delete(String name, boolean force) {
        List<Volume> doomed = new ArrayList<>();
        Map<Volume, Integer> closed = new HashMap<>();
        synchronized (control) {
            Volume target = byName.get(name);
            if (target == null) {
                target = byId.values().stream()
                        .filter(v -> v.record().getKind() == VolumeKind.FLASHCOPY
                                && v.record().getFlashCopy().getRepositoryName().equals(name))
                        .findFirst().orElseGet(() -> require(name));
            }
            String targetId = target.record().getId();
            byId.values().stream()
                    .filter(v -> v.record().getKind() == VolumeKind.FLASHCOPY
                            && v.record().getFlashCopy().getBaseId().equals(targetId))
                    .sorted(Comparator.comparing(v -> v.record().getName()))
                    .forEach(doomed::add);
            doomed.add(target);
            doomed.forEach(v -> lifecycle.checkDeletable(v.record()));
            List<String> busy = doomed.stream().filter(v -> v.connections() > 0)
                    .map(v -> "'" + v.record().getName() + "' (" + v.connections() + ")").toList();
            if (!busy.isEmpty() && !force) {
                throw new EngineException(Reason.VOLUME_IN_USE, "cannot delete '" + name + "': open NBD connections to "
                        + String.join(", ", busy), "disconnect the clients first, or delete with --force to"
                                + " close their connections");
            }
            Set<String> ids = new HashSet<>();
            doomed.forEach(v -> ids.add(v.record().getId()));
            try {
                pool.update(c -> {
                    List<VolumeRecord> kept = new ArrayList<>(c.getVolumesList());
                    kept.removeIf(r -> ids.contains(r.getId()));
                    c.clearVolumes().addAllVolumes(kept);
                });
            } catch (IOException e) {
                throw PoolErrors.of("delete volume '" + name + "'", e);
            }
            for (Volume volume : doomed) {
                byName.remove(volume.record().getName());
                byId.remove(volume.record().getId());
                closed.put(volume, volume.connections());
                volume.revokeAll();
            }
        }
        // outside the control lock: the FlashCopy engine waits there for I/O in flight on the base,
        // and a FlashCopy create holds that base's gate while it adds its volume under the lock
        for (Volume volume : doomed) {
            VolumeRecord record = volume.record();
            int connections = closed.get(volume);
            lifecycle.deleted(record);
            discard(volume.device(), record);
            boolean flashCopy = record.getKind() == VolumeKind.FLASHCOPY;
            events.publish(EventSink.Severity.INFO, flashCopy ? "FLASHCOPY_DELETED" : "VOLUME_DELETED",
                    flashCopy ? "FlashCopy" : "Volume", record.getName(), "deleted " + (flashCopy
                            ? "FlashCopy '" + record.getName() + "' and its repository '"
                                    + record.getFlashCopy().getRepositoryName() + "'"
                            : "volume '" + record.getName() + "'") + " (id " + record.getId() + ")"
                            + (connections > 0 ? "; its " + connections + " NBD connection(s) were closed" : ""),
                    "");
        }
    }

    /** Volumes as the limits count them: every volume, and every FlashCopy's repository too. */
    public int count() {
        return byName.size() + flashCopyCount();
    }

    public int flashCopyCount() {
        return (int) byId.values().stream().filter(v -> v.record().getKind() == VolumeKind.FLASHCOPY).count();
    }

    /** Standard volumes' sizes plus repository capacities: what the volumes may grow to take. */
    public long provisionedBytes() {
        return byName.values().stream().mapToLong(v -> v.record().getKind() == VolumeKind.FLASHCOPY
                ? v.record().getFlashCopy().getRepositoryCapacityBytes() : v.record().getSizeBytes()).sum();
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

    // ---- for engines that build on volumes (FlashCopy) ---------------------------------------------

    public Optional<VolumeRecord> find(String name) {
        Volume volume = byName.get(name);
        return volume == null ? Optional.empty() : Optional.of(volume.record());
    }

    public Optional<VolumeRecord> findById(String id) {
        Volume volume = byId.get(id);
        return volume == null ? Optional.empty() : Optional.of(volume.record());
    }

    public List<VolumeRecord> records() {
        return byId.values().stream().map(Volume::record).toList();
    }

    /** True when a volume or a FlashCopy repository has this name: they share one name space. */
    public boolean nameInUse(String name) {
        return byName.containsKey(name) || byId.values().stream().anyMatch(v -> v.record().getKind()
                == VolumeKind.FLASHCOPY && v.record().getFlashCopy().getRepositoryName().equals(name));
    }

    /** Refuses when {@code more} volumes would pass the array's limit. */
    public void checkRoomFor(int more) {
        int count = count();
        if (count + more > limits.maxVolumes()) {
            throw new EngineException(Reason.VOLUME_LIMIT_REACHED, "the array has " + count + " volumes, and "
                    + more + " more would pass its limit of " + limits.maxVolumes() + " (FlashCopy repositories,"
                    + " copy targets and mirror volumes count too)", "delete volumes you no longer need, or raise"
                            + " the limit with the agent's --max-volumes");
        }
    }

    /** Commits a new volume whose files the caller made, and serves it. Holds the control lock. */
    public VolumeInfo add(VolumeRecord record, VolumeDevice device) throws IOException {
        synchronized (control) {
            if (nameInUse(record.getName())) {
                throw new EngineException(Reason.VOLUME_EXISTS, "the name '" + record.getName() + "' is taken",
                        "choose another name");
            }
            if (record.getKind() == VolumeKind.FLASHCOPY && !byId.containsKey(record.getFlashCopy().getBaseId())) {
                throw new EngineException(Reason.VOLUME_NOT_FOUND, "the base of '" + record.getName() + "' was"
                        + " deleted meanwhile", "create the base volume again first");
            }
            pool.update(c -> c.addVolumes(record));
            return info(serve(record, device));
        }
    }

    /**
     * Sets {@code owner}'s restriction of host access to a volume (READ_WRITE lifts it); returns once no
     * host request admitted under the previous rules is still running. Not persisted: the owning
     * engine sets it again when it opens, before NBD serves.
     */
    public void restrictHostAccess(String id, String owner, HostAccess access, String why) {
        Volume volume = byId.get(id);
        if (volume != null) {
            volume.restrict(owner, access, why);
        }
    }

    /** Tells {@code listener} of every host request from now on (the agent's metrics). */
    public void observeHostIo(HostIoListener listener) {
        this.hostIo = listener;
    }

    /**
     * Returns once no host request admitted before the call is still running: an engine that changes how
     * host writes are handled (a mirror that starts tracking them) calls it so that none slipped past.
     */
    public void awaitHostRequests(String id) {
        Volume volume = byId.get(id);
        if (volume != null) {
            volume.awaitHostRequests();
        }
    }

    /** The device engines read and write a volume through (host restrictions do not apply to it). */
    public Optional<VolumeDevice> device(String id) {
        Volume volume = byId.get(id);
        return volume == null ? Optional.empty() : Optional.of(volume.device());
    }

    /** See {@link VolumeLifecycle#checkDataChange}; for engines about to replace a volume's data. */
    public void checkDataChange(String id, String operation) {
        findById(id).ifPresent(record -> lifecycle.checkDataChange(record, operation));
    }

    /** See {@link VolumeLifecycle#checkImageRead}; for engines about to take a volume's point in time. */
    public void checkImageRead(String id, String operation) {
        findById(id).ifPresent(record -> lifecycle.checkImageRead(record, operation));
    }

    /** What runs while the volumes it names are guaranteed to exist. */
    public interface WhileExisting<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code action} under the control lock after checking that every id names a volume, so that
     * no delete slips in between: how another engine commits an object that links volumes.
     */
    public <T> T whileExisting(Collection<String> ids, WhileExisting<T> action) throws IOException {
        synchronized (control) {
            for (String id : ids) {
                if (!byId.containsKey(id)) {
                    throw new EngineException(Reason.VOLUME_NOT_FOUND, "a volume of the request (id " + id + ") was"
                            + " deleted meanwhile", "check the names with 'csctl volume list' and try again");
                }
            }
            return action.run();
        }
    }

    /** Serves a volume the catalog already names (at start). */
    public void register(VolumeRecord record, VolumeDevice device) {
        serve(record, device);
    }

    private Volume serve(VolumeRecord record, VolumeDevice device) {
        Volume volume = new Volume(record, device, (name, operation, bytes, nanos, failed) ->
                hostIo.completed(name, operation, bytes, nanos, failed));
        byName.put(record.getName(), volume);
        byId.put(record.getId(), volume);
        return volume;
    }

    /**
     * Changes a volume's record durably; the one way records change, so that changes from the
     * control path and from the data path (a FlashCopy failing) never overwrite each other.
     */
    public VolumeRecord mutate(String id, UnaryOperator<VolumeRecord> change) throws IOException {
        Volume volume = byId.get(id);
        if (volume == null) {
            throw new NoSuchFileException("volume " + id + " is gone");
        }
        synchronized (volume) {
            VolumeRecord updated = change.apply(volume.record());
            if (!updated.equals(volume.record())) {
                commit(volume, updated);
            }
            return updated;
        }
    }

    public int connections(String id) {
        Volume volume = byId.get(id);
        return volume == null ? 0 : volume.connections();
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
        byId.clear();
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

    private VolumeInfo info(Volume volume) {
        VolumeRecord record = volume.record();
        String base = record.getKind() == VolumeKind.FLASHCOPY
                ? findById(record.getFlashCopy().getBaseId()).map(VolumeRecord::getName).orElse("") : "";
        return volume.info(base);
    }

    private void commit(Volume volume, VolumeRecord updated) throws IOException {
        synchronized (volume) {
            commitRecord(updated);
            volume.setRecord(updated);
        }
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

    private void discard(VolumeDevice device, VolumeRecord record) {
        try {
            if (device != null) {
                device.close();
            }
            if (record.getKind() == VolumeKind.FLASHCOPY) {
                pool.directory().deleteRepositoryFile(record.getId());
            } else {
                pool.directory().deleteVolumeFile(record.getId());
            }
        } catch (IOException e) {
            LOG.warning("could not remove the files of volume " + record.getId() + " (removed at next start): " + e);
        }
    }
}
