package dev.copyservices.csi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.FakeAgent;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.VolumeGroupSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GroupSnapshotsTest {
    private final FakeAgent a = new FakeAgent("array-a");
    private final FakeAgent b = new FakeAgent("array-b");
    private final Agents agents = new Agents(List.of(a, b));
    private final OperationLocks locks = new OperationLocks();
    private final VolumeOperations volumes = new VolumeOperations(agents, locks);
    private final GroupSnapshots groups = new GroupSnapshots(agents, volumes, locks);

    @BeforeEach
    void volumes() throws Exception {
        for (String name : List.of("v1", "v2")) {
            a.createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(1 << 20)
                    .putAttributes(Names.REQUEST_NAME_ATTRIBUTE, name).build());
        }
        b.createVolume(CreateVolumeRequest.newBuilder().setName("elsewhere").setSizeBytes(1 << 20).build());
    }

    @Test
    void aGroupSnapshotFlashesOneGroupWithATargetPerVolume() {
        VolumeGroupSnapshot group = groups.create("g", List.of("array-a/v1", "array-a/v2"));
        String name = Names.groupName("g");
        assertEquals("array-a/" + name, group.getGroupSnapshotId());
        assertTrue(group.getReadyToUse());
        assertEquals(List.of("array-a/v1", "array-a/v2"), group.getSnapshotsList().stream()
                .map(Snapshot::getSourceVolumeId).toList());
        assertTrue(group.getSnapshotsList().stream().allMatch(s -> s.getGroupSnapshotId().equals(group.getGroupSnapshotId())
                && s.getSizeBytes() == 1 << 20));
        assertEquals("flashGroup " + name, a.calls.getLast(), "one flash: one point in time for every member");
        assertEquals(group, groups.create("g", List.of("array-a/v1", "array-a/v2")), "the same request again");
    }

    @Test
    void theSameNameForOtherVolumesIsAlreadyExists() {
        groups.create("g", List.of("array-a/v1"));
        assertEquals(CsiError.Code.ALREADY_EXISTS, assertThrows(CsiError.class,
                () -> groups.create("g", List.of("array-a/v1", "array-a/v2"))).code());
    }

    @Test
    void volumesOnSeveralArraysAreInvalidArgumentAndCreateNothing() {
        CsiError e = assertThrows(CsiError.class, () -> groups.create("g", List.of("array-a/v1", "array-b/elsewhere")));
        assertEquals(CsiError.Code.INVALID_ARGUMENT, e.code());
        assertTrue(a.calls.stream().noneMatch(c -> c.startsWith("createGroup")));
    }

    @Test
    void membersAreListedRestorableAndGoOnlyWithTheirGroup() throws Exception {
        VolumeGroupSnapshot group = groups.create("g", List.of("array-a/v1", "array-a/v2"));
        Snapshot member = group.getSnapshots(0);
        Snapshots snapshots = new Snapshots(agents, volumes, locks);
        assertEquals(List.of(member), snapshots.list(member.getSnapshotId(), ""));
        assertTrue(snapshots.list("", "").containsAll(group.getSnapshotsList()));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, assertThrows(CsiError.class,
                () -> snapshots.delete(member.getSnapshotId())).code());
        assertEquals(CsiError.Code.FAILED_PRECONDITION, assertThrows(CsiError.class,
                () -> volumes.delete("array-a/v1")).code(), "a volume in a group snapshot stays");
        assertEquals(List.of("array-a/v1", "array-a/v2"), volumes.list().stream().map(v -> v.getVolumeId()).toList(),
                "member volumes are snapshots, not volumes");

        VolumeProvisioner provisioner = new VolumeProvisioner(agents, locks, Duration.ofSeconds(5));
        a.completeCopyOnCreate = true;
        var restored = provisioner.create(dev.copyservices.csi.v1.CreateVolumeRequest.newBuilder().setName("r")
                .setCapacityRange(dev.copyservices.csi.v1.CapacityRange.newBuilder().setRequiredBytes(1 << 20))
                .addVolumeCapabilities(dev.copyservices.csi.v1.VolumeCapability.newBuilder()
                        .setBlock(dev.copyservices.csi.v1.VolumeCapability.BlockVolume.getDefaultInstance())
                        .setAccessMode(dev.copyservices.csi.v1.VolumeCapability.AccessMode.newBuilder().setMode(
                                dev.copyservices.csi.v1.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                .setVolumeContentSource(dev.copyservices.csi.v1.VolumeContentSource.newBuilder().setSnapshot(
                        dev.copyservices.csi.v1.VolumeContentSource.SnapshotSource.newBuilder()
                                .setSnapshotId(member.getSnapshotId()))).build());
        assertEquals(member.getSnapshotId(), restored.getContentSource().getSnapshot().getSnapshotId());

        groups.delete(group.getGroupSnapshotId());
        assertTrue(a.findGroup(Names.groupName("g")).isEmpty());
        assertEquals(Map.of(), Map.copyOf(a.relationships()));
        assertTrue(a.volumes().keySet().stream().noneMatch(v -> v.startsWith("gm-")), "member volumes deleted");
        groups.delete(group.getGroupSnapshotId());
    }

    @Test
    void unknownAndMissingIdsGetTheirCodes() {
        assertEquals(CsiError.Code.INVALID_ARGUMENT, assertThrows(CsiError.class, () -> groups.get("")).code());
        assertEquals(CsiError.Code.NOT_FOUND, assertThrows(CsiError.class, () -> groups.get("array-a/gsnap-x")).code());
        assertEquals(CsiError.Code.INVALID_ARGUMENT, assertThrows(CsiError.class, () -> groups.create("", List.of("x")))
                .code());
        assertEquals(CsiError.Code.NOT_FOUND, assertThrows(CsiError.class,
                () -> groups.create("g", List.of("array-a/missing"))).code());
        groups.delete("array-a/gsnap-x");
    }
}
