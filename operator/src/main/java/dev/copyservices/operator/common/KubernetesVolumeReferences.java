package dev.copyservices.operator.common;

import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.operator.agent.AgentException;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;

/**
 * A PVC's volume, as the CSI driver made it: the PVC's bound PV ({@code spec.volumeName}) is a CSI
 * volume of driver {@value #DRIVER} whose handle is {@code <array name>/<volume>} (docs/csi.md), and
 * the StorageArray is the one whose agent reports that array name.
 */
@ApplicationScoped
public class KubernetesVolumeReferences implements VolumeReferences {
    public static final String DRIVER = "block.copyservices.dev";

    private final KubernetesClient client;

    public KubernetesVolumeReferences(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public VolumeReference resolve(String namespace, VolumeReference reference) throws AgentException {
        if (reference.getPvc() == null) {
            return reference;
        }
        PersistentVolume volume = boundVolume(namespace, reference.getPvc());
        String pvc = reference.getPvc();
        String pvName = volume.getMetadata().getName();
        var csi = volume.getSpec().getCsi();
        String handle = csi.getVolumeHandle();
        int slash = handle == null ? -1 : handle.indexOf('/');
        if (slash <= 0 || slash == handle.length() - 1) {
            throw new AgentException("PvcNotOnCopyservices", "PersistentVolume '" + pvName + "' has the volume handle '" + handle
                    + "', not ARRAY/VOLUME as " + DRIVER + " makes them", "recreate the volume through the CSI driver");
        }
        String arrayName = handle.substring(0, slash);
        String volumeName = handle.substring(slash + 1);
        StorageArray array = client.resources(StorageArray.class).list().getItems().stream()
                .filter(a -> a.getStatus() != null && Objects.equals(arrayName, a.getStatus().getArrayName()))
                .findFirst().orElseThrow(() -> new AgentException("ArrayNotFound", "PersistentVolumeClaim '" + pvc
                        + "' is on array '" + arrayName + "', but no StorageArray's agent reports that name",
                        "create a StorageArray for that agent, or wait until its StorageArray is Ready"));
        return VolumeReference.ofVolume(array.getMetadata().getName(), volumeName);
    }

    @Override
    public Claim claim(String namespace, String pvc) throws AgentException {
        PersistentVolume volume = boundVolume(namespace, pvc);
        String mode = volume.getSpec().getVolumeMode() == null ? "Filesystem" : volume.getSpec().getVolumeMode();
        String fsType = volume.getSpec().getCsi().getFsType();
        return new Claim(mode, fsType == null ? "" : fsType);
    }

    /** The PV a PVC is bound to, checked to be a volume of this project's CSI driver. */
    private PersistentVolume boundVolume(String namespace, String pvc) throws AgentException {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(pvc).get();
        if (claim == null) {
            throw new AgentException("PvcNotFound", "there is no PersistentVolumeClaim '" + pvc + "' in namespace " + namespace,
                    "create it, or correct the reference");
        }
        String pvName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
        if (pvName == null || pvName.isEmpty()) {
            throw new AgentException("PvcNotBound", "PersistentVolumeClaim '" + pvc + "' is not bound to a volume yet",
                    "wait until it is Bound (kubectl get pvc " + pvc + ")");
        }
        PersistentVolume volume = client.persistentVolumes().withName(pvName).get();
        if (volume == null) {
            throw new AgentException("PvcNotBound", "PersistentVolumeClaim '" + pvc + "' names PersistentVolume '" + pvName
                    + "', which does not exist", "wait until it is Bound, or recreate the claim");
        }
        var csi = volume.getSpec() == null ? null : volume.getSpec().getCsi();
        if (csi == null || !DRIVER.equals(csi.getDriver())) {
            throw new AgentException("PvcNotOnCopyservices", "PersistentVolumeClaim '" + pvc + "' is bound to '" + pvName
                    + "', which is not a volume of the CSI driver " + DRIVER
                    + (csi == null ? "" : " (its driver is " + csi.getDriver() + ")"),
                    "use a PVC of a StorageClass with provisioner " + DRIVER);
        }
        return volume;
    }
}
