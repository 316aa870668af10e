package dev.copyservices.operator.mirror;

import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.WriteMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;

/** {@link MirrorSpecs} through the API server: each edit reads the resource and patches its spec. */
@ApplicationScoped
public class KubernetesMirrorSpecs implements MirrorSpecs {
    private final KubernetesClient client;

    public KubernetesMirrorSpecs(KubernetesClient client) {
        this.client = client;
    }

    private io.fabric8.kubernetes.client.dsl.Resource<RemoteMirror> of(RemoteMirror resource) {
        return client.resources(RemoteMirror.class).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName());
    }

    @Override
    public void followRole(RemoteMirror resource, MirrorRole role) {
        of(resource).edit(r -> {
            r.getSpec().setRole(role);
            r.getSpec().setForce(false);
            return r;
        });
    }

    @Override
    public void followSettings(RemoteMirror resource, Settings settings) {
        of(resource).edit(r -> {
            r.getSpec().setWriteMode(settings.writeMode());
            r.getSpec().setConsistencyGroup(settings.consistencyGroup());
            r.getSpec().setSyncPriority(settings.syncPriority());
            r.getSpec().setResyncMethod(settings.resyncMethod());
            r.getSpec().setSuspended(settings.suspended());
            if (settings.writeMode() == WriteMode.Synchronous) {
                r.getSpec().setRpoObjectiveSeconds(null); // the CRD allows it for Asynchronous only
            }
            return r;
        });
    }

    @Override
    public void delete(RemoteMirror resource) {
        of(resource).delete();
    }

    @Override
    public void create(RemoteMirror resource) {
        client.resource(resource).create();
    }
}
