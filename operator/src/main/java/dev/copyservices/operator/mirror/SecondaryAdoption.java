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
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
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
    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
            Optional<RemoteMirror> wanted = resourceFor(arrayName, mirror);
            if (wanted.isEmpty() || existing.stream().anyMatch(r -> describes(r, arrayName, mirror.getVolume()))) {
                continue;
            }
            RemoteMirror resource = wanted.get();
            Optional<RemoteMirror> sameName = existing.stream().filter(r -> sameName(r, resource)).findFirst();
            if (sameName.isPresent()) {
                if (!RemoteMirrorReconciler.adopted(sameName.get())) {
                    warnOnce(array, "AdoptionNameTaken", resource, "a RemoteMirror of that name exists here for another"
                            + " volume. To fix: rename or delete it");
                }
                continue; // ours, its status not filled yet
            }
            create(array, mirror, resource);
        }
    }

    /** Whether {@code r} is this site's side of the mirror of {@code volume} on {@code array}. */
    private static boolean describes(RemoteMirror r, String array, String volume) {
        boolean bySpec = r.getSpec() != null && r.getSpec().getVolume() != null
                && array.equals(r.getSpec().getVolume().getArray()) && volume.equals(r.getSpec().getVolume().getVolume());
        boolean byStatus = r.getStatus() != null && array.equals(r.getStatus().getArray())
                && volume.equals(r.getStatus().getArrayVolume());
        return bySpec || byStatus;
    }

    private static boolean sameName(RemoteMirror a, RemoteMirror b) {
        return a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace())
                && a.getMetadata().getName().equals(b.getMetadata().getName());
    }

    /** An adoption problem is said once per operator run, not at every event of the agent. */
    private void warnOnce(StorageArray array, String reason, RemoteMirror resource, String problem) {
        String key = reason + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        if (warned.add(key)) {
            events.warning(array, reason, "the secondary " + resource.getSpec().getVolume().getVolume() + " belongs to"
                    + " RemoteMirror " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName()
                    + " of site " + resource.getSpec().getPeer().getSite() + ", but " + problem);
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

    private void create(StorageArray array, Mirror mirror, RemoteMirror resource) {
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        if (client.namespaces().withName(namespace).get() == null) {
            warnOnce(array, "AdoptionWaitsForNamespace", resource, "this cluster has no namespace " + namespace
                    + ". To fix: create the namespace " + namespace);
            return;
        }
        try {
            String pvc = mirror.getLabelsMap().get(MirrorConvergence.PVC_LABEL);
            String agentArrayName = array.getStatus() == null ? null : array.getStatus().getArrayName();
            if (pvc != null && agentArrayName != null) {
                createClaim(array, mirror, resource, agentArrayName, pvc);
            }
            if (client.resources(RemoteMirror.class).inNamespace(namespace).withName(name).get() != null) {
                return; // made a moment ago; the informer has not seen it yet
            }
            specs.create(resource);
            events.normal(array, "SecondaryAdopted", "created RemoteMirror " + namespace + "/" + name + " for the secondary "
                    + mirror.getVolume() + " of a mirror from site " + resource.getSpec().getPeer().getSite()
                    + (pvc != null ? ", with PersistentVolumeClaim " + pvc : ""));
        } catch (KubernetesClientException e) {
            events.warning(array, "AdoptionFailed", "cannot create RemoteMirror " + namespace + "/" + name + " or its claim: "
                    + e.getMessage());
        }
    }

    /** The secondary's PV and PVC; the RemoteMirror then names the PVC, as the primary's does. */
    private void createClaim(StorageArray array, Mirror mirror, RemoteMirror resource, String agentArrayName, String pvc) {
        String namespace = resource.getMetadata().getNamespace();
        PersistentVolumeClaim present = client.persistentVolumeClaims().inNamespace(namespace).withName(pvc).get();
        String pvName = SecondaryClaims.pvName(array.getMetadata().getName(), mirror.getVolume());
        if (present != null && !pvName.equals(present.getSpec().getVolumeName())) {
            warnOnce(array, "AdoptionClaimTaken", resource, "a PersistentVolumeClaim " + pvc + " exists here for another volume,"
                    + " so the secondary gets none. To fix: rename or delete that claim");
            return;
        }
        var volume = SecondaryClaims.volume(array.getMetadata().getName(), agentArrayName, mirror, namespace, pvc);
        if (client.persistentVolumes().withName(pvName).get() == null) {
            client.resource(volume).create();
        }
        if (present == null) {
            client.resource(SecondaryClaims.claim(volume, namespace, pvc, resource.getMetadata().getLabels())).create();
        }
        resource.getSpec().setVolume(dev.copyservices.crds.common.VolumeReference.ofPvc(pvc));
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
