package dev.copyservices.operator.mirror;

import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.mirror.MirrorPeer;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.RemoteMirrorSpec;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.MirrorClient;
import dev.copyservices.operator.common.CopyPriorities;
import dev.copyservices.operator.common.KubernetesEvents;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates the RemoteMirror for a secondary that the other site's operator created: same namespace,
 * name and labels as the primary's resource (the agent keeps them with the mirror), so that a
 * MirrorGroup applied at both sites selects both sides, and this site sees its side of the mirror
 * without anyone writing it by hand. Runs with every reconcile of a StorageArray whose agent has mirrors.
 */
@ApplicationScoped
public class SecondaryAdoption implements MirrorAdopter {
    private final MirrorClient mirrors;
    private final KubernetesClient client;
    private final MirrorSpecs specs;
    private final KubernetesEvents events;
    private volatile SharedIndexInformer<RemoteMirror> informer;

    public SecondaryAdoption(MirrorClient mirrors, KubernetesClient client, MirrorSpecs specs, KubernetesEvents events) {
        this.mirrors = mirrors;
        this.client = client;
        this.specs = specs;
        this.events = events;
    }

    @Override
    public void adopt(StorageArray array) throws AgentException {
        String arrayName = array.getMetadata().getName();
        List<Mirror> secondaries = mirrors.listMirrors(array.getSpec().getEndpoint()).stream()
                .filter(m -> m.getRole() == MirrorRole.SECONDARY).toList();
        if (secondaries.isEmpty()) {
            return;
        }
        List<RemoteMirror> existing = remoteMirrors();
        for (Mirror mirror : secondaries) {
            boolean known = existing.stream().anyMatch(r -> r.getSpec() != null && r.getSpec().getVolume() != null
                    && arrayName.equals(r.getSpec().getVolume().getArray())
                    && mirror.getVolume().equals(r.getSpec().getVolume().getVolume()));
            if (!known) {
                resourceFor(arrayName, mirror).ifPresent(resource -> create(array, resource));
            }
        }
    }

    /**
     * From an informer of its own: this runs on every reconcile of an array with mirrors, that is on
     * every event of its agent, and a LIST each time would load the API server for nothing.
     */
    private List<RemoteMirror> remoteMirrors() {
        SharedIndexInformer<RemoteMirror> current = informer;
        if (current == null) {
            synchronized (this) {
                if (informer == null) {
                    informer = client.resources(RemoteMirror.class).inAnyNamespace().runnableInformer(0);
                    informer.start();
                }
                current = informer;
            }
        }
        return current.hasSynced() ? current.getStore().list()
                : client.resources(RemoteMirror.class).inAnyNamespace().list().getItems();
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.stop();
        }
    }

    private void create(StorageArray array, RemoteMirror resource) {
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        if (client.namespaces().withName(namespace).get() == null) {
            events.warning(array, "AdoptionWaitsForNamespace", "the secondary " + resource.getSpec().getVolume().getVolume()
                    + " belongs to RemoteMirror " + namespace + "/" + name + " of site " + resource.getSpec().getPeer().getSite()
                    + ", but this cluster has no namespace " + namespace + ". To fix: create the namespace " + namespace);
            return;
        }
        RemoteMirror same = client.resources(RemoteMirror.class).inNamespace(namespace).withName(name).get();
        if (same != null && same.getSpec() != null && same.getSpec().getVolume() != null
                && resource.getSpec().getVolume().getArray().equals(same.getSpec().getVolume().getArray())
                && resource.getSpec().getVolume().getVolume().equals(same.getSpec().getVolume().getVolume())) {
            return; // adopted a moment ago; the informer has not seen it yet
        }
        if (same != null) {
            events.warning(array, "AdoptionNameTaken", "the secondary " + resource.getSpec().getVolume().getVolume()
                    + " belongs to RemoteMirror " + namespace + "/" + name + " of site " + resource.getSpec().getPeer().getSite()
                    + ", but a RemoteMirror of that name exists here for another volume. To fix: rename or delete it");
            return;
        }
        try {
            specs.create(resource);
            events.normal(array, "SecondaryAdopted", "created RemoteMirror " + namespace + "/" + name + " for the secondary "
                    + resource.getSpec().getVolume().getVolume() + " of a mirror from site " + resource.getSpec().getPeer().getSite());
        } catch (KubernetesClientException e) {
            events.warning(array, "AdoptionFailed", "cannot create RemoteMirror " + namespace + "/" + name + ": "
                    + e.getMessage());
        }
    }

    /** The RemoteMirror for {@code mirror}'s secondary on {@code array}; empty when the labels do not say whose it is. */
    static Optional<RemoteMirror> resourceFor(String array, Mirror mirror) {
        Map<String, String> labels = mirror.getLabelsMap();
        String namespace = labels.get(MirrorConvergence.NAMESPACE_LABEL);
        String name = labels.get(MirrorConvergence.NAME_LABEL);
        String site = labels.get(MirrorConvergence.SITE_LABEL);
        if (namespace == null || name == null || site == null || site.isEmpty()) {
            return Optional.empty(); // made with csctl, or by an agent that has no site: nobody's resource to mirror
        }
        Map<String, String> own = new LinkedHashMap<>();
        labels.forEach((k, v) -> {
            if (!k.startsWith(MirrorConvergence.LABEL_PREFIX)) {
                own.put(k, v);
            }
        });
        RemoteMirror resource = new RemoteMirror();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withLabels(own)
                .withAnnotations(Map.of(RemoteMirrorReconciler.ADOPTED_ANNOTATION, site + "/" + namespace + "/" + name))
                .build());
        RemoteMirrorSpec spec = new RemoteMirrorSpec();
        spec.setVolume(VolumeReference.ofVolume(array, mirror.getVolume()));
        MirrorPeer peer = new MirrorPeer();
        peer.setSite(site);
        peer.setEndpoint(mirror.getPeerEndpoint());
        peer.setVolume(mirror.getPeerVolume());
        spec.setPeer(peer);
        spec.setRole(dev.copyservices.crds.mirror.MirrorRole.Secondary);
        spec.setForce(false);
        spec.setWriteMode(RemoteMirrorStatusMapper.writeMode(mirror.getWriteMode()));
        spec.setConsistencyGroup(mirror.getConsistencyGroup().isEmpty() ? null : mirror.getConsistencyGroup());
        spec.setSyncPriority(CopyPriorities.fromAgent(mirror.getSyncPriority()));
        spec.setResyncMethod(RemoteMirrorStatusMapper.resyncMethod(mirror.getResyncMethod()));
        spec.setSuspended(mirror.getState() == dev.copyservices.api.agent.v1.MirrorState.SUSPENDED);
        resource.setSpec(spec);
        return Optional.of(resource);
    }
}
