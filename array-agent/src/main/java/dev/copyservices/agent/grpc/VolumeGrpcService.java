package dev.copyservices.agent.grpc;

import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.api.agent.v1.AttachVolumeRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeResponse;
import dev.copyservices.api.agent.v1.DetachVolumeRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.stub.StreamObserver;

/** Volumes over gRPC: unpacks requests, calls the engine, packs answers. No rules live here. */
final class VolumeGrpcService extends VolumeServiceGrpc.VolumeServiceImplBase {
    private final VolumeEngine volumes;

    VolumeGrpcService(VolumeEngine volumes) {
        this.volumes = volumes;
    }

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<Volume> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(volumes.create(request.getName(),
                ProtoMapper.unsigned(request.getSizeBytes()), request.getReadOnly(), request.getAttributesMap())));
    }

    @Override
    public void getVolume(GetVolumeRequest request, StreamObserver<Volume> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(volumes.get(request.getName())));
    }

    @Override
    public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> observer) {
        Unary.answer(observer, () -> {
            ListVolumesResponse.Builder response = ListVolumesResponse.newBuilder();
            volumes.list(request.getAttributeSelectorMap()).forEach(v -> response.addVolumes(ProtoMapper.toProto(v)));
            return response.build();
        });
    }

    @Override
    public void resizeVolume(ResizeVolumeRequest request, StreamObserver<Volume> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(volumes.resize(request.getName(),
                ProtoMapper.unsigned(request.getSizeBytes()))));
    }

    @Override
    public void updateVolume(UpdateVolumeRequest request, StreamObserver<Volume> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(volumes.update(request.getName(),
                request.hasReadOnly() ? request.getReadOnly() : null, request.getSetAttributesMap(),
                request.getRemoveAttributesList())));
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
        Unary.answer(observer, () -> {
            volumes.delete(request.getName(), request.getForce());
            return DeleteVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void attachVolume(AttachVolumeRequest request, StreamObserver<Volume> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(volumes.attach(request.getName(), request.getHost(),
                request.getAddressesList())));
    }

    @Override
    public void detachVolume(DetachVolumeRequest request, StreamObserver<Volume> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(volumes.detach(request.getName(), request.getHost())));
    }
}
