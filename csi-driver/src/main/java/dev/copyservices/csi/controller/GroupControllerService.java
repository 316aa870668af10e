package dev.copyservices.csi.controller;

import dev.copyservices.csi.common.GrpcErrors;
import dev.copyservices.csi.v1.CreateVolumeGroupSnapshotRequest;
import dev.copyservices.csi.v1.CreateVolumeGroupSnapshotResponse;
import dev.copyservices.csi.v1.DeleteVolumeGroupSnapshotRequest;
import dev.copyservices.csi.v1.DeleteVolumeGroupSnapshotResponse;
import dev.copyservices.csi.v1.GetVolumeGroupSnapshotRequest;
import dev.copyservices.csi.v1.GetVolumeGroupSnapshotResponse;
import dev.copyservices.csi.v1.GroupControllerGetCapabilitiesRequest;
import dev.copyservices.csi.v1.GroupControllerGetCapabilitiesResponse;
import dev.copyservices.csi.v1.GroupControllerGrpc;
import dev.copyservices.csi.v1.GroupControllerServiceCapability;
import io.grpc.stub.StreamObserver;

/** CSI GroupController over gRPC; the work is in {@link GroupSnapshots}. */
public final class GroupControllerService extends GroupControllerGrpc.GroupControllerImplBase {
    private final GroupSnapshots groups;

    public GroupControllerService(GroupSnapshots groups) {
        this.groups = groups;
    }

    @Override
    public void groupControllerGetCapabilities(GroupControllerGetCapabilitiesRequest request,
            StreamObserver<GroupControllerGetCapabilitiesResponse> observer) {
        GrpcErrors.answer("GroupControllerGetCapabilities", observer, () -> GroupControllerGetCapabilitiesResponse
                .newBuilder().addCapabilities(GroupControllerServiceCapability.newBuilder().setRpc(
                        GroupControllerServiceCapability.RPC.newBuilder().setType(
                                GroupControllerServiceCapability.RPC.Type.CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT)))
                .build());
    }

    @Override
    public void createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest request,
            StreamObserver<CreateVolumeGroupSnapshotResponse> observer) {
        GrpcErrors.answer("CreateVolumeGroupSnapshot", observer, () -> CreateVolumeGroupSnapshotResponse.newBuilder()
                .setGroupSnapshot(groups.create(request.getName(), request.getSourceVolumeIdsList())).build());
    }

    @Override
    public void getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest request,
            StreamObserver<GetVolumeGroupSnapshotResponse> observer) {
        GrpcErrors.answer("GetVolumeGroupSnapshot", observer, () -> GetVolumeGroupSnapshotResponse.newBuilder()
                .setGroupSnapshot(groups.get(request.getGroupSnapshotId())).build());
    }

    @Override
    public void deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest request,
            StreamObserver<DeleteVolumeGroupSnapshotResponse> observer) {
        GrpcErrors.answer("DeleteVolumeGroupSnapshot", observer, () -> {
            groups.delete(request.getGroupSnapshotId());
            return DeleteVolumeGroupSnapshotResponse.getDefaultInstance();
        });
    }
}
