package dev.copyservices.operator.common;

import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.operator.agent.AgentException;
import java.util.HashMap;
import java.util.Map;

/** PVCs by name to the {array, volume} their PV holds, for unit tests; an unknown PVC is not bound. */
public class FakeVolumeReferences implements VolumeReferences {
    public final Map<String, VolumeReference> bound = new HashMap<>();

    @Override
    public VolumeReference resolve(String namespace, VolumeReference reference) throws AgentException {
        if (reference.getPvc() == null) {
            return reference;
        }
        VolumeReference volume = bound.get(reference.getPvc());
        if (volume == null) {
            throw new AgentException("PvcNotBound", "PersistentVolumeClaim '" + reference.getPvc() + "' is not bound to a volume yet",
                    "wait until it is Bound");
        }
        return volume;
    }

    @Override
    public Claim claim(String namespace, String pvc) throws AgentException {
        resolve(namespace, VolumeReference.ofPvc(pvc));
        return new Claim("Filesystem", "ext4");
    }
}
