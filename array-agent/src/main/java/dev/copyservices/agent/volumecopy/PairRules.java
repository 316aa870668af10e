package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.pool.catalog.FlashCopyStateRecord;
import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;
import dev.copyservices.agent.pool.catalog.VolumeKind;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.api.Sizes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which volumes may be a pair's source and target (L4966-4986, L5078-5122, L5796-5835), and the
 * warnings a valid request still deserves. Remote-mirror roles join these rules with the mirror engine.
 */
final class PairRules {
    private final VolumeEngine volumes;
    private final FlashCopyEngine flashCopies;

    /** Volume ids that are a remote mirror's secondary now; set by the agent when mirroring exists. */
    private volatile java.util.function.Predicate<String> mirrorSecondary = id -> false;

    PairRules(VolumeEngine volumes, FlashCopyEngine flashCopies) {
        this.volumes = volumes;
        this.flashCopies = flashCopies;
    }

    void mirrorSecondaries(java.util.function.Predicate<String> secondary) {
        this.mirrorSecondary = secondary;
    }

    /** A mirror's secondary is neither source nor target (L6464-6470); a demoted primary copies again once promoted (L6494). */
    private void checkNotMirrorSecondary(VolumeRecord volume, String role) {
        if (mirrorSecondary.test(volume.getId())) {
            throw ineligible("'" + volume.getName() + "' is a remote mirror's secondary, which cannot be a VolumeCopy "
                    + role, role.equals("source") ? "copy a FlashCopy of it instead (create a FlashCopy of '"
                            + volume.getName() + "', then copy that), or copy again once it is primary"
                            : "choose another target, or remove the mirror first");
        }
    }

    /** Refuses an ineligible source (L4966-4986, C1, C10). */
    void checkSource(VolumeRecord source, Collection<CopyPair> pairs) {
        checkNotMirrorSecondary(source, "source");
        if (source.getKind() == VolumeKind.FLASHCOPY) {
            FlashCopyStateRecord state = source.getFlashCopy().getState();
            if (state == FlashCopyStateRecord.FAILED) {
                throw ineligible("FlashCopy '" + source.getName() + "' has failed (" + source.getFlashCopy().getFailure()
                        + ") and has no image to copy", "re-create it ('csctl flashcopy recreate " + source.getName()
                                + "') for a new point in time, then copy");
            }
            if (state == FlashCopyStateRecord.DISABLED) {
                throw ineligible("FlashCopy '" + source.getName() + "' is disabled and takes no I/O",
                        "re-create it ('csctl flashcopy recreate " + source.getName() + "') for a new point in time,"
                                + " then copy");
            }
        }
        for (CopyPair pair : pairs) {
            if (pair.record().getTargetId().equals(source.getId()) && pair.state().active()) {
                throw ineligible("'" + source.getName() + "' is the target of a VolumeCopy that is "
                        + pair.state().label() + " (from '" + name(pair.record().getSourceId()) + "'); it has no"
                        + " complete data yet", "wait for that copy to complete, or stop it, then copy");
            }
        }
    }

    /** Refuses an ineligible target (L5092-5122, L5829-5835, L4718), and one too small (L5025, C3). */
    void checkTarget(VolumeRecord source, VolumeRecord target, Collection<CopyPair> pairs) {
        if (target.getId().equals(source.getId())) {
            throw new EngineException(Reason.INVALID_COPY_REQUEST, "the source and the target are both '"
                    + target.getName() + "'", "copy onto another volume");
        }
        checkNotMirrorSecondary(target, "target");
        if (target.getKind() == VolumeKind.FLASHCOPY) {
            throw ineligible("'" + target.getName() + "' is a FlashCopy; a copy's target must be a standard volume",
                    "create a standard volume at least " + Sizes.format(requiredBytes(source)) + " large ('csctl"
                            + " volume create NAME --size SIZE') and copy onto it");
        }
        for (CopyPair pair : pairs) {
            VolumeCopyRecord p = pair.record();
            if (p.getTargetId().equals(target.getId())) {
                throw ineligible("'" + target.getName() + "' is already the target of a VolumeCopy from '"
                        + name(p.getSourceId()) + "' (" + pair.state().label() + "); a volume is the target of one pair"
                        + " until that pair is removed", (pair.state() == CopyState.IN_PROGRESS
                                || pair.state() == CopyState.PENDING ? "stop it ('csctl volumecopy stop "
                                        + target.getName() + "'), then " : "")
                                + "remove it ('csctl volumecopy remove " + target.getName() + "'), or copy onto"
                                + " another volume");
            }
            if (p.getSourceId().equals(target.getId()) && pair.state().active()) {
                throw ineligible("'" + target.getName() + "' is the source of a VolumeCopy onto '"
                        + name(p.getTargetId()) + "' that is " + pair.state().label(), "wait for that copy to"
                                + " complete, or stop it, then copy");
            }
        }
        if (target.getReadOnly()) {
            throw ineligible("volume '" + target.getName() + "' is read-only, which protects its data",
                    "if its data may be overwritten, turn read-only off first ('csctl volume update "
                            + target.getName() + " --read-only=false')");
        }
        List<String> active = flashCopies.activeFlashCopiesOf(target.getId());
        if (!active.isEmpty()) {
            throw ineligible("'" + target.getName() + "' is the base of FlashCopies that are still active ("
                    + String.join(", ", active) + "); a copy would overwrite the data they keep", "disable each"
                            + " of them first ('csctl flashcopy disable NAME'); the copy then fails them (L4714)");
        }
        flashCopies.checkNotInRelationship(target.getId(), "copy onto");
        long required = requiredBytes(source);
        if (target.getSizeBytes() < required) {
            String what = source.getKind() == VolumeKind.FLASHCOPY ? "the base of FlashCopy '" + source.getName()
                    + "' ('" + name(source.getFlashCopy().getBaseId()) + "', " + Sizes.format(required) + ")"
                    : "the source '" + source.getName() + "' (" + Sizes.format(required) + ")";
            throw new EngineException(Reason.TARGET_TOO_SMALL, "target '" + target.getName() + "' ("
                    + Sizes.format(target.getSizeBytes()) + ") is smaller than " + what, "grow the target ('csctl"
                            + " volume resize " + target.getName() + " --size " + Sizes.argument(required)
                            + "') or choose a larger one");
        }
    }

    /** What the user should know before the copy starts, though it may start. */
    List<String> warnings(VolumeRecord source, VolumeRecord target) {
        List<String> warnings = new ArrayList<>();
        if (source.getKind() != VolumeKind.FLASHCOPY) {
            warnings.add("the source '" + source.getName() + "' is not a FlashCopy: hosts cannot write to it until"
                    + " the copy completes or is stopped; to keep it writable, copy a FlashCopy of it instead");
        }
        int connections = volumes.connections(target.getId());
        if (connections > 0) {
            warnings.add("the target '" + target.getName() + "' has " + connections + " open NBD connection(s):"
                    + " their reads and writes fail until the copy completes, and what they cached is stale;"
                    + " unmount and disconnect them");
        }
        return warnings;
    }

    /** The size rule's measure: a FlashCopy's base, else the source itself (C3). */
    long requiredBytes(VolumeRecord source) {
        if (source.getKind() == VolumeKind.FLASHCOPY) {
            return volumes.findById(source.getFlashCopy().getBaseId()).map(VolumeRecord::getSizeBytes)
                    .orElse(source.getSizeBytes());
        }
        return source.getSizeBytes();
    }

    private String name(String id) {
        return volumes.findById(id).map(VolumeRecord::getName).orElse(id);
    }

    static EngineException ineligible(String message, String correction) {
        return new EngineException(Reason.VOLUMECOPY_INELIGIBLE, message, correction);
    }
}
