package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.pool.catalog.VolumeKind;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import dev.copyservices.api.Sizes;

/**
 * Which volumes may be a mirror's primary and secondary (L7158, L7504-7510, L8325-8345, L6462-6470),
 * each refusal with what to do instead.
 */
final class MirrorRules {
    private final VolumeEngine volumes;
    private final FlashCopyEngine flashCopies;
    private final VolumeCopyEngine volumeCopies;

    MirrorRules(VolumeEngine volumes, FlashCopyEngine flashCopies, VolumeCopyEngine volumeCopies) {
        this.volumes = volumes;
        this.flashCopies = flashCopies;
        this.volumeCopies = volumeCopies;
    }

    /** A primary: a standard volume in no other mirror; a FlashCopy base is fine (L8329). */
    void checkPrimary(VolumeRecord volume, Member existing) {
        checkStandard(volume, "primary");
        checkNotMirrored(volume, existing);
    }

    /** A secondary: standard, in no mirror, no FlashCopy base, in no copy, at least the primary's size. */
    void checkSecondary(VolumeRecord volume, Member existing, long capacity) {
        checkStandard(volume, "secondary");
        checkNotMirrored(volume, existing);
        boolean base = volumes.records().stream().anyMatch(r -> r.getKind() == VolumeKind.FLASHCOPY
                && r.getFlashCopy().getBaseId().equals(volume.getId()));
        if (base) {
            throw ineligible("'" + volume.getName() + "' is the base of FlashCopies; a FlashCopy base cannot be a"
                    + " mirror's secondary (its FlashCopies would fail, L8341)", "delete its FlashCopies first, or"
                            + " choose another volume as the secondary");
        }
        if (!volumeCopies.list(volume.getName()).isEmpty()) {
            throw ineligible("'" + volume.getName() + "' is in a VolumeCopy pair; a mirror's secondary cannot be a"
                    + " VolumeCopy source or target (L6464)", "remove the VolumeCopy pair first ('csctl volumecopy"
                            + " remove'), or choose another volume");
        }
        flashCopies.checkNotInRelationship(volume.getId(), "become a mirror's secondary");
        if (volume.getSizeBytes() < capacity) {
            throw new EngineException(Reason.MIRROR_INELIGIBLE, "'" + volume.getName() + "' has "
                    + Sizes.format(volume.getSizeBytes()) + " but the primary has " + Sizes.format(capacity)
                    + "; a secondary must be at least as large as its primary (L7508)", "grow it ('csctl volume"
                            + " resize " + volume.getName() + " " + Sizes.argument(capacity) + "') or choose a"
                            + " larger volume");
        }
    }

    private static void checkStandard(VolumeRecord volume, String role) {
        if (volume.getKind() == VolumeKind.FLASHCOPY) {
            throw ineligible("'" + volume.getName() + "' is a FlashCopy; a mirror's " + role + " must be a standard"
                    + " volume", "choose a standard volume; to mirror a FlashCopy's image, VolumeCopy it onto a"
                            + " standard volume first");
        }
    }

    private static void checkNotMirrored(VolumeRecord volume, Member existing) {
        if (existing != null) {
            throw new EngineException(Reason.VOLUME_IN_MIRROR, "'" + volume.getName() + "' is not a valid candidate"
                    + " for remote mirroring: it is already the " + (existing.primary() ? "primary" : "secondary")
                    + " of mirror " + existing.id() + " with '" + existing.record().getPeerVolume() + "' on array '"
                    + existing.record().getPeerArrayName() + "' (a volume is in one mirror at most, L7158)",
                    "if that mirror was removed on the other array while the link was down, remove it here too"
                            + " ('csctl mirror remove " + volume.getName() + "'), then create the mirror again");
        }
    }

    private static EngineException ineligible(String message, String correction) {
        return new EngineException(Reason.MIRROR_INELIGIBLE, message, correction);
    }
}
