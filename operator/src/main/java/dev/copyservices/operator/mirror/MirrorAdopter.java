package dev.copyservices.operator.mirror;

import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.operator.agent.AgentException;

/** Creates the RemoteMirrors of the secondaries on an array that no resource of this cluster describes yet. */
public interface MirrorAdopter {
    void adopt(StorageArray array) throws AgentException;
}
