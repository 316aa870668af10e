package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.catalog.VolumeKind;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.api.Sizes;
import java.util.Collection;
import java.util.List;

/**
 * Which volumes may be the source and target of a new Copy-mode relationship, with the errors that
 * say what to do otherwise. A volume is a source or a target, never both (no cascading), a target
 * has one relationship, and a source feeds at most {@link #MAX_TARGETS_PER_SOURCE} targets (the
 * DS8000's multiple-relationship limit).
 */
final class RelationshipRules {
    /** Copy granularity: the source's stripe-lock unit, so a region is locked by exactly one stripe. */
    static final int REGION_BYTES = CowBase.LOCK_UNIT;
    static final int MAX_TARGETS_PER_SOURCE = 12;

    private RelationshipRules() {
    }

    static long regions(long sizeBytes) {
        return Math.ceilDiv(sizeBytes, REGION_BYTES);
    }

    static VolumeRecord volume(VolumeEngine volumes, String name, String role) {
        if (name == null || name.isEmpty()) {
            throw new EngineException(Reason.INVALID_NAME, "the " + role + " volume's name is missing",
                    "name the " + role + " volume");
        }
        VolumeRecord record = volumes.find(name).orElseThrow(() -> volumes.nameInUse(name)
                ? new EngineException(Reason.NOT_A_STANDARD_VOLUME, "'" + name + "' is a FlashCopy repository, not a"
                        + " volume", "name a standard volume as the " + role)
                : new EngineException(Reason.VOLUME_NOT_FOUND, role + " volume '" + name + "' does not exist",
                        "check the name with 'csctl volume list'; names are case-sensitive"));
        if (record.getKind() != VolumeKind.STANDARD) {
            throw new EngineException(Reason.NOT_A_STANDARD_VOLUME, "'" + name + "' is a Snapshot-mode FlashCopy;"
                    + " the " + role + " of a relationship must be a standard volume", "use a standard volume, e.g."
                            + " copy the FlashCopy's image to one with VolumeCopy first");
        }
        return record;
    }

    /**
     * Checks a new relationship; {@code existing} are the live ones, {@code snapshotsOfTarget} the
     * names of the target's Snapshot-mode FlashCopies.
     */
    static void checkNew(VolumeRecord source, VolumeRecord target, Collection<CopyRelationship> existing,
            List<String> snapshotsOfTarget, java.util.function.Function<String, String> nameOf) {
        if (source.getId().equals(target.getId())) {
            throw new EngineException(Reason.INVALID_NAME, "'" + source.getName() + "' cannot be flashed onto itself",
                    "name a different target volume");
        }
        if (target.getSizeBytes() < source.getSizeBytes()) {
            throw new EngineException(Reason.TARGET_TOO_SMALL, "target '" + target.getName() + "' ("
                    + Sizes.format(target.getSizeBytes()) + ") is smaller than source '" + source.getName() + "' ("
                    + Sizes.format(source.getSizeBytes()) + ")", "grow the target first ('csctl volume resize "
                            + target.getName() + " --size " + Sizes.argument(source.getSizeBytes())
                            + "'), or choose a target at least as large");
        }
        checkWritable(target, "target");
        for (CopyRelationship r : existing) {
            String from = nameOf.apply(r.record().getSourceId());
            String to = nameOf.apply(r.record().getTargetId());
            if (r.record().getTargetId().equals(target.getId())) {
                if (r.record().getPersistent()) {
                    throw new EngineException(Reason.PERSISTENT_TARGET, "'" + to + "' holds the persistent"
                            + " point-in-time copy of '" + from + "'; a persistent target takes no other flash until"
                            + " its relationship is withdrawn", "refresh it with 'csctl flashcopy reflash " + to
                                    + "', or withdraw it first ('csctl flashcopy withdraw " + to + "')");
                }
                if (r.record().getSourceId().equals(source.getId())) {
                    throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + from + "' -> '" + to + "' is"
                            + " already established, with other options (" + (r.record().getBackgroundCopy()
                                    ? "background copy" : "no background copy") + ", not persistent)",
                            r.record().getBackgroundCopy() ? "wait until its background copy completes (it then"
                                    + " ends by itself), or withdraw it first"
                                    : "start its background copy ('csctl flashcopy background-copy " + to
                                            + "'), or withdraw it and establish again");
                }
                throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + to + "' is already the target of a"
                        + " relationship from '" + from + "'", r.record().getBackgroundCopy()
                                ? "wait until its background copy completes (the relationship then ends by itself),"
                                        + " or withdraw it first"
                                : "withdraw it first ('csctl flashcopy withdraw " + to + "')");
            }
            if (r.record().getSourceId().equals(target.getId())) {
                throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + target.getName() + "' is the source"
                        + " of a relationship to '" + to + "'; a volume is either a source or a target (cascaded"
                        + " FlashCopy is not supported)", "choose another target, or withdraw that relationship");
            }
            if (r.record().getTargetId().equals(source.getId())) {
                throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "'" + source.getName() + "' is the target"
                        + " of a relationship from '" + from + "'; a volume is either a source or a target (cascaded"
                        + " FlashCopy is not supported)", "flash from '" + from + "' instead, or withdraw that"
                                + " relationship first");
            }
        }
        long targets = existing.stream().filter(r -> r.record().getSourceId().equals(source.getId())).count();
        if (targets >= MAX_TARGETS_PER_SOURCE) {
            throw new EngineException(Reason.FLASHCOPY_LIMIT_REACHED, "source '" + source.getName() + "' already has "
                    + targets + " relationships, the limit per source", "withdraw one you no longer need");
        }
        if (!snapshotsOfTarget.isEmpty()) {
            throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "target '" + target.getName() + "' is the base"
                    + " of FlashCopies " + String.join(", ", snapshotsOfTarget) + "; a flash replaces its content"
                    + " underneath them", "delete those FlashCopies first, or choose another target");
        }
    }

    /** A read-only volume is protected by its owner; a flash would replace its content. */
    static void checkWritable(VolumeRecord volume, String role) {
        if (volume.getReadOnly()) {
            throw new EngineException(Reason.VOLUME_IN_USE, role + " '" + volume.getName() + "' is read-only, and a"
                    + " flash would replace its content", "make it writable first ('csctl volume set "
                            + volume.getName() + " --read-only false'), or choose another " + role);
        }
    }

    /**
     * Reverse needs a persistent relationship whose target is complete (it becomes the source and
     * must hold every region itself), a source with no other targets, and a source without
     * Snapshot-mode FlashCopies (the reverse rewrites it underneath them).
     */
    static void checkReversible(CopyRelationship r, Collection<CopyRelationship> all,
            java.util.function.Function<String, List<String>> snapshotsOf,
            java.util.function.Function<String, String> nameOf, String label, String percent) {
        if (!r.record().getPersistent() || r.failed()) {
            throw new EngineException(Reason.RELATIONSHIP_STATE, "relationship " + label + (r.failed()
                    ? " has failed" : " is not persistent") + "; only a persistent relationship can be"
                            + " reversed", r.failed() ? "withdraw it with --force; the target's image is lost"
                                    : "withdraw it and establish again with --persistent");
        }
        if (!r.complete()) {
            throw new EngineException(Reason.BACKGROUND_COPY_INCOMPLETE, "target '" + nameOf.apply(r.record()
                    .getTargetId()) + "' is not a complete copy yet (" + percent + " copied), so it cannot"
                    + " become the source", "start the background copy ('csctl flashcopy background-copy "
                            + nameOf.apply(r.record().getTargetId()) + "') and reverse once it completes");
        }
        String sourceId = r.record().getSourceId();
        List<String> others = all.stream()
                .filter(o -> o != r && o.record().getSourceId().equals(sourceId))
                .map(o -> nameOf.apply(o.record().getTargetId())).toList();
        if (!others.isEmpty()) {
            throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "source '" + nameOf.apply(sourceId)
                    + "' also feeds " + String.join(", ", others) + "; reversing would make it a target of one and"
                    + " the source of the others", "withdraw the other relationships first");
        }
        List<String> snapshots = snapshotsOf.apply(sourceId);
        if (!snapshots.isEmpty()) {
            throw new EngineException(Reason.VOLUME_IN_RELATIONSHIP, "source '" + nameOf.apply(sourceId)
                    + "' is the base of FlashCopies " + String.join(", ", snapshots) + "; reversing replaces its"
                    + " content underneath them", "delete those FlashCopies first");
        }
    }
}
