package dev.copyservices.operator.mirror;

import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.operator.common.KubernetesVolumeReferences;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Locale;
import java.util.Map;

/**
 * The PV and PVC of an adopted secondary, so that the application's manifests at this site find the
 * same claim name after a failover: a static PV of the CSI driver for the secondary volume (handle
 * {@code <agent's array name>/<volume>}, reclaim policy Retain: deleting the claim never deletes
 * the mirrored data), and a PVC of the primary's PVC name bound to it by name.
 */
final class SecondaryClaims {
    private SecondaryClaims() {
    }

    /** A DNS name for the PV, the same for the same array and volume. */
    static String pvName(String storageArray, String volume) {
        return ("copyservices-" + storageArray + "-" + volume).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    }

    static PersistentVolume volume(String storageArray, String agentArrayName, Mirror mirror, String namespace, String pvc) {
        Map<String, String> labels = mirror.getLabelsMap();
        String fsType = labels.getOrDefault(MirrorConvergence.FS_TYPE_LABEL, "");
        return new PersistentVolumeBuilder()
                .withNewMetadata().withName(pvName(storageArray, mirror.getVolume()))
                .addToAnnotations(RemoteMirrorReconciler.ADOPTED_ANNOTATION, labels.get(MirrorConvergence.SITE_LABEL) + "/"
                        + namespace + "/" + labels.get(MirrorConvergence.NAME_LABEL)).endMetadata()
                .withNewSpec()
                .addToCapacity("storage", new Quantity(Long.toString(mirror.getCapacityBytes())))
                .withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withVolumeMode(labels.getOrDefault(MirrorConvergence.VOLUME_MODE_LABEL, "Filesystem"))
                .withStorageClassName("")
                .withNewCsi().withDriver(KubernetesVolumeReferences.DRIVER)
                .withVolumeHandle(agentArrayName + "/" + mirror.getVolume()).withFsType(fsType.isEmpty() ? null : fsType).endCsi()
                .withNewClaimRef().withNamespace(namespace).withName(pvc).endClaimRef()
                .endSpec().build();
    }

    static PersistentVolumeClaim claim(PersistentVolume volume, String namespace, String pvc, Map<String, String> ownLabels) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withNamespace(namespace).withName(pvc).withLabels(ownLabels)
                .withAnnotations(volume.getMetadata().getAnnotations()).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withVolumeMode(volume.getSpec().getVolumeMode())
                .withStorageClassName("").withVolumeName(volume.getMetadata().getName())
                .withNewResources().addToRequests("storage", volume.getSpec().getCapacity().get("storage")).endResources()
                .endSpec().build();
    }
}
