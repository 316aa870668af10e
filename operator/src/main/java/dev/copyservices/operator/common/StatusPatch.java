package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * The status patch every reconciler returns. It goes without the resource's resourceVersion: the
 * status is recomputed from the agent on every reconcile, and JOSDK runs one reconcile of a resource
 * at a time, so the last patch is the right one. With the version, a reconcile started from a cache
 * that had not yet seen the previous patch got a 409 conflict and waited for JOSDK's retry back-off
 * (336 of them for 500 FlashCopies in bench/operator-scale.sh).
 */
public final class StatusPatch {
    private StatusPatch() {
    }

    public static <P extends HasMetadata> UpdateControl<P> of(P resource) {
        resource.getMetadata().setResourceVersion(null);
        return UpdateControl.patchStatus(resource);
    }
}
