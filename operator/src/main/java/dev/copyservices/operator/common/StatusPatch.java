package dev.copyservices.operator.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Optional;

/**
 * The status patch every reconciler returns, or none when the status is what the informer cache
 * already holds: most reconciles (an agent event, a re-check) change nothing, and 500 FlashCopies
 * made twice as many writes to the API server as needed. The patch goes without the resource's
 * resourceVersion: the status is recomputed from the agent on every reconcile, and JOSDK runs one
 * reconcile of a resource at a time, so the last patch is the right one. With the version, a
 * reconcile started from a cache that had not yet seen the previous patch got a 409 conflict and
 * waited for JOSDK's retry back-off (336 of them for 500 FlashCopies in bench/operator-scale.sh).
 */
public final class StatusPatch {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusPatch() {
    }

    /** {@code context} may be null (unit tests): then the status is always patched. */
    public static <P extends HasMetadata> UpdateControl<P> of(P resource, Context<P> context) {
        if (context != null && unchanged(resource, context)) {
            return UpdateControl.noUpdate();
        }
        resource.getMetadata().setResourceVersion(null);
        return UpdateControl.patchStatus(resource);
    }

    private static <P extends HasMetadata> boolean unchanged(P resource, Context<P> context) {
        Optional<P> cached = context.getPrimaryCache().get(ResourceID.fromResource(resource));
        return cached.isPresent() && cached.get() != resource
                && JSON.valueToTree(status(cached.get())).equals(JSON.valueToTree(status(resource)));
    }

    private static Object status(HasMetadata resource) {
        return resource instanceof io.fabric8.kubernetes.client.CustomResource<?, ?> custom ? custom.getStatus() : null;
    }
}
