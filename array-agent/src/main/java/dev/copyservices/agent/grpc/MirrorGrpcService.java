package dev.copyservices.agent.grpc;

import dev.copyservices.agent.mirror.MirrorEngine;
import dev.copyservices.agent.mirror.MirrorInfo;
import dev.copyservices.agent.mirror.MirrorUpdate;
import dev.copyservices.agent.mirror.MirroringInfo;
import dev.copyservices.agent.mirror.Outcome;
import dev.copyservices.agent.mirror.SecondaryCandidates;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.ConsistencyGroupStatus;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeactivateMirroringRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.ListMirrorsResponse;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirroringStatus;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.SecondaryCandidate;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import io.grpc.stub.StreamObserver;

/** Remote mirrors over gRPC: unpacks requests, calls the engine, packs answers. */
final class MirrorGrpcService extends MirrorServiceGrpc.MirrorServiceImplBase {
    private final MirrorEngine engine;

    MirrorGrpcService(MirrorEngine engine) {
        this.engine = engine;
    }

    @Override
    public void activateMirroring(ActivateMirroringRequest request, StreamObserver<MirroringStatus> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().activate()));
    }

    @Override
    public void deactivateMirroring(DeactivateMirroringRequest request, StreamObserver<MirroringStatus> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().deactivate()));
    }

    @Override
    public void getMirroring(GetMirroringRequest request, StreamObserver<MirroringStatus> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().status()));
    }

    @Override
    public void createMirror(CreateMirrorRequest request, StreamObserver<Mirror> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().create(request.getPrimary(), request.getPeer(),
                request.getSecondary(), dev.copyservices.api.agent.v1.MirrorSettings.newBuilder()
                        .setWriteMode(request.getWriteMode()).setConsistencyGroup(request.getConsistencyGroup())
                        .setSyncPriority(request.getSyncPriority()).setResyncMethod(request.getResyncMethod())
                        .build(), request.getLabelsMap())));
    }

    @Override
    public void listSecondaryCandidates(ListSecondaryCandidatesRequest request,
            StreamObserver<ListSecondaryCandidatesResponse> observer) {
        Unary.answer(observer, () -> {
            SecondaryCandidates.Candidates found = engine.candidates().list(request.getPrimary(), request.getPeer());
            return ListSecondaryCandidatesResponse.newBuilder().setPeerArray(found.peerArray())
                    .addAllCandidates(found.volumes().stream().map(c -> SecondaryCandidate.newBuilder()
                            .setVolume(c.volume()).setSizeBytes(c.sizeBytes()).build()).toList()).build();
        });
    }

    @Override
    public void getMirror(MirrorRef request, StreamObserver<Mirror> observer) {
        Unary.answer(observer, () -> toProto(engine.get(request.getVolume())));
    }

    @Override
    public void listMirrors(ListMirrorsRequest request, StreamObserver<ListMirrorsResponse> observer) {
        Unary.answer(observer, () -> ListMirrorsResponse.newBuilder()
                .addAllMirrors(engine.list().stream().map(MirrorGrpcService::toProto).toList()).build());
    }

    @Override
    public void suspendMirrors(MirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().suspend(request.getVolumesList(),
                request.getMemberOnly())));
    }

    @Override
    public void resumeMirrors(MirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().resume(request.getVolumesList(),
                request.getMemberOnly())));
    }

    @Override
    public void updateMirrors(UpdateMirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().update(request.getVolumesList(), new MirrorUpdate(
                request.getWriteMode(), request.hasConsistencyGroup() ? request.getConsistencyGroup() : null,
                request.getSyncPriority(), request.getResyncMethod()))));
    }

    @Override
    public void removeMirrors(MirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
        Unary.answer(observer, () -> toProto(engine.operations().remove(request.getVolumesList())));
    }

    @Override
    public void testCommunication(MirrorRef request, StreamObserver<CommunicationTest> observer) {
        Unary.answer(observer, () -> engine.operations().test(request.getVolume()));
    }

    @Override
    public void changeRole(ChangeRoleRequest request, StreamObserver<Mirror> observer) {
        Unary.answer(observer, () -> toProto(engine.roles().change(request.getVolume(), request.getRole(),
                request.getForce())));
    }

    static MirroringStatus toProto(MirroringInfo m) {
        return MirroringStatus.newBuilder().setActivated(m.activated()).setEnabled(m.enabled())
                .setReplicationEndpoint(m.replicationEndpoint()).setPartnerArray(m.partnerArray())
                .setPartnerArrayId(m.partnerArrayId()).setMirrors(m.mirrors()).setMaxMirrors(m.maxMirrors())
                .addAllConsistencyGroups(m.consistencyGroups().stream().map(g -> ConsistencyGroupStatus.newBuilder()
                        .setName(g.name()).addAllVolumes(g.volumes()).setState(g.state()).build()).toList())
                .build();
    }

    static MirrorsResponse toProto(Outcome outcome) {
        return MirrorsResponse.newBuilder().addAllMirrors(outcome.mirrors().stream().map(MirrorGrpcService::toProto)
                .toList()).addAllWarnings(outcome.warnings()).build();
    }

    static Mirror toProto(MirrorInfo m) {
        Mirror.Builder b = Mirror.newBuilder().setId(m.id()).setVolume(m.volume()).setVolumeId(m.volumeId())
                .setRole(m.role()).setState(m.state()).setPeerArray(m.peerArray()).setPeerArrayId(m.peerArrayId())
                .setPeerEndpoint(m.peerEndpoint()).setPeerVolume(m.peerVolume()).setPeerRole(m.peerRole())
                .setPeerReachable(m.peerReachable()).setWriteMode(m.writeMode())
                .setConsistencyGroup(m.consistencyGroup()).setSyncPriority(m.syncPriority())
                .setResyncMethod(m.resyncMethod()).setCapacityBytes(m.capacityBytes())
                .setOutOfSyncBytes(m.outOfSyncBytes()).setProgressPercent(m.progressPercent())
                .setLagSeconds(m.lagSeconds()).setCreated(ProtoMapper.timestamp(m.created()))
                .setGeneration(m.generation()).setReason(m.reason()).setBytesSent(m.bytesSent())
                .setSecondaryInconsistent(m.secondaryInconsistent()).putAllLabels(m.labels());
        if (m.lastSynchronized() != null) {
            b.setLastSynchronized(ProtoMapper.timestamp(m.lastSynchronized()));
        }
        return b.build();
    }
}
