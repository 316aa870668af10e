package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.flashcopy.RelationshipFlash.Mode;
import dev.copyservices.agent.flashcopy.RelationshipFlash.Plan;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.pool.catalog.CopyRelationshipRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeRules;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * FlashCopy in Copy mode (DS8000 FlashCopy, seeds 000-003): relationships from a source volume to
 * a target volume. Establish, re-flash and reverse go through {@link RelationshipFlash}; withdraws
 * and the automatic end of a non-persistent relationship through {@link RelationshipEnd}.
 *
 * <p>Lock order: the control lock (shared with the Snapshot-mode engine), then gates (targets
 * first), then a relationship's monitor, then the VolumeEngine's control lock, then the pool. The
 * data path and the background copy enter at the gates and never take the control lock.
 */
public final class CopyRelationships implements CopyRelationship.Host, BackgroundCopies.Engine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CopyRelationships.class.getName());

    final Pool pool;
    final EventSink events;
    final Object control;
    private final Function<String, CowBase> bases;
    private final Function<String, List<String>> snapshotsOf;
    private final boolean enabled;
    final Map<String, CopyRelationship> byId = new ConcurrentHashMap<>();
    final BackgroundCopies copies = new BackgroundCopies(this);
    private final ExecutorService completions = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("relationship-completions").factory());
    private final RelationshipFlash flashes = new RelationshipFlash(this);
    private final RelationshipEnd ends = new RelationshipEnd(this);
    VolumeEngine volumes;

    CopyRelationships(Pool pool, EventSink events, Object control, Function<String, CowBase> bases,
            Function<String, List<String>> snapshotsOf, boolean enabled) {
        this.pool = pool;
        this.events = events;
        this.control = control;
        this.bases = bases;
        this.snapshotsOf = snapshotsOf;
        this.enabled = enabled;
    }

    /** Opens every relationship the catalog names and resumes their background copies. */
    void open(VolumeEngine volumeEngine) throws IOException {
        this.volumes = volumeEngine;
        Set<String> known = new HashSet<>();
        for (CopyRelationshipRecord record : pool.catalog().getRelationshipsList()) {
            known.add(record.getId());
            RegionMap map = RegionMap.open(pool.directory().changeMapFile(record.getId()), record.getRegions(),
                    record.getEpoch());
            CopyRelationship relationship = new CopyRelationship(record, cow(record.getSourceId()),
                    cow(record.getTargetId()), map, this);
            if (!record.getFailed()) {
                relationship.source().activate(relationship);
            }
            relationship.target().setImage(relationship);
            byId.put(record.getId(), relationship);
            LOG.info("FlashCopy relationship " + label(relationship) + " recovered: "
                    + map.count(RegionMap.Kind.COPIED) + " of " + map.regions() + " regions copied"
                    + (record.getFailed() ? ", failed: " + record.getFailure() : ""));
        }
        for (String id : pool.directory().changeMapFileIds()) {
            if (!known.contains(id)) {
                LOG.info("removing change map " + id + " that no relationship names (an interrupted establish or"
                        + " withdraw)");
                pool.directory().deleteChangeMapFile(id);
            }
        }
        for (CopyRelationship relationship : byId.values()) {
            resumeCopy(relationship);
        }
    }

    /** Idempotent on (source, target, options). */
    public RelationshipInfo establish(String source, String target, CopyOptions options) {
        CopyOptions checked = options.checked();
        synchronized (control) {
            VolumeRecord s = RelationshipRules.volume(volumes, source, "source");
            VolumeRecord t = RelationshipRules.volume(volumes, target, "target");
            for (CopyRelationship r : byId.values()) {
                if (r.record().getSourceId().equals(s.getId()) && r.record().getTargetId().equals(t.getId())
                        && options(r.record()).equals(checked)) {
                    return report(r); // a retry of the same establish
                }
            }
            checkEnabled();
            RelationshipRules.checkNew(s, t, byId.values(), snapshotsOf.apply(t.getId()), this::name);
            CopyRelationship created = flash(List.of(new Plan(s, t, checked, "", null, Mode.NEW)), (c, now) -> {
            }, "establish a FlashCopy from '" + source + "' to '" + target + "'").get(0);
            publish(Severity.INFO, "FLASHCOPY_ESTABLISHED", created, "FlashCopy relationship " + label(created)
                    + " established (" + describe(checked) + "): the target shows the source's point-in-time"
                    + " image", "");
            return report(created);
        }
    }

    /** A new point in time onto the same target; persistent relationships only (seed 001). */
    public RelationshipInfo reflash(String name) {
        synchronized (control) {
            CopyRelationship r = require(name);
            if (!r.record().getPersistent()) {
                throw new EngineException(Reason.RELATIONSHIP_STATE, "relationship " + label(r) + " is not"
                        + " persistent; refreshing a target needs a persistent relationship", "withdraw it and"
                                + " establish again with --persistent");
            }
            Mode mode = r.record().getIncremental() && !r.record().getFailed() ? Mode.INCREMENTAL : Mode.FULL;
            CopyRelationship flashed = reflashOne(r, mode, "re-flash " + label(r));
            publish(Severity.INFO, "FLASHCOPY_REFLASHED", flashed, "relationship " + label(flashed) + " re-flashed"
                    + " to a new point in time; " + flashed.record().getRegionsToCopyAtFlash() + " of "
                    + flashed.record().getRegions() + " regions to copy" + (mode == Mode.INCREMENTAL
                            ? " (incremental)" : ""), "");
            return report(flashed);
        }
    }

    /** The target's image onto the source, roles swapped; persistent and fully copied relationships only. */
    public RelationshipInfo reverse(String name) {
        synchronized (control) {
            CopyRelationship r = require(name);
            RelationshipRules.checkReversible(r, byId.values(), snapshotsOf, this::name, label(r), percent(r));
            RelationshipRules.checkWritable(volumes.findById(r.record().getSourceId()).orElseThrow(), "source");
            String sourceId = r.record().getSourceId();
            // a reversed pair no longer matches its group's copy set, so it leaves the group
            VolumeRecord source = volumes.findById(sourceId).orElseThrow();
            VolumeRecord target = volumes.findById(r.record().getTargetId()).orElseThrow();
            CopyRelationship reversed = flash(List.of(new Plan(source, target, options(r.record()), "", r,
                    Mode.REVERSE)), (c, now) -> FlashCopyGroups.forgetFlash(c, r.record()), "reverse " + label(r))
                    .get(0);
            publish(Severity.INFO, "FLASHCOPY_REVERSED", reversed, "relationship reversed: " + label(reversed)
                    + " now restores '" + name(reversed.record().getTargetId()) + "' to the image of '"
                    + name(reversed.record().getSourceId()) + "'; " + reversed.record().getRegionsToCopyAtFlash()
                    + " regions to copy", "");
            return report(reversed);
        }
    }

    public RelationshipInfo startBackgroundCopy(String name) {
        synchronized (control) {
            CopyRelationship r = require(name);
            startBackgroundCopy(List.of(r));
            return report(byId.get(r.id()));
        }
    }

    /** Refused while regions are not yet copied unless forced; then the target says it is incomplete. */
    public WithdrawResult withdraw(String name, boolean force) {
        synchronized (control) {
            CopyRelationship r = require(name);
            return ends.withdraw(List.of(r), force, c -> {
            }, "csctl flashcopy background-copy " + name(r.record().getTargetId())).get(0);
        }
    }

    public RelationshipInfo get(String name) {
        return report(require(name));
    }

    /** {@code volume} and {@code group} filter when not empty; sorted by target name. */
    public List<RelationshipInfo> list(String volume, String group) {
        return byId.values().stream()
                .map(this::report)
                .filter(i -> volume == null || volume.isEmpty() || i.source().equals(volume)
                        || i.target().equals(volume))
                .filter(i -> group == null || group.isEmpty() || i.group().equals(group))
                .sorted(Comparator.comparing(RelationshipInfo::target))
                .toList();
    }

    public int count() {
        return byId.size();
    }

    @Override
    public void close() {
        copies.stopAll();
        completions.shutdownNow();
    }

    // ---- for groups and the Snapshot-mode engine ------------------------------------------------

    List<CopyRelationship> flash(List<Plan> plans, BiConsumer<Catalog.Builder, Long> alsoCommit, String action) {
        try {
            List<CopyRelationship> flashed = flashes.flash(plans, alsoCommit);
            flashed.forEach(this::resumeCopy);
            for (Plan plan : plans) {
                if (!plan.target().getIncompleteCopy().isEmpty()) {
                    volumes.mutate(plan.target().getId(), v -> v.toBuilder().setIncompleteCopy("").build());
                }
            }
            return flashed;
        } catch (IOException e) {
            throw poolError(action, e);
        }
    }

    CopyRelationship reflashOne(CopyRelationship r, Mode mode, String action) {
        VolumeRecord source = volumes.findById(r.record().getSourceId()).orElseThrow();
        VolumeRecord target = volumes.findById(r.record().getTargetId()).orElseThrow();
        return flash(List.of(new Plan(source, target, options(r.record()), r.record().getGroup(), r, mode)),
                (c, now) -> FlashCopyGroups.recordPairFlash(c, r.record(), now), action).get(0);
    }

    void startBackgroundCopy(List<CopyRelationship> relationships) {
        for (CopyRelationship r : relationships) {
            if (r.record().getBackgroundCopy()) {
                continue;
            }
            synchronized (r) {
                CopyRelationshipRecord updated = r.record().toBuilder().setBackgroundCopy(true).build();
                try {
                    pool.update(c -> put(c, updated));
                } catch (IOException e) {
                    throw poolError("start the background copy of " + label(r), e);
                }
                r.setRecord(updated);
            }
            resumeCopy(r);
            publish(Severity.INFO, "BACKGROUND_COPY_STARTED", r, "background copy of " + label(r) + " started, "
                    + percent(r) + " copied so far", "");
        }
    }

    RelationshipEnd ends() {
        return ends;
    }

    /** Throws when a volume may not be deleted or resized because a relationship uses it. */
    void checkNotInRelationship(String volumeId, String action, boolean targetMayGrow) {
        for (CopyRelationship r : byId.values()) {
            boolean source = r.record().getSourceId().equals(volumeId);
            boolean target = r.record().getTargetId().equals(volumeId);
            if (source || target && !targetMayGrow) {
                throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "cannot " + action + " '" + name(volumeId)
                        + "': it is the " + (source ? "source" : "target") + " of FlashCopy relationship " + label(r),
                        "withdraw the relationship first ('csctl flashcopy withdraw " + name(r.record().getTargetId())
                                + "')");
            }
        }
    }

    List<String> snapshotsOf(String volumeId) {
        return snapshotsOf.apply(volumeId);
    }

    Set<String> targetIds() {
        Set<String> ids = new HashSet<>();
        byId.values().forEach(r -> ids.add(r.record().getTargetId()));
        return ids;
    }

    CowBase cow(String volumeId) {
        CowBase cow = bases.apply(volumeId);
        if (cow == null) {
            throw new EngineException(Reason.VOLUME_NOT_FOUND, "volume " + volumeId + " was deleted meanwhile",
                    "check the names with 'csctl volume list'");
        }
        return cow;
    }

    CopyRelationship require(String name) {
        if (name == null || name.isEmpty()) {
            VolumeRules.checkName(name);
        }
        CopyRelationship asTarget = byId.values().stream()
                .filter(r -> name(r.record().getTargetId()).equals(name)).findFirst().orElse(null);
        if (asTarget != null) {
            return asTarget;
        }
        List<CopyRelationship> asSource = byId.values().stream()
                .filter(r -> name(r.record().getSourceId()).equals(name)).toList();
        if (asSource.size() == 1) {
            return asSource.get(0);
        }
        if (asSource.size() > 1) {
            throw new EngineException(Reason.RELATIONSHIP_AMBIGUOUS, "'" + name + "' is the source of "
                    + asSource.size() + " relationships", "name the target instead: " + String.join(", ",
                            asSource.stream().map(r -> name(r.record().getTargetId())).sorted().toList()));
        }
        throw new EngineException(Reason.RELATIONSHIP_NOT_FOUND, "no FlashCopy relationship has '" + name + "' as"
                + " its target or source", "check with 'csctl flashcopy relationships'; names are case-sensitive");
    }

    RelationshipInfo report(CopyRelationship r) {
        return RelationshipReport.info(r, this::name);
    }

    String name(String volumeId) {
        return volumes.findById(volumeId).map(VolumeRecord::getName).orElse("(deleted " + volumeId + ")");
    }

    String label(CopyRelationship r) {
        return "'" + name(r.record().getSourceId()) + "' -> '" + name(r.record().getTargetId()) + "'";
    }

    static String percent(CopyRelationship r) {
        return String.format("%.1f%%", 100.0 * r.map().count(RegionMap.Kind.COPIED) / Math.max(1, r.map().regions()));
    }

    static CopyOptions options(CopyRelationshipRecord r) {
        return new CopyOptions(r.getBackgroundCopy(), r.getPersistent(), r.getIncremental());
    }

    void publish(Severity severity, String reason, CopyRelationship r, String message, String correction) {
        events.publish(severity, reason, "FlashCopyRelationship", name(r.record().getTargetId()), message, correction);
    }

    void discardMap(RegionMap map) {
        try {
            map.close();
            java.nio.file.Files.deleteIfExists(map.file());
        } catch (IOException e) {
            LOG.warning("could not remove change map " + map.file() + " (removed at next start): " + e);
        }
    }

    /** Replaces the record with the same id in the catalog, or adds it. */
    static void put(Catalog.Builder c, CopyRelationshipRecord record) {
        for (int i = 0; i < c.getRelationshipsCount(); i++) {
            if (c.getRelationships(i).getId().equals(record.getId())) {
                c.setRelationships(i, record);
                return;
            }
        }
        c.addRelationships(record);
    }

    static EngineException poolError(String action, Exception e) {
        if (e instanceof EngineException ee) {
            return ee;
        }
        return new EngineException(Reason.POOL_IO_ERROR, "could not " + action + ": " + e.getMessage(),
                "check the pool directory's disk and permissions, and the agent's log", e);
    }

    private void checkEnabled() {
        if (!enabled) {
            throw new EngineException(Reason.FEATURE_DISABLED, "the FlashCopy feature is disabled on this array",
                    "restart the agent without '--disable-feature flashcopy'");
        }
    }

    private static String describe(CopyOptions o) {
        return (o.backgroundCopy() ? "background copy" : "no background copy") + (o.persistent() ? ", persistent"
                : "") + (o.incremental() ? ", incremental" : "");
    }

    private void resumeCopy(CopyRelationship r) {
        if (r.record().getBackgroundCopy() && !r.failed()) {
            copies.start(r.id(), name(r.record().getTargetId()));
        }
    }

    // ---- called from the data path and the copier threads (never take the control lock) --------

    @Override
    public CopyRelationship current(String id) {
        return byId.get(id);
    }

    @Override
    public void fail(CopyRelationship relationship, String why) {
        synchronized (relationship) {
            if (relationship.failed()) {
                return; // one failure, one event
            }
            relationship.markFailed();
            relationship.source().deactivate(relationship);
            CopyRelationshipRecord updated = relationship.record().toBuilder().setFailed(true).setFailure(why).build();
            try {
                pool.update(c -> put(c, updated));
            } catch (IOException e) {
                LOG.severe("could not record the failure of relationship " + label(relationship) + ": " + e);
            }
            relationship.setRecord(updated);
        }
        publish(Severity.CRITICAL, "FLASHCOPY_RELATIONSHIP_FAILED", relationship, "FlashCopy relationship "
                + label(relationship) + " failed: " + why + "; the target's image is lost and it takes no I/O, the"
                + " source goes on", "check the pool's disk, then withdraw the relationship with --force ('csctl"
                        + " flashcopy withdraw " + name(relationship.record().getTargetId()) + " --force') and"
                        + " establish it again");
    }

    @Override
    public void backgroundCopyDone(String id, long epoch) {
        completions.execute(() -> {
            synchronized (control) {
                CopyRelationship r = byId.get(id);
                if (r == null || r.failed() || r.record().getEpoch() != epoch || !r.complete()) {
                    return; // withdrawn, failed or re-flashed meanwhile
                }
                if (r.record().getPersistent()) {
                    publish(Severity.INFO, "BACKGROUND_COPY_COMPLETED", r, "background copy of " + label(r)
                            + " completed; the relationship stays because it is persistent", "");
                } else {
                    ends.endCompleted(r);
                }
            }
        });
    }
}
