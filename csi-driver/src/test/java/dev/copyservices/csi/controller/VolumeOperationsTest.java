package dev.copyservices.csi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.FakeAgent;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.v1.CapacityRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeOperationsTest {
    private static final long MIB = 1L << 20;

    private final FakeAgent agent = new FakeAgent("array-a");
    private final VolumeOperations volumes = new VolumeOperations(new Agents(List.of(agent)), new OperationLocks());

    private String volume(String name, long bytes) throws Exception {
        agent.createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(bytes)
                .putAttributes(Names.REQUEST_NAME_ATTRIBUTE, name).build());
        return "array-a/" + name;
    }

    @Test
    void deletingAVolumeThatIsNotThereSucceeds() {
        volumes.delete("array-a/csi-gone");
        volumes.delete("not-an-id-of-this-driver");
        assertTrue(agent.calls.isEmpty());
    }

    @Test
    void deletingAVolumeWithSnapshotsIsFailedPreconditionAndKeepsIt() throws Exception {
        String id = volume("base", MIB);
        agent.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").setName("snap-1").build());
        CsiError e = assertThrows(CsiError.class, () -> volumes.delete(id));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, e.code());
        assertTrue(agent.volumes().containsKey("base"));
    }

    @Test
    void deletingACloneStillCopyingWithdrawsItsRelationshipFirst() throws Exception {
        volume("source", MIB);
        String clone = volume("clone", MIB);
        agent.establishClone("source", "clone");
        volumes.delete(clone);
        assertEquals(List.of("createVolume source", "createVolume clone", "establishClone source -> clone",
                "withdrawForced clone", "deleteVolume clone"), agent.calls);
    }

    @Test
    void deletingTheSourceOfACloneStillCopyingIsFailedPrecondition() throws Exception {
        String source = volume("source", MIB);
        volume("clone", MIB);
        agent.establishClone("source", "clone");
        CsiError e = assertThrows(CsiError.class, () -> volumes.delete(source));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("clone"), e.getMessage());
        assertTrue(agent.volumes().containsKey("source"));
    }

    @Test
    void deletingRightAfterAnUnstageWaitsForTheNodesConnectionToEnd() throws Exception {
        String id = volume("just-unstaged", MIB);
        agent.connectedFor.put("just-unstaged", 3);
        volumes.delete(id);
        assertFalse(agent.volumes().containsKey("just-unstaged"));
    }

    @Test
    void deletingAVolumeStillAttachedIsFailedPreconditionAfterTheWait() throws Exception {
        VolumeOperations quick = new VolumeOperations(new Agents(List.of(agent)), new OperationLocks(),
                java.time.Duration.ofMillis(200));
        String id = volume("attached", MIB);
        agent.connectedFor.put("attached", -1);
        CsiError e = assertThrows(CsiError.class, () -> quick.delete(id));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, e.code());
        assertTrue(agent.volumes().containsKey("attached"));
    }

    @Test
    void expandingGrowsToWholeMebibytesAndAskingForLessChangesNothing() throws Exception {
        String id = volume("grow", MIB);
        assertEquals(3 * MIB, volumes.expand(id, CapacityRange.newBuilder().setRequiredBytes(2 * MIB + 5).build()));
        assertEquals(3 * MIB, volumes.expand(id, CapacityRange.newBuilder().setRequiredBytes(MIB).build()));
        assertEquals(3 * MIB, agent.volumes().get("grow").getSizeBytes());
    }

    @Test
    void expandingBelowTheCurrentSizeWithALimitIsOutOfRange() throws Exception {
        String id = volume("shrink", 4 * MIB);
        CsiError e = assertThrows(CsiError.class, () -> volumes.expand(id, CapacityRange.newBuilder()
                .setRequiredBytes(MIB).setLimitBytes(2 * MIB).build()));
        assertEquals(CsiError.Code.OUT_OF_RANGE, e.code());
    }

    @Test
    void listingShowsOnlyVolumesTheDriverCreated() throws Exception {
        String mine = volume("mine", MIB);
        agent.createVolume(CreateVolumeRequest.newBuilder().setName("someone-elses").setSizeBytes(MIB).build());
        assertEquals(List.of(mine), volumes.list().stream().map(v -> v.getVolumeId()).toList());
    }

    @Test
    void capacityIsThePoolFreeSpaceOfTheArraysInTheTopology() {
        agent.poolFreeBytes = 123 * MIB;
        assertEquals(123 * MIB, volumes.capacity(Topologies.of("array-a")));
        assertEquals(0, volumes.capacity(Topologies.of("array-z")));
        assertFalse(volumes.find("array-a/csi-missing").isPresent());
    }
}
