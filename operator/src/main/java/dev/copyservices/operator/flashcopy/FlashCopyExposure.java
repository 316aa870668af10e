package dev.copyservices.operator.flashcopy;

import dev.copyservices.crds.flashcopy.FlashCopy;

/** spec.exposeAs: the FlashCopy as a read-only PVC of the CSI driver in the resource's namespace. */
public interface FlashCopyExposure {
    /**
     * Makes (or keeps) the PV and PVC for the FlashCopy named {@code agentName} on the agent whose
     * array is {@code agentArrayName}; {@code sizeBytes} is its size, {@code volumeMode} its base's.
     * @return null when exposed, else why not (a PVC of that name exists for another volume)
     */
    String expose(FlashCopy resource, String storageArray, String agentArrayName, String agentName, long sizeBytes,
            String volumeMode);

    /** Deletes the PVC and PV made for the resource, if any. */
    void withdraw(FlashCopy resource);
}
