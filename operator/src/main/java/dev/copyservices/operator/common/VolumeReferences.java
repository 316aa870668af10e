package dev.copyservices.operator.common;

import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.operator.agent.AgentException;

/** Turns a volume reference into {array, volume}: a PVC through its PV's CSI volume handle. */
public interface VolumeReferences {
    /** {@code reference} itself when it names {array, volume}; else the PVC's volume, or why it has none. */
    VolumeReference resolve(String namespace, VolumeReference reference) throws AgentException;

    /** How a bound PVC's volume is used: what the other site's PV for its mirror must say too. */
    Claim claim(String namespace, String pvc) throws AgentException;

    /** {@code volumeMode} Filesystem or Block; {@code fsType} the PV's, or empty. */
    record Claim(String volumeMode, String fsType) {
    }
}
