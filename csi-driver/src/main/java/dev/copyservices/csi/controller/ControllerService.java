package dev.copyservices.csi.controller;

import com.google.protobuf.Int64Value;
import dev.copyservices.csi.common.GrpcErrors;
import dev.copyservices.csi.common.Paging;
import dev.copyservices.csi.common.VolumeCapabilities;
import dev.copyservices.csi.v1.ControllerExpandVolumeRequest;
import dev.copyservices.csi.v1.ControllerExpandVolumeResponse;
import dev.copyservices.csi.v1.ControllerGetCapabilitiesRequest;
import dev.copyservices.csi.v1.ControllerGetCapabilitiesResponse;
import dev.copyservices.csi.v1.ControllerGrpc;
import dev.copyservices.csi.v1.ControllerServiceCapability;
import dev.copyservices.csi.v1.ControllerServiceCapability.RPC.Type;
import dev.copyservices.csi.v1.CreateSnapshotRequest;
import dev.copyservices.csi.v1.CreateSnapshotResponse;
import dev.copyservices.csi.v1.CreateVolumeRequest;
import dev.copyservices.csi.v1.CreateVolumeResponse;
import dev.copyservices.csi.v1.DeleteSnapshotRequest;
import dev.copyservices.csi.v1.DeleteSnapshotResponse;
import dev.copyservices.csi.v1.DeleteVolumeRequest;
import dev.copyservices.csi.v1.DeleteVolumeResponse;
import dev.copyservices.csi.v1.GetCapacityRequest;
import dev.copyservices.csi.v1.GetCapacityResponse;
import dev.copyservices.csi.v1.ListSnapshotsRequest;
import dev.copyservices.csi.v1.ListSnapshotsResponse;
import dev.copyservices.csi.v1.ListVolumesRequest;
import dev.copyservices.csi.v1.ListVolumesResponse;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.ValidateVolumeCapabilitiesRequest;
import dev.copyservices.csi.v1.ValidateVolumeCapabilitiesResponse;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;

/** CSI Controller over gRPC; the work is in {@link VolumeProvisioner}, {@link VolumeOperations} and {@link Snapshots}. */
public final class ControllerService extends ControllerGrpc.ControllerImplBase {
    private static final List<Type> CAPABILITIES = List.of(Type.CREATE_DELETE_VOLUME, Type.LIST_VOLUMES,
            Type.GET_CAPACITY, Type.CREATE_DELETE_SNAPSHOT, Type.LIST_SNAPSHOTS, Type.CLONE_VOLUME, Type.EXPAND_VOLUME);

    private final VolumeProvisioner provisioner;
    private final VolumeOperations volumes;
    private final Snapshots snapshots;

    public ControllerService(VolumeProvisioner provisioner, VolumeOperations volumes, Snapshots snapshots) {
        this.provisioner = provisioner;
        this.volumes = volumes;
        this.snapshots = snapshots;
    }

    @Override
    public void controllerGetCapabilities(ControllerGetCapabilitiesRequest request,
            StreamObserver<ControllerGetCapabilitiesResponse> observer) {
        GrpcErrors.answer("ControllerGetCapabilities", observer, () -> {
            ControllerGetCapabilitiesResponse.Builder response = ControllerGetCapabilitiesResponse.newBuilder();
            for (Type type : CAPABILITIES) {
                response.addCapabilities(ControllerServiceCapability.newBuilder()
                        .setRpc(ControllerServiceCapability.RPC.newBuilder().setType(type)));
            }
            return response.build();
        });
    }

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> observer) {
        GrpcErrors.answer("CreateVolume", observer,
                () -> CreateVolumeResponse.newBuilder().setVolume(provisioner.create(request)).build());
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
        GrpcErrors.answer("DeleteVolume", observer, () -> {
            volumes.delete(request.getVolumeId());
            return DeleteVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void controllerExpandVolume(ControllerExpandVolumeRequest request,
            StreamObserver<ControllerExpandVolumeResponse> observer) {
        GrpcErrors.answer("ControllerExpandVolume", observer, () -> {
            long size = volumes.expand(request.getVolumeId(), request.getCapacityRange());
            // expansion is offline: the volume is not staged now, and its file system grows when it is staged next,
            // in NodeStage or, for a CO that asks, in NodeExpandVolume after it; a block volume needs nothing more
            boolean block = request.hasVolumeCapability() && request.getVolumeCapability().hasBlock();
            return ControllerExpandVolumeResponse.newBuilder().setCapacityBytes(size).setNodeExpansionRequired(!block)
                    .build();
        });
    }

    @Override
    public void validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request,
            StreamObserver<ValidateVolumeCapabilitiesResponse> observer) {
        GrpcErrors.answer("ValidateVolumeCapabilities", observer, () -> {
            Optional<String> unsupported = volumes.validate(request.getVolumeId(), request.getVolumeCapabilitiesList());
            if (unsupported.isPresent()) {
                return ValidateVolumeCapabilitiesResponse.newBuilder().setMessage(unsupported.get()).build();
            }
            return ValidateVolumeCapabilitiesResponse.newBuilder().setConfirmed(
                    ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
                            .putAllVolumeContext(request.getVolumeContextMap())
                            .addAllVolumeCapabilities(request.getVolumeCapabilitiesList())
                            .putAllParameters(request.getParametersMap())).build();
        });
    }

    @Override
    public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> observer) {
        GrpcErrors.answer("ListVolumes", observer, () -> {
            Paging<Volume> page = Paging.of(volumes.list(), request.getMaxEntries(), request.getStartingToken());
            ListVolumesResponse.Builder response = ListVolumesResponse.newBuilder().setNextToken(page.nextToken());
            page.page().forEach(v -> response.addEntries(ListVolumesResponse.Entry.newBuilder().setVolume(v)));
            return response.build();
        });
    }

    @Override
    public void getCapacity(GetCapacityRequest request, StreamObserver<GetCapacityResponse> observer) {
        GrpcErrors.answer("GetCapacity", observer, () -> {
            for (VolumeCapability capability : request.getVolumeCapabilitiesList()) {
                if (VolumeCapabilities.unsupported(capability).isPresent()) {
                    // the spec's answer for capabilities the driver cannot serve: no capacity for them
                    return GetCapacityResponse.newBuilder().setAvailableCapacity(0).build();
                }
            }
            return GetCapacityResponse.newBuilder().setAvailableCapacity(volumes.capacity(request.getAccessibleTopology()))
                    .setMinimumVolumeSize(Int64Value.of(512)).build();
        });
    }

    @Override
    public void createSnapshot(CreateSnapshotRequest request, StreamObserver<CreateSnapshotResponse> observer) {
        GrpcErrors.answer("CreateSnapshot", observer, () -> CreateSnapshotResponse.newBuilder().setSnapshot(
                snapshots.create(request.getSourceVolumeId(), request.getName(), request.getParametersMap())).build());
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest request, StreamObserver<DeleteSnapshotResponse> observer) {
        GrpcErrors.answer("DeleteSnapshot", observer, () -> {
            snapshots.delete(request.getSnapshotId());
            return DeleteSnapshotResponse.getDefaultInstance();
        });
    }

    @Override
    public void listSnapshots(ListSnapshotsRequest request, StreamObserver<ListSnapshotsResponse> observer) {
        GrpcErrors.answer("ListSnapshots", observer, () -> {
            Paging<Snapshot> page = Paging.of(snapshots.list(request.getSnapshotId(), request.getSourceVolumeId()),
                    request.getMaxEntries(), request.getStartingToken());
            ListSnapshotsResponse.Builder response = ListSnapshotsResponse.newBuilder().setNextToken(page.nextToken());
            page.page().forEach(s -> response.addEntries(ListSnapshotsResponse.Entry.newBuilder().setSnapshot(s)));
            return response.build();
        });
    }
}
