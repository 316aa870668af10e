package dev.copyservices.csi.it;

import dev.copyservices.csi.v1.CapacityRange;
import dev.copyservices.csi.v1.ControllerGrpc;
import dev.copyservices.csi.v1.CreateSnapshotRequest;
import dev.copyservices.csi.v1.CreateVolumeRequest;
import dev.copyservices.csi.v1.DeleteSnapshotRequest;
import dev.copyservices.csi.v1.DeleteVolumeRequest;
import dev.copyservices.csi.v1.NodeGrpc;
import dev.copyservices.csi.v1.NodePublishVolumeRequest;
import dev.copyservices.csi.v1.NodeStageVolumeRequest;
import dev.copyservices.csi.v1.NodeUnpublishVolumeRequest;
import dev.copyservices.csi.v1.NodeUnstageVolumeRequest;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeCapability.AccessMode;
import dev.copyservices.csi.v1.VolumeContentSource;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The CO's side of the calls the node tests make, through the driver's socket. */
final class CsiClient {
    private final ManagedChannel channel;

    CsiClient(ManagedChannel channel) {
        this.channel = channel;
    }

    ControllerGrpc.ControllerBlockingStub controller() {
        return ControllerGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    NodeGrpc.NodeBlockingStub node() {
        return NodeGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    static VolumeCapability mount(String fsType) {
        return VolumeCapability.newBuilder()
                .setMount(VolumeCapability.MountVolume.newBuilder().setFsType(fsType))
                .setAccessMode(AccessMode.newBuilder().setMode(AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    }

    static VolumeCapability block() {
        return VolumeCapability.newBuilder().setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(AccessMode.newBuilder().setMode(AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    }

    Volume create(String name, long bytes, VolumeCapability capability) {
        return controller().createVolume(request(name, bytes, capability).build()).getVolume();
    }

    CreateVolumeRequest.Builder request(String name, long bytes, VolumeCapability capability) {
        return CreateVolumeRequest.newBuilder().setName(name)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes)).addVolumeCapabilities(capability);
    }

    Volume restore(String name, long bytes, VolumeCapability capability, String snapshotId) {
        return controller().createVolume(request(name, bytes, capability).setVolumeContentSource(
                VolumeContentSource.newBuilder().setSnapshot(
                        VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshotId))).build()).getVolume();
    }

    Volume clone(String name, long bytes, VolumeCapability capability, String volumeId) {
        return controller().createVolume(request(name, bytes, capability).setVolumeContentSource(
                VolumeContentSource.newBuilder().setVolume(
                        VolumeContentSource.VolumeSource.newBuilder().setVolumeId(volumeId))).build()).getVolume();
    }

    Snapshot snapshot(String name, String volumeId) {
        return controller().createSnapshot(CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(volumeId)
                .build()).getSnapshot();
    }

    void deleteSnapshot(String snapshotId) {
        controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshotId).build());
    }

    void delete(String volumeId) {
        controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build());
    }

    void stage(String volumeId, Path staging, VolumeCapability capability) {
        node().nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volumeId)
                .setStagingTargetPath(staging.toString()).setVolumeCapability(capability).build());
    }

    void publish(String volumeId, Path staging, Path target, VolumeCapability capability, boolean readOnly) {
        node().nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(volumeId)
                .setStagingTargetPath(staging.toString()).setTargetPath(target.toString())
                .setVolumeCapability(capability).setReadonly(readOnly).build());
    }

    void unpublish(String volumeId, Path target) {
        node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId)
                .setTargetPath(target.toString()).build());
    }

    void unstage(String volumeId, Path staging) {
        node().nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId(volumeId)
                .setStagingTargetPath(staging.toString()).build());
    }
}
