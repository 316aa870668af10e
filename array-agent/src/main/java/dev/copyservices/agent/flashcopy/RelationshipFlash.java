package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.pool.catalog.CopyRelationshipRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Flashes any number of relationships at one point in time, all or nothing: what establish,
 * re-flash, reverse and a group flash have in common.
 *
 * <ol>
 * <li>Change maps first, outside any gate: a new file for a new relationship, the next epoch's area
 * for an existing one. Nothing refers to them yet, so a failure here changes nothing.</li>
 * <li>The sources are flushed, then every gate involved is taken exclusively: the freeze. No write
 * to any of the volumes is in flight, so every target shows the same prefix of every source's
 * writes: the group's write-order consistency. The sources are flushed again (only what arrived
 * since the first flush), and one catalog commit records every relationship at the new epoch.</li>
 * <li>The hooks are installed and the gates released; I/O resumes against the new images.</li>
 * </ol>
 */
final class RelationshipFlash {
    enum Mode {
        /** A new relationship. */
        NEW,
        /** A new point in time; every region is copied again. */
        FULL,
        /** A new point in time; only regions changed on either side are copied again. */
        INCREMENTAL,
        /** The target's image onto the source: the roles swap. */
        REVERSE
    }

    /** One pair of a flash. {@code existing} is null for NEW; {@code options} replace the old ones. */
    record Plan(VolumeRecord source, VolumeRecord target, CopyOptions options, String group,
            CopyRelationship existing, Mode mode) {
    }

    /** A plan's change map: a new file for a new relationship, else the existing map's next area. */
    private record MapChange(RegionMap created, RegionMap.Prepared prepared) {
    }

    private final CopyRelationships engine;

    RelationshipFlash(CopyRelationships engine) {
        this.engine = engine;
    }

    /**
     * Runs the flash; the caller holds the engine's control lock and has checked every plan.
     * {@code alsoCommit} joins the catalog commit and receives the point in time (a group's record).
     */
    List<CopyRelationship> flash(List<Plan> plans, BiConsumer<Catalog.Builder, Long> alsoCommit) throws IOException {
        for (Plan plan : plans) { // other engines' claims (a running VolumeCopy), before anything changes
            String imageTarget = plan.mode() == Mode.REVERSE ? plan.source().getId() : plan.target().getId();
            engine.volumes.checkImageRead(imageSourceId(plan), "flash from it");
            engine.volumes.checkDataChange(imageTarget, "flash onto it");
        }
        List<RegionMap> created = new ArrayList<>();
        List<MapChange> maps = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        boolean committed = false;
        try {
            for (Plan plan : plans) {
                if (plan.mode() == Mode.NEW) {
                    String id = UUID.randomUUID().toString();
                    RegionMap map = RegionMap.create(engine.pool.directory().changeMapFile(id),
                            RelationshipRules.regions(plan.source().getSizeBytes()), 1);
                    created.add(map);
                    maps.add(new MapChange(map, null));
                    ids.add(id);
                } else {
                    CopyRelationshipRecord old = plan.existing().record();
                    boolean keep = plan.mode() == Mode.INCREMENTAL
                            || plan.mode() == Mode.REVERSE && old.getIncremental() && !old.getFailed();
                    maps.add(new MapChange(null, plan.existing().map().prepare(old.getEpoch() + 1, keep)));
                    ids.add(old.getId());
                }
            }
            if (!created.isEmpty()) {
                engine.pool.directory().syncVolumesDirectory();
            }
            List<CowBase> imageSources = new ArrayList<>();
            for (Plan plan : plans) {
                imageSources.add(engine.cow(imageSourceId(plan)));
            }
            for (CowBase source : new LinkedHashSet<>(imageSources)) {
                source.file().flush(); // most dirty data leaves before the freeze, keeping the freeze short
            }
            List<CowBase> gates = gateOrder(plans);
            gates.forEach(g -> g.gate.writeLock().lock());
            List<CopyRelationship> result;
            try {
                for (CowBase source : new LinkedHashSet<>(imageSources)) {
                    source.file().flush();
                }
                long now = System.currentTimeMillis();
                List<CopyRelationshipRecord> records = new ArrayList<>();
                for (int i = 0; i < plans.size(); i++) {
                    records.add(record(plans.get(i), ids.get(i), maps.get(i), now));
                }
                Set<String> volumeIds = new LinkedHashSet<>();
                records.forEach(r -> {
                    volumeIds.add(r.getSourceId());
                    volumeIds.add(r.getTargetId());
                });
                engine.volumes.whileExisting(volumeIds, () -> engine.pool.update(c -> {
                    records.forEach(r -> CopyRelationships.put(c, r));
                    alsoCommit.accept(c, now);
                }));
                committed = true;
                result = new ArrayList<>();
                for (int i = 0; i < plans.size(); i++) {
                    result.add(install(plans.get(i), records.get(i), maps.get(i)));
                }
            } finally {
                for (int i = gates.size() - 1; i >= 0; i--) {
                    gates.get(i).gate.writeLock().unlock();
                }
            }
            return result;
        } finally {
            if (!committed) {
                for (int i = 0; i < created.size(); i++) {
                    engine.discardMap(created.get(i));
                }
            }
        }
    }

    private static String imageSourceId(Plan plan) {
        return plan.mode() == Mode.REVERSE ? plan.target().getId() : plan.source().getId();
    }

    private CopyRelationshipRecord record(Plan plan, String id, MapChange map, long now) {
        CopyOptions o = plan.options();
        if (plan.mode() == Mode.NEW) {
            long regions = map.created().regions();
            return CopyRelationshipRecord.newBuilder()
                    .setId(id)
                    .setSourceId(plan.source().getId())
                    .setTargetId(plan.target().getId())
                    .setBackgroundCopy(o.backgroundCopy())
                    .setPersistent(o.persistent())
                    .setIncremental(o.incremental())
                    .setEpoch(1)
                    .setPointInTimeUnixMillis(now)
                    .setEstablishedUnixMillis(now)
                    .setRegionBytes(RelationshipRules.REGION_BYTES)
                    .setRegions(regions)
                    .setGroup(plan.group())
                    .setRegionsToCopyAtFlash(regions)
                    .setFlashCount(1)
                    .build();
        }
        RegionMap.Prepared prepared = map.prepared();
        CopyRelationshipRecord old = plan.existing().record();
        CopyRelationshipRecord.Builder b = old.toBuilder()
                .setBackgroundCopy(o.backgroundCopy())
                .setPersistent(o.persistent())
                .setIncremental(o.incremental())
                .setEpoch(prepared.epoch())
                .setPointInTimeUnixMillis(now)
                .setFailed(false)
                .setFailure("")
                .setGroup(plan.group())
                .setRegionsToCopyAtFlash(old.getRegions() - prepared.count(RegionMap.Kind.COPIED))
                .setFlashCount(old.getFlashCount() + 1);
        if (plan.mode() == Mode.REVERSE) {
            b.setSourceId(old.getTargetId()).setTargetId(old.getSourceId());
        }
        return b.build();
    }

    private CopyRelationship install(Plan plan, CopyRelationshipRecord record, MapChange map) {
        CopyRelationship relationship;
        if (plan.mode() == Mode.NEW) {
            relationship = new CopyRelationship(record, engine.cow(record.getSourceId()),
                    engine.cow(record.getTargetId()), map.created(), engine);
        } else {
            CopyRelationship old = plan.existing();
            old.source().deactivate(old);
            old.target().setImage(null);
            old.map().switchTo(map.prepared());
            // a new object even when the roles stay: its failed flag and hooks start afresh
            relationship = new CopyRelationship(record, engine.cow(record.getSourceId()),
                    engine.cow(record.getTargetId()), old.map(), engine);
        }
        relationship.source().activate(relationship);
        relationship.target().setImage(relationship);
        engine.byId.put(record.getId(), relationship);
        return relationship;
    }

    /**
     * Gates to take, in an order no I/O path can invert: volumes that are targets now first (a
     * target's I/O takes its source's gate after its own), then the others, each by id.
     */
    private List<CowBase> gateOrder(List<Plan> plans) {
        Set<String> involved = new LinkedHashSet<>();
        for (Plan plan : plans) {
            involved.add(plan.source().getId());
            involved.add(plan.target().getId());
        }
        Set<String> targetsNow = engine.targetIds();
        List<String> ordered = new ArrayList<>(involved);
        ordered.sort(Comparator.comparing((String id) -> !targetsNow.contains(id)).thenComparing(id -> id));
        return ordered.stream().map(engine::cow).toList();
    }
}
