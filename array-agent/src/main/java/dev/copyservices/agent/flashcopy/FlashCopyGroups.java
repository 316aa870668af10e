package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.flashcopy.RelationshipFlash.Mode;
import dev.copyservices.agent.flashcopy.RelationshipFlash.Plan;
import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.pool.catalog.CopyRelationshipRecord;
import dev.copyservices.agent.pool.catalog.FlashCopyGroupRecord;
import dev.copyservices.agent.pool.catalog.GroupPairRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * FlashCopy groups: Copy Services Manager's FlashCopy sessions with their copy sets. A group's
 * pairs are flashed together at one point in time (RelationshipFlash); the group owns the
 * relationships it flashed or discovered (their {@code group} field). The group record lives in
 * the catalog; a pair's state follows from its relationship.
 */
public final class FlashCopyGroups {
    private final CopyRelationships relationships;
    /** Preparing and Terminating, while a flash or terminate runs. */
    private final Map<String, GroupState> transitions = new ConcurrentHashMap<>();

    FlashCopyGroups(CopyRelationships relationships) {
        this.relationships = relationships;
    }

    public GroupInfo create(String name, CopyOptions options) {
        VolumeRules.checkName(name, "group");
        CopyOptions checked = options.checked();
        synchronized (relationships.control) {
            FlashCopyGroupRecord existing = find(name);
            if (existing != null) {
                if (options(existing).equals(checked)) {
                    return report(existing); // a retry of the same create
                }
                throw new EngineException(Reason.GROUP_EXISTS, "FlashCopy group '" + name + "' already exists with"
                        + " other options", "choose another name, or delete the existing group first");
            }
            FlashCopyGroupRecord record = FlashCopyGroupRecord.newBuilder().setName(name)
                    .setBackgroundCopy(checked.backgroundCopy()).setPersistent(checked.persistent())
                    .setIncremental(checked.incremental()).setCreatedUnixMillis(System.currentTimeMillis()).build();
            commit("create group '" + name + "'", c -> c.addGroups(record));
            publish(name, "GROUP_CREATED", "FlashCopy group '" + name + "' created");
            return get(name);
        }
    }

    /** A copy set: a target belongs to at most one pair of all groups. */
    public GroupInfo addPair(String group, String source, String target) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(group);
            VolumeRecord s = RelationshipRules.volume(relationships.volumes, source, "source");
            VolumeRecord t = RelationshipRules.volume(relationships.volumes, target, "target");
            if (g.getPairsList().stream().anyMatch(p -> p.getSourceId().equals(s.getId())
                    && p.getTargetId().equals(t.getId()))) {
                return report(g);
            }
            GroupPairChecks.checkNewPair(s, t, relationships.pool.catalog().getGroupsList());
            commit("add a pair to group '" + group + "'", c -> update(c, group, b -> b.addPairs(
                    GroupPairRecord.newBuilder().setSourceId(s.getId()).setTargetId(t.getId()))));
            return get(group);
        }
    }

    /** The pair's relationship, if any, stays on the agent outside the group. */
    public GroupInfo removePair(String group, String source, String target) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(group);
            GroupPairRecord pair = g.getPairsList().stream()
                    .filter(p -> relationships.name(p.getSourceId()).equals(source)
                            && relationships.name(p.getTargetId()).equals(target))
                    .findFirst().orElseThrow(() -> new EngineException(Reason.GROUP_STATE, "group '" + group
                            + "' has no pair '" + source + "' -> '" + target + "'", "check with 'csctl"
                                    + " flashcopy-group show " + group + "'"));
            CopyRelationship owned = owned(g, pair);
            CopyRelationshipRecord released = owned == null ? null : owned.record().toBuilder().setGroup("").build();
            commit("remove a pair from group '" + group + "'", c -> {
                update(c, group, b -> {
                    List<GroupPairRecord> kept = new ArrayList<>(b.getPairsList());
                    kept.remove(pair);
                    b.clearPairs().addAllPairs(kept);
                });
                if (released != null) {
                    CopyRelationships.put(c, released);
                }
            });
            if (owned != null) {
                synchronized (owned) {
                    owned.setRecord(released);
                }
            }
            return get(group);
        }
    }

    /** Establishes or re-flashes every pair at one point in time; refused as a whole if any pair cannot. */
    public GroupInfo flash(String name) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(name);
            if (g.getPairsCount() == 0) {
                throw new EngineException(Reason.GROUP_STATE, "FlashCopy group '" + name + "' has no pairs",
                        "add pairs first ('csctl flashcopy-group add " + name + " SOURCE TARGET')");
            }
            List<Plan> plans = new GroupPairChecks(relationships).plans(g);
            transitions.put(name, GroupState.PREPARING);
            try {
                relationships.flash(plans, (c, now) -> update(c, name, b -> {
                    b.setLastFlashUnixMillis(now);
                    for (int i = 0; i < b.getPairsCount(); i++) {
                        b.setPairs(i, b.getPairs(i).toBuilder().setDiscovered(false).setFlashUnixMillis(now));
                    }
                }), "flash group '" + name + "'");
            } finally {
                transitions.remove(name);
            }
            long incremental = plans.stream().filter(p -> p.mode() == Mode.INCREMENTAL).count();
            publish(name, "GROUP_FLASHED", "FlashCopy group '" + name + "' flashed: " + plans.size() + " pair(s) at one"
                    + " point in time" + (incremental > 0 ? ", " + incremental + " incrementally" : ""));
            return get(name);
        }
    }

    public GroupInfo startBackgroundCopy(String name) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(name);
            relationships.startBackgroundCopy(ownedRelationships(g));
            return get(name);
        }
    }

    /** Withdraws every relationship of the group; refused while a copy is incomplete, unless forced. */
    public GroupInfo terminate(String name, boolean force) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(name);
            List<CopyRelationship> owned = ownedRelationships(g);
            boolean flashed = g.getPairsList().stream().anyMatch(p -> p.getFlashUnixMillis() != 0 || p.getDiscovered());
            if (owned.isEmpty() && !flashed) {
                return get(name); // already Defined: nothing to terminate
            }
            transitions.put(name, GroupState.TERMINATING);
            try {
                relationships.ends().withdraw(owned, force, c -> update(c, name, b -> {
                    for (int i = 0; i < b.getPairsCount(); i++) {
                        b.setPairs(i, b.getPairs(i).toBuilder().setDiscovered(false).setFlashUnixMillis(0));
                    }
                }), "csctl flashcopy-group background-copy " + name);
            } finally {
                transitions.remove(name);
            }
            publish(name, "GROUP_TERMINATED", "FlashCopy group '" + name + "' terminated: " + owned.size()
                    + " relationship(s) withdrawn; the group is Defined again");
            return get(name);
        }
    }

    /** Adopts the relationships that exist for the group's pairs (seed 002). */
    public GroupInfo discover(String name) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(name);
            List<CopyRelationship> adopt = new GroupPairChecks(relationships).discoverable(g);
            List<CopyRelationshipRecord> adopted = adopt.stream()
                    .map(r -> r.record().toBuilder().setGroup(name).build()).toList();
            commit("discover relationships for group '" + name + "'", c -> {
                adopted.forEach(r -> CopyRelationships.put(c, r));
                update(c, name, b -> {
                    for (int i = 0; i < b.getPairsCount(); i++) {
                        GroupPairRecord p = b.getPairs(i);
                        if (adopted.stream().anyMatch(r -> r.getTargetId().equals(p.getTargetId()))) {
                            b.setPairs(i, p.toBuilder().setDiscovered(true).setFlashUnixMillis(0));
                        }
                    }
                });
            });
            for (int i = 0; i < adopt.size(); i++) {
                synchronized (adopt.get(i)) {
                    adopt.get(i).setRecord(adopted.get(i));
                }
            }
            publish(name, "GROUP_DISCOVERED", "FlashCopy group '" + name + "' discovered " + adopt.size()
                    + " existing relationship(s); they show TargetAvailable but are not proven consistent with the"
                    + " rest of the group (no flash time)");
            return get(name);
        }
    }

    public GroupInfo get(String name) {
        return report(require(name));
    }

    /** Sorted by name. */
    public List<GroupInfo> list() {
        return relationships.pool.catalog().getGroupsList().stream().map(this::report)
                .sorted(Comparator.comparing(GroupInfo::name)).toList();
    }

    /** A group without relationships only. */
    public void delete(String name) {
        synchronized (relationships.control) {
            FlashCopyGroupRecord g = require(name);
            if (!ownedRelationships(g).isEmpty()) {
                throw new EngineException(Reason.GROUP_STATE, "FlashCopy group '" + name + "' still has relationships",
                        "terminate it first ('csctl flashcopy-group terminate " + name + "')");
            }
            commit("delete group '" + name + "'", c -> {
                List<FlashCopyGroupRecord> kept = new ArrayList<>(c.getGroupsList());
                kept.removeIf(r -> r.getName().equals(name));
                c.clearGroups().addAllGroups(kept);
            });
            publish(name, "GROUP_DELETED", "FlashCopy group '" + name + "' deleted");
        }
    }

    public int count() {
        return relationships.pool.catalog().getGroupsCount();
    }

    // ---- for the relationships engine ----------------------------------------------------------

    /** A pair's relationship ended by withdraw: the pair no longer holds a flashed image. */
    static void forgetFlash(Catalog.Builder c, CopyRelationshipRecord relationship) {
        setPairFlash(c, relationship, 0);
    }

    /** A group's relationship was re-flashed on its own: its pair's flash time moves. */
    static void recordPairFlash(Catalog.Builder c, CopyRelationshipRecord relationship, long now) {
        setPairFlash(c, relationship, now);
    }

    private static void setPairFlash(Catalog.Builder c, CopyRelationshipRecord relationship, long time) {
        if (relationship.getGroup().isEmpty()) {
            return;
        }
        update(c, relationship.getGroup(), b -> {
            for (int i = 0; i < b.getPairsCount(); i++) {
                if (b.getPairs(i).getTargetId().equals(relationship.getTargetId())) {
                    b.setPairs(i, b.getPairs(i).toBuilder().setFlashUnixMillis(time).setDiscovered(false));
                }
            }
        });
    }

    /** Throws when a volume is in a group's pair. */
    void checkNotInGroup(String volumeId, String action) {
        for (FlashCopyGroupRecord g : relationships.pool.catalog().getGroupsList()) {
            for (GroupPairRecord p : g.getPairsList()) {
                if (p.getSourceId().equals(volumeId) || p.getTargetId().equals(volumeId)) {
                    throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "cannot " + action + " '"
                            + relationships.name(volumeId) + "': it is in a pair of FlashCopy group '" + g.getName()
                            + "'", "remove the pair first ('csctl flashcopy-group remove " + g.getName() + " "
                                    + relationships.name(p.getSourceId()) + " " + relationships.name(p.getTargetId())
                                    + "')");
                }
            }
        }
    }

    CopyRelationship owned(FlashCopyGroupRecord g, GroupPairRecord pair) {
        for (CopyRelationship r : relationships.byId.values()) {
            CopyRelationshipRecord rec = r.record();
            if (rec.getGroup().equals(g.getName()) && rec.getSourceId().equals(pair.getSourceId())
                    && rec.getTargetId().equals(pair.getTargetId())) {
                return r;
            }
        }
        return null;
    }

    static CopyOptions options(FlashCopyGroupRecord g) {
        return new CopyOptions(g.getBackgroundCopy(), g.getPersistent(), g.getIncremental());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private List<CopyRelationship> ownedRelationships(FlashCopyGroupRecord g) {
        List<CopyRelationship> owned = new ArrayList<>();
        for (GroupPairRecord pair : g.getPairsList()) {
            CopyRelationship r = owned(g, pair);
            if (r != null) {
                owned.add(r);
            }
        }
        return owned;
    }

    private GroupInfo report(FlashCopyGroupRecord g) {
        List<GroupPairInfo> pairs = new ArrayList<>();
        for (GroupPairRecord p : g.getPairsList()) {
            CopyRelationship r = owned(g, p);
            boolean available = r != null || p.getFlashUnixMillis() != 0;
            boolean consistent = available && !p.getDiscovered()
                    && p.getFlashUnixMillis() == g.getLastFlashUnixMillis();
            pairs.add(new GroupPairInfo(relationships.name(p.getSourceId()), relationships.name(p.getTargetId()),
                    available, consistent, p.getDiscovered(), p.getFlashUnixMillis() == 0 ? null
                            : java.time.Instant.ofEpochMilli(p.getFlashUnixMillis()),
                    r == null ? null : relationships.report(r)));
        }
        GroupState state = transitions.getOrDefault(g.getName(), !pairs.isEmpty()
                && pairs.stream().allMatch(GroupPairInfo::targetAvailable) ? GroupState.TARGET_AVAILABLE
                        : GroupState.DEFINED);
        return new GroupInfo(g.getName(), state, options(g), g.getLastFlashUnixMillis() == 0 ? null
                : java.time.Instant.ofEpochMilli(g.getLastFlashUnixMillis()),
                java.time.Instant.ofEpochMilli(g.getCreatedUnixMillis()), pairs);
    }

    private FlashCopyGroupRecord find(String name) {
        return relationships.pool.catalog().getGroupsList().stream().filter(g -> g.getName().equals(name))
                .findFirst().orElse(null);
    }

    FlashCopyGroupRecord require(String name) {
        if (name == null || name.isEmpty()) {
            VolumeRules.checkName(name, "group");
        }
        FlashCopyGroupRecord g = find(name);
        if (g == null) {
            throw new EngineException(Reason.GROUP_NOT_FOUND, "no FlashCopy group is named '" + name + "'",
                    "check with 'csctl flashcopy-group list'; names are case-sensitive");
        }
        return g;
    }

    private static void update(Catalog.Builder c, String group, Consumer<FlashCopyGroupRecord.Builder> change) {
        for (int i = 0; i < c.getGroupsCount(); i++) {
            if (c.getGroups(i).getName().equals(group)) {
                FlashCopyGroupRecord.Builder b = c.getGroups(i).toBuilder();
                change.accept(b);
                c.setGroups(i, b);
                return;
            }
        }
    }

    private void commit(String action, Consumer<Catalog.Builder> change) {
        try {
            relationships.pool.update(change);
        } catch (IOException e) {
            throw CopyRelationships.poolError(action, e);
        }
    }

    private void publish(String group, String reason, String message) {
        relationships.events.publish(Severity.INFO, reason, "FlashCopyGroup", group, message, "");
    }
}
