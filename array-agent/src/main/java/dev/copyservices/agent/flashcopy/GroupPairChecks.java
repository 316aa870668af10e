package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.RelationshipFlash.Mode;
import dev.copyservices.agent.flashcopy.RelationshipFlash.Plan;
import dev.copyservices.agent.pool.catalog.CopyRelationshipRecord;
import dev.copyservices.agent.pool.catalog.FlashCopyGroupRecord;
import dev.copyservices.agent.pool.catalog.GroupPairRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.api.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * What a group may do with its pairs: which volumes make a pair, what a flash does with each pair
 * (the seed 002 rules for incremental groups and discovered relationships), and which existing
 * relationships discover adopts. Every check collects all the problems, so one refusal names them all.
 */
final class GroupPairChecks {
    private final CopyRelationships relationships;

    GroupPairChecks(CopyRelationships relationships) {
        this.relationships = relationships;
    }

    /** A new copy set: a target is in one pair of all groups, and a volume is a source or a target. */
    static void checkNewPair(VolumeRecord s, VolumeRecord t, List<FlashCopyGroupRecord> all) {
        if (s.getId().equals(t.getId())) {
            throw new EngineException(Reason.INVALID_NAME, "a pair needs two volumes; '" + s.getName() + "' cannot"
                    + " be flashed onto itself", "name a different target volume");
        }
        if (t.getSizeBytes() < s.getSizeBytes()) {
            throw new EngineException(Reason.TARGET_TOO_SMALL, "target '" + t.getName() + "' ("
                    + Sizes.format(t.getSizeBytes()) + ") is smaller than source '" + s.getName() + "' ("
                    + Sizes.format(s.getSizeBytes()) + ")", "grow the target first, or choose one at least as large");
        }
        for (FlashCopyGroupRecord g : all) {
            for (GroupPairRecord p : g.getPairsList()) {
                if (p.getTargetId().equals(t.getId())) {
                    throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + t.getName() + "' is already the"
                            + " target of a pair in group '" + g.getName() + "'", "a volume is the target of one"
                                    + " pair; choose another target or remove that pair first");
                }
                if (p.getSourceId().equals(t.getId()) || p.getTargetId().equals(s.getId())) {
                    VolumeRecord both = p.getSourceId().equals(t.getId()) ? t : s;
                    throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + both.getName() + "' is already"
                            + " the " + (both == t ? "source" : "target") + " of a pair in group '" + g.getName()
                            + "'; a volume is either a source or a target", "choose other volumes");
                }
            }
        }
    }

    /** The flash of every pair, or a refusal naming every pair that cannot be flashed. */
    List<Plan> plans(FlashCopyGroupRecord g) {
        CopyOptions options = FlashCopyGroups.options(g);
        List<Plan> plans = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Reason reason = Reason.GROUP_STATE;
        for (GroupPairRecord pair : g.getPairsList()) {
            VolumeRecord s = relationships.volumes.findById(pair.getSourceId()).orElse(null);
            VolumeRecord t = relationships.volumes.findById(pair.getTargetId()).orElse(null);
            if (s == null || t == null) {
                problems.add("a volume of pair " + pairName(pair) + " no longer exists");
                continue;
            }
            CopyRelationship existing = relationships.byId.values().stream()
                    .filter(r -> r.record().getTargetId().equals(t.getId())).findFirst().orElse(null);
            if (existing == null) {
                try {
                    RelationshipRules.checkNew(s, t, relationships.byId.values(), relationships.snapshotsOf(t.getId()),
                            relationships::name);
                    plans.add(new Plan(s, t, options, g.getName(), null, Mode.NEW));
                } catch (EngineException e) {
                    problems.add(pairName(pair) + ": " + e.getMessage());
                }
                continue;
            }
            CopyRelationshipRecord r = existing.record();
            if (!r.getSourceId().equals(s.getId())) {
                problems.add(pairName(pair) + ": the target is in a relationship from '"
                        + relationships.name(r.getSourceId()) + "'");
            } else if (!r.getGroup().equals(g.getName())) {
                problems.add(pairName(pair) + ": its relationship exists outside the group; discover adopts it ('csctl"
                        + " flashcopy-group discover " + g.getName() + "'), or withdraw it");
            } else if (!g.getIncremental()) {
                // seed 002: with incremental off the flash terminates and re-flashes the relationship in full
                plans.add(new Plan(s, t, options, g.getName(), existing, Mode.FULL));
            } else if (r.getIncremental() && !r.getFailed()) {
                plans.add(new Plan(s, t, options, g.getName(), existing, Mode.INCREMENTAL));
            } else {
                reason = Reason.INCREMENTAL_MISMATCH;
                problems.add(pairName(pair) + ": the group re-flashes incrementally, but this relationship was not"
                        + " flashed with incremental" + (r.getFailed() ? " (or has failed)" : ""));
            }
        }
        if (!problems.isEmpty()) {
            String hint = reason == Reason.INCREMENTAL_MISMATCH
                    ? "remove those pairs from the group, flash them with --incremental outside it ('csctl flashcopy"
                            + " withdraw' then 'csctl flashcopy establish --background-copy --persistent"
                            + " --incremental'), then add them back and discover (seed 002's tip)"
                    : "fix the pairs named, or remove them from the group";
            throw new EngineException(reason, "FlashCopy group '" + g.getName() + "' cannot be flashed, nothing was"
                    + " changed: " + String.join("; ", problems), hint);
        }
        return plans;
    }

    /** The relationships discover adopts: those that exist for the group's pairs and no other group owns. */
    List<CopyRelationship> discoverable(FlashCopyGroupRecord g) {
        List<CopyRelationship> adopt = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (GroupPairRecord pair : g.getPairsList()) {
            for (CopyRelationship r : relationships.byId.values()) {
                CopyRelationshipRecord rec = r.record();
                if (!rec.getSourceId().equals(pair.getSourceId()) || !rec.getTargetId().equals(pair.getTargetId())
                        || rec.getGroup().equals(g.getName())) {
                    continue;
                }
                if (!rec.getGroup().isEmpty()) {
                    problems.add(pairName(pair) + " belongs to group '" + rec.getGroup() + "'");
                } else {
                    adopt.add(r);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new EngineException(Reason.GROUP_STATE, "discover for group '" + g.getName() + "' changed nothing: "
                    + String.join("; ", problems), "remove those pairs from the other group first");
        }
        return adopt;
    }

    private String pairName(GroupPairRecord pair) {
        return "'" + relationships.name(pair.getSourceId()) + "' -> '" + relationships.name(pair.getTargetId()) + "'";
    }
}
