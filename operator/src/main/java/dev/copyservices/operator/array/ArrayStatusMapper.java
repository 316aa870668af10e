package dev.copyservices.operator.array;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.crds.array.StorageArrayStatus;
import java.util.ArrayList;

/** Copies what the agent reports about itself into a StorageArray status. */
final class ArrayStatusMapper {
    private ArrayStatusMapper() {
    }

    static void fill(StorageArrayStatus status, Array array) {
        status.setArrayId(array.getId());
        status.setArrayName(array.getName());
        status.setVersion(array.getVersion());
        status.setNbdEndpoint(array.getNbdEndpoint());
        StorageArrayStatus.Capacity capacity = new StorageArrayStatus.Capacity();
        capacity.poolTotalBytes = array.getCapacity().getPoolTotalBytes();
        capacity.poolFreeBytes = array.getCapacity().getPoolFreeBytes();
        capacity.provisionedBytes = array.getCapacity().getProvisionedBytes();
        capacity.allocatedBytes = array.getCapacity().getAllocatedBytes();
        status.setCapacity(capacity);
        StorageArrayStatus.Counts counts = new StorageArrayStatus.Counts();
        counts.volumes = array.getCounts().getVolumes();
        counts.flashCopies = array.getCounts().getFlashcopies();
        counts.volumeCopies = array.getCounts().getVolumeCopies();
        counts.mirrors = array.getCounts().getMirrors();
        status.setCounts(counts);
        status.setEnabledFeatures(new ArrayList<>(array.getEnabledFeaturesList()));
        status.setNeedsAttention(new ArrayList<>(array.getNeedsAttentionList()));
    }
}
