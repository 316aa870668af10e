package dev.copyservices.csi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.FakeAgent;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.v1.CapacityRange;
import dev.copyservices.csi.v1.CreateVolumeRequest;
import dev.copyservices.csi.v1.Topology;
import dev.copyservices.csi.v1.TopologyRequirement;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeCapability.AccessMode;
import dev.copyservices.csi.v1.VolumeContentSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VolumeProvisionerTest {
    private static final long MIB = 1L << 20;

    private final FakeAgent a = new FakeAgent("array-a");
    private final FakeAgent b = new FakeAgent("array-b");
    private final OperationLocks locks = new OperationLocks();
    private final Agents agents = new Agents(List.of(a, b));
    private final VolumeProvisioner provisioner = new VolumeProvisioner(agents, locks, Duration.ofMillis(300));

    private static CreateVolumeRequest.Builder request(String name, long bytes) {
        return CreateVolumeRequest.newBuilder().setName(name)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
                .addVolumeCapabilities(VolumeCapability.newBuilder()
                        .setMount(VolumeCapability.MountVolume.getDefaultInstance())
                        .setAccessMode(AccessMode.newBuilder().setMode(AccessMode.Mode.SINGLE_NODE_WRITER)));
    }

    private static Topology on(String array) {
        return Topology.newBuilder().putSegments(Names.TOPOLOGY_KEY, array).build();
    }

    @Test
    void createVolumeWithSameNameAndCapacityReturnsTheSameVolume() {
        Volume first = provisioner.create(request("pvc-1", 10 * MIB).build());
        Volume second = provisioner.create(request("pvc-1", 10 * MIB).build());
        assertEquals(first, second);
        assertEquals(1, a.volumes().size() + b.volumes().size());
        assertEquals("array-a/" + Names.volumeName("pvc-1"), first.getVolumeId());
        assertEquals(List.of(on("array-a")), first.getAccessibleTopologyList());
    }

    @Test
    void createVolumeWithSameNameAndLargerCapacityIsAlreadyExists() {
        provisioner.create(request("pvc-1", 10 * MIB).build());
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("pvc-1", 20 * MIB).build()));
        assertEquals(CsiError.Code.ALREADY_EXISTS, e.code());
    }

    @Test
    void sizesAreRoundedUpToWholeMebibytes() {
        Volume volume = provisioner.create(request("pvc-odd", 10 * MIB + 1).build());
        assertEquals(11 * MIB, volume.getCapacityBytes());
    }

    @Test
    void aPreferredTopologyPlacesTheVolumeOnThatArray() {
        Volume volume = provisioner.create(request("pvc-b", MIB).setAccessibilityRequirements(TopologyRequirement
                .newBuilder().addRequisite(on("array-a")).addRequisite(on("array-b")).addPreferred(on("array-b")))
                .build());
        assertEquals(List.of(on("array-b")), volume.getAccessibleTopologyList());
        assertTrue(b.volumes().containsKey(Names.volumeName("pvc-b")));
    }

    @Test
    void aRequisiteTopologyWithoutAKnownArrayIsResourceExhaustedAndCreatesNothing() {
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("pvc-x", MIB)
                .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(on("array-z"))).build()));
        assertEquals(CsiError.Code.RESOURCE_EXHAUSTED, e.code());
        assertTrue(a.volumes().isEmpty() && b.volumes().isEmpty());
    }

    @Test
    void aSecondCreateOfTheSameNameWhileTheFirstRunsIsAborted() throws Exception {
        a.createEntered = new CountDownLatch(1);
        a.createRelease = new CountDownLatch(1);
        CompletableFuture<Volume> first = CompletableFuture.supplyAsync(() -> provisioner.create(request("pvc-c", MIB)
                .build()));
        assertTrue(a.createEntered.await(10, TimeUnit.SECONDS));
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("pvc-c", MIB).build()));
        assertEquals(CsiError.Code.ABORTED, e.code());
        a.createRelease.countDown();
        assertEquals(MIB, first.get(10, TimeUnit.SECONDS).getCapacityBytes());
    }

    @Test
    void aCloneIsACopyModeFlashCopyOnTheSourceArray() {
        Volume source = provisioner.create(request("pvc-src", MIB).setAccessibilityRequirements(TopologyRequirement
                .newBuilder().addPreferred(on("array-b"))).build());
        Volume clone = provisioner.create(request("pvc-clone", MIB).setVolumeContentSource(VolumeContentSource
                .newBuilder().setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(source.getVolumeId())))
                .build());
        assertEquals(List.of(on("array-b")), clone.getAccessibleTopologyList());
        assertEquals(source.getVolumeId(), clone.getContentSource().getVolume().getVolumeId());
        assertTrue(b.calls.contains("establishClone " + Names.volumeName("pvc-src") + " -> "
                + Names.volumeName("pvc-clone")));
    }

    @Test
    void aCloneSmallerThanItsSourceIsOutOfRangeAndCreatesNothing() {
        Volume source = provisioner.create(request("pvc-big", 8 * MIB).build());
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("pvc-small", MIB)
                .setVolumeContentSource(VolumeContentSource.newBuilder().setVolume(VolumeContentSource.VolumeSource
                        .newBuilder().setVolumeId(source.getVolumeId()))).build()));
        assertEquals(CsiError.Code.OUT_OF_RANGE, e.code());
        assertEquals(1, a.volumes().size());
    }

    @Test
    void aRestoreAnswersOnlyWhenItsCopyCompletedAndThenEndsThePair() throws Exception {
        provisioner.create(request("pvc-base", MIB).build());
        a.createFlashCopy(dev.copyservices.api.agent.v1.CreateFlashCopyRequest.newBuilder()
                .setBase(Names.volumeName("pvc-base")).setName("snap-1").setRepositoryName("snap-1-R").build());
        CreateVolumeRequest restore = request("pvc-restored", MIB).setVolumeContentSource(VolumeContentSource
                .newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId("array-a/snap-1")))
                .build();
        CsiError stillCopying = assertThrows(CsiError.class, () -> provisioner.create(restore));
        assertEquals(CsiError.Code.ABORTED, stillCopying.code(), "past the wait the CO is told to retry");
        String target = Names.volumeName("pvc-restored");
        a.completeCopy(target);
        Volume restored = provisioner.create(restore);
        assertEquals("array-a/snap-1", restored.getContentSource().getSnapshot().getSnapshotId());
        assertTrue(a.calls.contains("removeCopy " + target));
        assertTrue(a.findCopy(target).isEmpty());
    }

    @Test
    void aRestoreTheAgentRefusesLeavesNoVolumeBehind() throws Exception {
        provisioner.create(request("pvc-base2", MIB).build());
        a.createFlashCopy(dev.copyservices.api.agent.v1.CreateFlashCopyRequest.newBuilder()
                .setBase(Names.volumeName("pvc-base2")).setName("snap-2").setRepositoryName("snap-2-R").build());
        a.refuseCopies = true;
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("pvc-r2", MIB).setVolumeContentSource(
                VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder()
                        .setSnapshotId("array-a/snap-2"))).build()));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, e.code());
        assertTrue(a.findVolume(Names.volumeName("pvc-r2")).isEmpty(), "no empty volume to pass for the restore");
    }

    @Test
    void aRetriedRestoreReturnsItsVolumeAfterTheSnapshotIsGone() throws Exception {
        provisioner.create(request("pvc-base3", MIB).build());
        a.createFlashCopy(dev.copyservices.api.agent.v1.CreateFlashCopyRequest.newBuilder()
                .setBase(Names.volumeName("pvc-base3")).setName("snap-3").setRepositoryName("snap-3-R").build());
        a.completeCopyOnCreate = true;
        CreateVolumeRequest restore = request("pvc-r3", MIB).setVolumeContentSource(VolumeContentSource.newBuilder()
                .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId("array-a/snap-3"))).build();
        Volume restored = provisioner.create(restore);
        a.deleteFlashCopy("snap-3");
        assertEquals(restored, provisioner.create(restore), "the CO's retry after a lost answer");
    }

    @Test
    void anUnknownSourceSnapshotIsNotFoundAndCreatesNothing() {
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("pvc-r", MIB).setVolumeContentSource(
                VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder()
                        .setSnapshotId("array-a/snap-missing"))).build()));
        assertEquals(CsiError.Code.NOT_FOUND, e.code());
        assertTrue(a.volumes().isEmpty());
    }

    @Test
    void aMissingNameIsInvalidArgument() {
        CsiError e = assertThrows(CsiError.class, () -> provisioner.create(request("", MIB).build()));
        assertEquals(CsiError.Code.INVALID_ARGUMENT, e.code());
    }
}
