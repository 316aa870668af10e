package dev.copyservices.operator.mirror;

import dev.copyservices.crds.common.CopyPriority;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.ResyncMethod;
import dev.copyservices.crds.mirror.WriteMode;

/**
 * Changes the operator makes to RemoteMirror resources themselves, not only to their status: a
 * member's role or settings changed elsewhere (the other site, csctl) are written back into its spec,
 * so that the spec keeps saying what the mirror is and the next edit means what it says.
 */
public interface MirrorSpecs {
    /** spec.role = role, spec.force = false. */
    void followRole(RemoteMirror resource, MirrorRole role);

    /** The primary's settings into a secondary's spec (rpoObjectiveSeconds goes when the mode is Synchronous). */
    void followSettings(RemoteMirror resource, Settings settings);

    /** Deletes an adopted RemoteMirror whose mirror is gone. */
    void delete(RemoteMirror resource);

    /** Creates a RemoteMirror (adoption of a secondary created from the other site). */
    void create(RemoteMirror resource);

    record Settings(WriteMode writeMode, String consistencyGroup, CopyPriority syncPriority, ResyncMethod resyncMethod,
            boolean suspended) {
    }
}
