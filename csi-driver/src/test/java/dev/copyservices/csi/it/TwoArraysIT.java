package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.GetCapacityRequest;
import dev.copyservices.csi.v1.ListVolumesRequest;
import dev.copyservices.csi.v1.NodeGetInfoRequest;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.Topology;
import dev.copyservices.csi.v1.TopologyRequirement;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeContentSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One driver with two real agents (--agent twice): volumes go where the topology says, their ids
 * and topology name their array, and what comes from a source stays on the source's array.
 */
class TwoArraysIT {
    private static final long SIZE = 64L << 20;
    private static final String KEY = "topology.block.copyservices.dev/array";

    private static Topology on(String array) {
        return Topology.newBuilder().putSegments(KEY, array).build();
    }

    @Test
    void volumesGoToThePreferredOrRequisiteArrayAndCopiesStayWithTheirSource() throws Exception {
        Path dir = Files.createTempDirectory("csi-two-arrays-it");
        try (AgentProcess one = AgentProcess.start(dir.resolve("pool-1"), "array-1", "it", List.of());
                AgentProcess two = AgentProcess.start(dir.resolve("pool-2"), "array-2", "it", List.of());
                CsiDriverProcess driver = CsiDriverProcess.start(dir.resolve("driver"), "node-1",
                        one.controlAddress(), two.controlAddress())) {
            CsiClient csi = new CsiClient(driver.channel());
            VolumeCapability ext4 = CsiClient.mount("ext4");
            assertEquals(on("array-1"), csi.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance())
                    .getAccessibleTopology(), "the node's topology is its first agent's array");

            Volume preferred = csi.controller().createVolume(csi.request("on-two", SIZE, ext4)
                    .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(on("array-1"))
                            .addRequisite(on("array-2")).addPreferred(on("array-2"))).build()).getVolume();
            assertEquals(List.of(on("array-2")), preferred.getAccessibleTopologyList());
            assertTrue(preferred.getVolumeId().startsWith("array-2/"), preferred.getVolumeId());
            Volume requisite = csi.controller().createVolume(csi.request("on-one", SIZE, ext4)
                    .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(on("array-1"))).build())
                    .getVolume();
            assertEquals(List.of(on("array-1")), requisite.getAccessibleTopologyList());
            assertEquals(2, csi.controller().listVolumes(ListVolumesRequest.getDefaultInstance()).getEntriesCount());
            assertTrue(csi.controller().getCapacity(GetCapacityRequest.newBuilder().setAccessibleTopology(on("array-2"))
                    .build()).getAvailableCapacity() > 0);

            Volume clone = csi.clone("clone-of-two", SIZE, ext4, preferred.getVolumeId());
            assertEquals(List.of(on("array-2")), clone.getAccessibleTopologyList());
            Snapshot snapshot = csi.snapshot("snap-of-two", preferred.getVolumeId());
            assertTrue(snapshot.getSnapshotId().startsWith("array-2/"), snapshot.getSnapshotId());
            StatusRuntimeException elsewhere = assertThrows(StatusRuntimeException.class, () -> csi.controller()
                    .createVolume(csi.request("restore-on-one", SIZE, ext4).setVolumeContentSource(VolumeContentSource
                            .newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder()
                                    .setSnapshotId(snapshot.getSnapshotId())))
                            .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(on("array-1")))
                            .build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, elsewhere.getStatus().getCode());

            csi.delete(clone.getVolumeId());
            csi.deleteSnapshot(snapshot.getSnapshotId());
            csi.delete(preferred.getVolumeId());
            csi.delete(requisite.getVolumeId());
            assertEquals(0, csi.controller().listVolumes(ListVolumesRequest.getDefaultInstance()).getEntriesCount());
        }
        NodeLeftovers.deleteIfNothingMounted(dir);
    }
}
