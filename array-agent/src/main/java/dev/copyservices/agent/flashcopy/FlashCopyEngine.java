package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.FlashCopyRecord;
import dev.copyservices.agent.pool.catalog.FlashCopyStateRecord;
import dev.copyservices.agent.pool.catalog.FullPolicyRecord;
import dev.copyservices.agent.pool.catalog.VolumeKind;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeDevice;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeLifecycle;
import dev.copyservices.agent.volume.VolumeRules;
import dev.copyservices.api.Sizes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.logging.Logger;

/**
 * FlashCopy in Snapshot mode (DS4000 guide chapter 2): create, disable, re-create, delete, grow
 * the repository, change settings, and report. The FlashCopy is a volume of the VolumeEngine (one
 * name space, one catalog); this engine adds its repository and the base's copy-on-write.
 *
 * <p>Lock order: {@link #control}, then a base's gate, then a volume's record (VolumeEngine.mutate),
 * then the pool. The data path enters at the gate and never takes {@link #control}.
 */
public final class FlashCopyEngine implements VolumeLifecycle, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FlashCopyEngine.class.getName());

    /** Per-pool settings from the agent's command line. */
    public record Options(boolean enabled, int chunkBytes) {
        public Options {
            FlashCopyRules.checkChunkBytes(chunkBytes);
        }

        public static Options defaults() {
            return new Options(true, FlashCopyRules.DEFAULT_CHUNK_BYTES);
        }
    }

    private final Pool pool;
    private final ArrayLimits limits;
    private final EventSink events;
    private final Options options;
    private final Map<String, CowBase> bases = new ConcurrentHashMap<>(); // by base volume id
    private final Map<String, FlashCopyVolume> flashCopies = new ConcurrentHashMap<>(); // by id
    private final Object control = new Object();
    private final FlashCopyStates states;
    private VolumeEngine volumes;
    private final CopyRelationships relationships;
    private final FlashCopyGroups groups;

    public FlashCopyEngine(Pool pool, ArrayLimits limits, EventSink events, Options options) {
        this.pool = pool;
        this.limits = limits;
        this.events = events;
        this.options = options;
        this.states = new FlashCopyStates(events, () -> volumes);
        this.relationships = new CopyRelationships(pool, events, control, bases::get, this::snapshotNames,
                options.enabled());
        this.groups = new FlashCopyGroups(relationships);
    }

    /**
     * Opens the FlashCopies the catalog names, after the VolumeEngine opened their bases: recovers
     * each repository (see Repository) and resumes copy-on-write for the Optimal ones.
     */
    public void open(VolumeEngine volumeEngine) throws IOException {
        this.volumes = volumeEngine;
        for (VolumeRecord record : pool.catalog().getVolumesList()) {
            if (record.getKind() != VolumeKind.FLASHCOPY) {
                continue;
            }
            FlashCopyRecord fc = record.getFlashCopy();
            CowBase base = bases.get(fc.getBaseId());
            if (base == null) {
                throw new IOException("FlashCopy '" + record.getName() + "' names a base that is not in the catalog");
            }
            ChunkMap map = new ChunkMap(FlashCopyVolume.chunkCount(record.getSizeBytes(), fc.getChunkBytes()));
            Repository repository = Repository.open(pool.directory().repositoryFile(record.getId()),
                    fc.getChunkBytes(), fc.getEpoch(), fc.getRepositoryCapacityBytes() / fc.getChunkBytes(),
                    map.chunkCount(), map::put);
            FlashCopyVolume flashCopy = new FlashCopyVolume(record, base, repository, map, states);
            volumes.register(record, flashCopy);
            flashCopies.put(record.getId(), flashCopy);
            if (fc.getState() == FlashCopyStateRecord.OPTIMAL) {
                base.activate(flashCopy);
            }
            LOG.info("FlashCopy '" + record.getName() + "' of '" + base.name() + "' recovered: " + fc.getState()
                    + ", " + repository.usedSlots() + " chunk(s) in repository '" + fc.getRepositoryName() + "'");
        }
        relationships.open(volumeEngine);
    }

    public FlashCopyInfo create(CreateFlashCopy request) {
        VolumeRecord base = volumes.find(request.base()).orElseThrow(() -> new EngineException(
                Reason.VOLUME_NOT_FOUND, "base volume '" + request.base() + "' does not exist",
                "check the name with 'csctl volume list'; names are case-sensitive"));
        if (base.getKind() != VolumeKind.STANDARD) {
            throw new EngineException(Reason.NOT_A_STANDARD_VOLUME, "'" + base.getName() + "' is a FlashCopy; the"
                    + " base of a FlashCopy must be a standard volume", "take the FlashCopy of its base '"
                            + baseName(base) + "' instead");
        }
        if (request.name() != null && !request.name().isEmpty()) {
            FlashCopyVolume existing = byName(request.name());
            if (existing != null && existing.settings().getBaseId().equals(base.getId())) {
                return report(existing); // a retry of the same create
            }
        }
        if (!options.enabled()) {
            throw new EngineException(Reason.FEATURE_DISABLED, "the FlashCopy feature is disabled on this array",
                    "restart the agent without '--disable-feature flashcopy'");
        }
        int threshold = FlashCopyRules.warningThreshold(request.warningThresholdPercent());
        long capacity = FlashCopyRules.repositoryBytes(request.repositoryPercent(), request.repositoryBytes(),
                base.getSizeBytes(), options.chunkBytes());
        synchronized (control) {
            CowBase cow = bases.get(base.getId());
            if (relationships.targetIds().contains(base.getId())) {
                throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + base.getName() + "' is the target of a"
                        + " Copy-mode FlashCopy relationship; a re-flash or reverse would change its content"
                        + " underneath a Snapshot-mode FlashCopy",
                        "take the FlashCopy of the relationship's source, or withdraw the relationship first");
            }
            volumes.checkImageRead(base.getId(), "take a FlashCopy of it");
            List<FlashCopyVolume> ofBase = ofBase(base.getId());
            if (ofBase.size() >= limits.maxFlashCopiesPerBase()) {
                throw new EngineException(Reason.FLASHCOPY_LIMIT_REACHED, "base '" + base.getName() + "' already has "
                        + ofBase.size() + " FlashCopies, the limit per base", "delete or re-create one of them ("
                                + names(ofBase) + ")");
            }
            if (flashCopies.size() >= limits.maxFlashCopies()) {
                throw new EngineException(Reason.FLASHCOPY_LIMIT_REACHED, "the array already has "
                        + flashCopies.size() + " FlashCopies, its limit", "delete FlashCopies you no longer need, or"
                                + " raise the limit with the agent's --max-flashcopies");
            }
            volumes.checkRoomFor(2); // the FlashCopy and its repository (L1343-1353)
            Set<Integer> taken = new HashSet<>();
            ofBase.forEach(f -> taken.add(f.settings().getSequence()));
            int sequence = FlashCopyRules.nextSequence(taken, limits.maxFlashCopiesPerBase());
            String name = orDefault(request.name(), FlashCopyRules.defaultName(base.getName(), "-" + sequence));
            String repositoryName = orDefault(request.repositoryName(),
                    FlashCopyRules.defaultName(base.getName(), "-R" + sequence));
            checkNewName(name);
            checkNewName(repositoryName);
            if (name.equals(repositoryName)) {
                throw new EngineException(Reason.VOLUME_EXISTS, "the FlashCopy and its repository cannot share the"
                        + " name '" + name + "'", "give them different names");
            }
            checkPoolSpace(capacity, "a repository of " + Sizes.format(capacity));
            FlashCopyRecord settings = FlashCopyRecord.newBuilder()
                    .setBaseId(base.getId())
                    .setRepositoryName(repositoryName)
                    .setRepositoryCapacityBytes(capacity)
                    .setWarningThresholdPercent(threshold)
                    .setFullPolicy(policy(request.fullPolicy()))
                    .setState(FlashCopyStateRecord.OPTIMAL)
                    .setEpoch(1)
                    .setChunkBytes(options.chunkBytes())
                    .setSequence(sequence)
                    .build();
            String id = UUID.randomUUID().toString();
            Path file = pool.directory().repositoryFile(id);
            Repository repository = null;
            Lock gate = cow.gate.writeLock();
            try {
                repository = Repository.create(file, options.chunkBytes(), 1, capacity / options.chunkBytes());
                pool.directory().syncVolumesDirectory();
                gate.lock();
                try {
                    // the point in time: no base write is in flight, and every earlier one is made durable
                    // so that the image survives a crash exactly as it is now
                    cow.file().flush();
                    long now = System.currentTimeMillis();
                    VolumeRecord record = VolumeRecord.newBuilder()
                            .setId(id)
                            .setName(name)
                            .setSizeBytes(cow.size())
                            .putAllAttributes(request.attributes())
                            .setCreatedUnixMillis(now)
                            .setKind(VolumeKind.FLASHCOPY)
                            .setFlashCopy(settings.toBuilder().setPointInTimeUnixMillis(now))
                            .build();
                    FlashCopyVolume flashCopy = new FlashCopyVolume(record, cow, repository,
                            new ChunkMap(FlashCopyVolume.chunkCount(record.getSizeBytes(), options.chunkBytes())), states);
                    volumes.add(record, flashCopy);
                    flashCopies.put(id, flashCopy);
                    cow.activate(flashCopy);
                } finally {
                    gate.unlock();
                }
            } catch (IOException | RuntimeException e) {
                if (!flashCopies.containsKey(id)) {
                    discard(repository, id);
                }
                throw e instanceof EngineException ee ? ee : poolError("create FlashCopy '" + name + "'", e);
            }
            states.publish(Severity.INFO, "FLASHCOPY_CREATED", name, "FlashCopy '" + name + "' of '" + base.getName()
                    + "' created with repository '" + repositoryName + "' (" + Sizes.format(capacity) + ")", "");
            return get(name);
        }
    }

    /** By the FlashCopy's name or its repository's name. */
    public FlashCopyInfo get(String name) {
        return report(require(name));
    }

    /** All FlashCopies, or those of {@code base} when it is not empty, by name. */
    public List<FlashCopyInfo> list(String base) {
        return flashCopies.values().stream()
                .map(this::report)
                .filter(i -> base == null || base.isEmpty() || i.base().equals(base))
                .sorted(Comparator.comparing(FlashCopyInfo::name))
                .toList();
    }

    /** Stops copy-on-write (L4272); the FlashCopy takes no I/O until re-created. */
    public FlashCopyInfo disable(String name) {
        synchronized (control) {
            FlashCopyVolume flashCopy = require(name);
            volumes.checkDataChange(flashCopy.id(), "disable it");
            FlashCopyStateRecord state = flashCopy.settings().getState();
            if (state == FlashCopyStateRecord.FAILED) {
                throw new EngineException(Reason.FLASHCOPY_STATE, "FlashCopy '" + flashCopy.record().getName()
                        + "' has failed (" + flashCopy.settings().getFailure() + ")", "re-create it for a new point"
                                + " in time, or delete it");
            }
            if (state == FlashCopyStateRecord.OPTIMAL) {
                Lock gate = flashCopy.base().gate.writeLock();
                gate.lock();
                try {
                    states.change(flashCopy, r -> FlashCopyStates.withState(r, FlashCopyStateRecord.DISABLED, ""));
                    flashCopy.base().deactivate(flashCopy);
                } finally {
                    gate.unlock();
                }
                states.publish(Severity.INFO, "FLASHCOPY_DISABLED", flashCopy.record().getName(), "FlashCopy '"
                        + flashCopy.record().getName() + "' disabled; copy-on-write stopped", "");
            }
            return get(name);
        }
    }

    /** A new point in time, same names, settings and export (L4326-4376); from Optimal, Disabled or Failed. */
    public FlashCopyInfo recreate(String name) {
        synchronized (control) {
            FlashCopyVolume flashCopy = require(name);
            volumes.checkDataChange(flashCopy.id(), "re-create it");
            volumes.checkImageRead(flashCopy.settings().getBaseId(), "take a FlashCopy of it");
            CowBase cow = flashCopy.base();
            Lock gate = cow.gate.writeLock();
            gate.lock();
            try {
                cow.file().flush();
                cow.deactivate(flashCopy);
                long now = System.currentTimeMillis();
                VolumeRecord updated = states.change(flashCopy, r -> {
                    VolumeRecord.Builder b = r.toBuilder().setSizeBytes(cow.size());
                    b.getFlashCopyBuilder().setState(FlashCopyStateRecord.OPTIMAL).setFailure("")
                            .setEpoch(r.getFlashCopy().getEpoch() + 1).setPointInTimeUnixMillis(now);
                    return b.build();
                });
                flashCopy.reset(updated);
                cow.activate(flashCopy);
            } catch (IOException e) {
                throw poolError("re-create FlashCopy '" + name + "'", e);
            } finally {
                gate.unlock();
            }
            states.publish(Severity.INFO, "FLASHCOPY_RECREATED", flashCopy.record().getName(), "FlashCopy '"
                    + flashCopy.record().getName() + "' re-created: a new point in time, repository emptied", "");
            return get(name);
        }
    }

    /** Deletes the FlashCopy and its repository; {@code name} may be either (L4198-4204). */
    public void delete(String name, boolean force) {
        synchronized (control) {
            FlashCopyVolume flashCopy = require(name);
            volumes.delete(flashCopy.record().getName(), force);
        }
    }

    /** Adds capacity (rounded up to whole chunks); a full repository under FailBaseWrites accepts writes again. */
    public FlashCopyInfo growRepository(String name, long byBytes) {
        synchronized (control) {
            FlashCopyVolume flashCopy = require(name);
            int chunk = flashCopy.repository().chunkBytes();
            if (byBytes <= 0) {
                throw new EngineException(Reason.INVALID_REPOSITORY, "a repository grows by a positive size, not "
                        + byBytes + " bytes", "give the capacity to add, e.g. --by 64MiB");
            }
            long added = Math.ceilDiv(byBytes, chunk) * chunk;
            checkPoolSpace(added, "growing the repository by " + Sizes.format(added));
            VolumeRecord updated = states.change(flashCopy, r -> {
                VolumeRecord.Builder b = r.toBuilder();
                b.getFlashCopyBuilder().setRepositoryCapacityBytes(r.getFlashCopy().getRepositoryCapacityBytes() + added);
                return b.build();
            });
            flashCopy.repository().grow(updated.getFlashCopy().getRepositoryCapacityBytes() / chunk);
            flashCopy.grewRepository();
            states.publish(Severity.INFO, "REPOSITORY_GROWN", flashCopy.settings().getRepositoryName(), "repository '"
                    + flashCopy.settings().getRepositoryName() + "' grew by " + Sizes.format(added) + " to "
                    + Sizes.format(updated.getFlashCopy().getRepositoryCapacityBytes()), "");
            return get(name);
        }
    }

    /** Null leaves a setting as it is (L4118-4124). */
    public FlashCopyInfo update(String name, Integer warningThresholdPercent, FullPolicy fullPolicy) {
        synchronized (control) {
            FlashCopyVolume flashCopy = require(name);
            Integer threshold = warningThresholdPercent == null ? null
                    : FlashCopyRules.warningThreshold(warningThresholdPercent);
            states.change(flashCopy, r -> {
                VolumeRecord.Builder b = r.toBuilder();
                if (threshold != null) {
                    b.getFlashCopyBuilder().setWarningThresholdPercent(threshold);
                }
                if (fullPolicy != null) {
                    b.getFlashCopyBuilder().setFullPolicy(policy(fullPolicy));
                }
                return b.build();
            });
            return get(name);
        }
    }

    public boolean enabled() {
        return options.enabled();
    }

    public int count() {
        return flashCopies.size();
    }

    /** Copy mode: source-to-target relationships. */
    public CopyRelationships relationships() {
        return relationships;
    }

    /** Copy mode: groups of relationships flashed at one point in time. */
    public FlashCopyGroups groups() {
        return groups;
    }

    /** Stops the background copies; before the volumes close. */
    @Override
    public void close() {
        relationships.close();
    }

    // ---- for engines that build on FlashCopies (VolumeCopy) ---------------------------------------

    /**
     * Runs {@code action} while no FlashCopy, relationship or group changes (under the control lock), so
     * that another engine's claim on volumes and the checks of FlashCopy operations cannot interleave.
     */
    public <T> T whileUnchanged(VolumeEngine.WhileExisting<T> action) throws IOException {
        synchronized (control) {
            return action.run();
        }
    }

    /**
     * Which FlashCopies another engine holds back, and why (the mirror engine: those of a primary it
     * demoted show Failed, L11843, while copy-on-write goes on so that a promotion brings them back
     * Optimal with their image intact); null when none holds it back.
     */
    private volatile java.util.function.Function<String, String> heldBackBy = id -> null;

    public void heldBackBy(java.util.function.Function<String, String> why) {
        this.heldBackBy = why;
    }

    /** Ids of the base's FlashCopies (any state). */
    public List<String> flashCopyIdsOf(String baseId) {
        return ofBase(baseId).stream().map(FlashCopyVolume::id).sorted().toList();
    }

    /** Names of the base's FlashCopies that still copy on write (Optimal or Full). */
    public List<String> activeFlashCopiesOf(String baseId) {
        return ofBase(baseId).stream()
                .filter(f -> f.settings().getState() == FlashCopyStateRecord.OPTIMAL)
                .map(f -> f.record().getName()).sorted().toList();
    }

    /**
     * Fails the base's disabled FlashCopies because something else overwrites the base (L4714): their
     * images would no longer be the base's point in time. Returns their names.
     */
    public List<String> failDisabledFlashCopiesOf(String baseId, String why) {
        synchronized (control) {
            List<String> failed = new ArrayList<>();
            for (FlashCopyVolume flashCopy : ofBase(baseId)) {
                if (flashCopy.settings().getState() != FlashCopyStateRecord.DISABLED) {
                    continue;
                }
                states.change(flashCopy, r -> FlashCopyStates.withState(r, FlashCopyStateRecord.FAILED, why));
                String name = flashCopy.record().getName();
                failed.add(name);
                states.publish(Severity.CRITICAL, "FLASHCOPY_FAILED", name, "FlashCopy '" + name + "' of '"
                        + flashCopy.base().name() + "' failed: " + why, "delete it, or re-create it for a new point"
                                + " in time once the base holds the data you want");
            }
            return failed;
        }
    }

    /** Refuses a volume in a Copy-mode relationship or a FlashCopy group, with what to do. */
    public void checkNotInRelationship(String volumeId, String action) {
        relationships.checkNotInRelationship(volumeId, action, false);
        groups.checkNotInGroup(volumeId, action);
    }

    // ---- VolumeLifecycle: called by the VolumeEngine ----------------------------------------------

    @Override
    public void checkDeletable(VolumeRecord record) {
        if (record.getKind() == VolumeKind.STANDARD) {
            relationships.checkNotInRelationship(record.getId(), "delete", false);
            groups.checkNotInGroup(record.getId(), "delete");
        }
    }

    @Override
    public void checkResizable(VolumeRecord record, long newSize) {
        relationships.checkNotInRelationship(record.getId(), "resize", true);
    }

    @Override
    public VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file) {
        CowBase base = new CowBase(record.getName(), file);
        bases.put(record.getId(), base);
        return base;
    }

    @Override
    public void deleted(VolumeRecord record) {
        FlashCopyVolume flashCopy = flashCopies.remove(record.getId());
        if (flashCopy != null) {
            Lock gate = flashCopy.base().gate.writeLock();
            gate.lock(); // lets I/O in flight on the base finish before the repository closes
            try {
                flashCopy.base().deactivate(flashCopy);
            } finally {
                gate.unlock();
            }
        }
        bases.remove(record.getId());
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private FlashCopyInfo report(FlashCopyVolume flashCopy) {
        FlashCopyInfo info = FlashCopyReport.info(flashCopy, baseName(flashCopy.record()),
                volumes.connections(flashCopy.id()));
        String heldBack = heldBackBy.apply(flashCopy.id());
        if (heldBack != null && info.state() != FlashCopyState.DISABLED && info.state() != FlashCopyState.FAILED) {
            return new FlashCopyInfo(info.name(), info.id(), info.base(), FlashCopyState.FAILED, info.pointInTime(),
                    info.created(), info.sizeBytes(), info.repository(), info.nbdConnections(), heldBack);
        }
        return info;
    }

    private FlashCopyVolume require(String name) {
        FlashCopyVolume flashCopy = byName(name);
        if (flashCopy == null) {
            flashCopy = flashCopies.values().stream()
                    .filter(f -> f.settings().getRepositoryName().equals(name)).findFirst().orElse(null);
        }
        if (flashCopy == null) {
            if (name == null || name.isEmpty()) {
                VolumeRules.checkName(name);
            }
            throw new EngineException(Reason.FLASHCOPY_NOT_FOUND, "no FlashCopy or repository is named '" + name + "'",
                    "check the name with 'csctl flashcopy list'; names are case-sensitive");
        }
        return flashCopy;
    }

    private FlashCopyVolume byName(String name) {
        return flashCopies.values().stream().filter(f -> f.record().getName().equals(name)).findFirst().orElse(null);
    }

    private List<String> snapshotNames(String baseId) {
        return ofBase(baseId).stream().map(f -> f.record().getName()).sorted().toList();
    }

    private List<FlashCopyVolume> ofBase(String baseId) {
        return flashCopies.values().stream().filter(f -> f.settings().getBaseId().equals(baseId)).toList();
    }

    private String baseName(VolumeRecord flashCopy) {
        return volumes.findById(flashCopy.getFlashCopy().getBaseId()).map(VolumeRecord::getName).orElse("");
    }

    private void checkNewName(String name) {
        VolumeRules.checkName(name);
        if (volumes.nameInUse(name)) {
            throw new EngineException(Reason.VOLUME_EXISTS, "the name '" + name + "' is already taken by a volume or"
                    + " repository", "give the FlashCopy and repository other names (--name, --repository-name)");
        }
    }

    private void checkPoolSpace(long bytes, String what) {
        long free;
        try {
            free = pool.directory().fileStore().getUsableSpace();
        } catch (IOException e) {
            throw poolError("read the pool's free space", e);
        }
        if (free < bytes) {
            throw new EngineException(Reason.POOL_FULL, what + " does not fit: the pool has " + Sizes.format(free)
                    + " free", "free space in the pool, or ask for a smaller repository");
        }
    }

    private void discard(Repository repository, String id) {
        try {
            if (repository != null) {
                repository.close();
            }
            pool.directory().deleteRepositoryFile(id);
        } catch (IOException e) {
            LOG.warning("could not remove repository file " + id + " (removed at next start): " + e);
        }
    }

    private static String orDefault(String given, String fallback) {
        return given == null || given.isEmpty() ? fallback : given;
    }

    private static String names(List<FlashCopyVolume> list) {
        return String.join(", ", list.stream().map(f -> f.record().getName()).sorted().toList());
    }

    private static FullPolicyRecord policy(FullPolicy policy) {
        return policy == FullPolicy.FAIL_BASE_WRITES ? FullPolicyRecord.FAIL_BASE_WRITES
                : FullPolicyRecord.FAIL_FLASH_COPY;
    }

    private static EngineException poolError(String action, Exception e) {
        return new EngineException(Reason.POOL_IO_ERROR, "could not " + action + ": " + e.getMessage(),
                "check the pool directory's disk and permissions, and the agent's log", e);
    }
}
