package dev.copyservices.operator.flashcopy;

import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.operator.common.KubernetesVolumeReferences;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;

/**
 * A static PV of the CSI driver whose handle names the FlashCopy's export, mounted read-only
 * ({@code csi.readOnly}), with reclaim policy Retain (the FlashCopy's life is the resource's, not the
 * claim's), and a PVC of the exposeAs name bound to it. Both carry the annotation
 * {@value #EXPOSED_FROM} so that only what this operator made is changed or deleted.
 */
@ApplicationScoped
public class KubernetesFlashCopyExposure implements FlashCopyExposure {
    static final String EXPOSED_FROM = "copyservices.dev/exposed-from";

    private final KubernetesClient client;

    public KubernetesFlashCopyExposure(KubernetesClient client) {
        this.client = client;
    }

    static String pvName(FlashCopy resource) {
        return ("copyservices-fc-" + resource.getMetadata().getNamespace() + "-" + resource.getMetadata().getName())
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    }

    private static String owner(FlashCopy resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    @Override
    public String expose(FlashCopy resource, String storageArray, String agentArrayName, String agentName, long sizeBytes,
            String volumeMode) {
        String namespace = resource.getMetadata().getNamespace();
        String claimName = resource.getSpec().getExposeAs();
        PersistentVolumeClaim present = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
        if (present != null) {
            var annotations = present.getMetadata().getAnnotations();
            return annotations != null && owner(resource).equals(annotations.get(EXPOSED_FROM)) ? null
                    : "a PersistentVolumeClaim " + claimName + " exists already for another volume";
        }
        Quantity size = new Quantity(Long.toString(sizeBytes));
        PersistentVolume volume = new PersistentVolumeBuilder()
                .withNewMetadata().withName(pvName(resource)).addToAnnotations(EXPOSED_FROM, owner(resource)).endMetadata()
                .withNewSpec().addToCapacity("storage", size).withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy("Retain").withStorageClassName("").withVolumeMode(volumeMode)
                .withNewCsi().withDriver(KubernetesVolumeReferences.DRIVER).withVolumeHandle(agentArrayName + "/" + agentName)
                .withReadOnly(true).endCsi()
                .withNewClaimRef().withNamespace(namespace).withName(claimName).endClaimRef()
                .endSpec().build();
        if (client.persistentVolumes().withName(volume.getMetadata().getName()).get() == null) {
            client.resource(volume).create();
        }
        client.resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withNamespace(namespace).withName(claimName).addToAnnotations(EXPOSED_FROM, owner(resource))
                .endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("").withVolumeMode(volumeMode)
                .withVolumeName(volume.getMetadata().getName()).withNewResources().addToRequests("storage", size).endResources()
                .endSpec().build()).create();
        return null;
    }

    @Override
    public void withdraw(FlashCopy resource) {
        String claimName = resource.getSpec().getExposeAs();
        if (claimName != null) {
            var claim = client.persistentVolumeClaims().inNamespace(resource.getMetadata().getNamespace()).withName(claimName);
            PersistentVolumeClaim present = claim.get();
            if (present != null && present.getMetadata().getAnnotations() != null
                    && owner(resource).equals(present.getMetadata().getAnnotations().get(EXPOSED_FROM))) {
                claim.delete();
            }
        }
        var volume = client.persistentVolumes().withName(pvName(resource));
        PersistentVolume pv = volume.get();
        if (pv != null && pv.getMetadata().getAnnotations() != null
                && owner(resource).equals(pv.getMetadata().getAnnotations().get(EXPOSED_FROM))) {
            volume.delete();
        }
    }
}
