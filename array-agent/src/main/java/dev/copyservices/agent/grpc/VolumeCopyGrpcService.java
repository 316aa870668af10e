package dev.copyservices.agent.grpc;

import dev.copyservices.agent.volumecopy.CopyPriority;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import dev.copyservices.agent.volumecopy.VolumeCopyInfo;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.ListCopiesResponse;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesResponse;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** VolumeCopy over gRPC: unpacks requests, calls the engine, packs answers. */
final class VolumeCopyGrpcService extends VolumeCopyServiceGrpc.VolumeCopyServiceImplBase {

    /** The engine operations this service calls; a seam so the unit test checks each call's mapping. */
    interface Operations {
        VolumeCopyInfo create(String source, String target, CopyPriority priority);

        VolumeCopyInfo get(String target);

        List<VolumeCopyInfo> list(String volume);

        VolumeCopyInfo stop(String target);

        VolumeCopyInfo recopy(String target, CopyPriority priority);

        List<VolumeCopyInfo> remove(List<String> targets);

        List<VolumeCopyInfo> update(List<String> targets, CopyPriority priority, Boolean targetReadOnly);
    }

    private final Operations copies;

    VolumeCopyGrpcService(VolumeCopyEngine engine) {
        this(new Operations() {
            @Override
            public VolumeCopyInfo create(String source, String target, CopyPriority priority) {
                return engine.create(source, target, priority);
            }

            @Override
            public VolumeCopyInfo get(String target) {
                return engine.get(target);
            }

            @Override
            public List<VolumeCopyInfo> list(String volume) {
                return engine.list(volume);
            }

            @Override
            public VolumeCopyInfo stop(String target) {
                return engine.stop(target);
            }

            @Override
            public VolumeCopyInfo recopy(String target, CopyPriority priority) {
                return engine.recopy(target, priority);
            }

            @Override
            public List<VolumeCopyInfo> remove(List<String> targets) {
                return engine.remove(targets);
            }

            @Override
            public List<VolumeCopyInfo> update(List<String> targets, CopyPriority priority, Boolean targetReadOnly) {
                return engine.update(targets, priority, targetReadOnly);
            }
        });
    }

    VolumeCopyGrpcService(Operations copies) {
        this.copies = copies;
    }

    @Override
    public void createCopy(CreateCopyRequest request, StreamObserver<VolumeCopy> observer) {
        Unary.answer(observer, () -> VolumeCopyMapper.toProto(copies.create(request.getSource(), request.getTarget(),
                VolumeCopyMapper.fromProto(request.getPriority()))));
    }

    @Override
    public void getCopy(CopyRef request, StreamObserver<VolumeCopy> observer) {
        Unary.answer(observer, () -> VolumeCopyMapper.toProto(copies.get(request.getTarget())));
    }

    @Override
    public void listCopies(ListCopiesRequest request, StreamObserver<ListCopiesResponse> observer) {
        Unary.answer(observer, () -> {
            ListCopiesResponse.Builder response = ListCopiesResponse.newBuilder();
            copies.list(request.getVolume()).forEach(c -> response.addCopies(VolumeCopyMapper.toProto(c)));
            return response.build();
        });
    }

    @Override
    public void stopCopy(CopyRef request, StreamObserver<VolumeCopy> observer) {
        Unary.answer(observer, () -> VolumeCopyMapper.toProto(copies.stop(request.getTarget())));
    }

    @Override
    public void recopy(RecopyRequest request, StreamObserver<VolumeCopy> observer) {
        Unary.answer(observer, () -> VolumeCopyMapper.toProto(copies.recopy(request.getTarget(),
                VolumeCopyMapper.fromProto(request.getPriority()))));
    }

    @Override
    public void removeCopies(RemoveCopiesRequest request, StreamObserver<RemoveCopiesResponse> observer) {
        Unary.answer(observer, () -> {
            RemoveCopiesResponse.Builder response = RemoveCopiesResponse.newBuilder();
            copies.remove(request.getTargetsList()).forEach(c -> response.addRemoved(VolumeCopyMapper.toProto(c)));
            return response.build();
        });
    }

    @Override
    public void updateCopies(UpdateCopiesRequest request, StreamObserver<UpdateCopiesResponse> observer) {
        Unary.answer(observer, () -> {
            UpdateCopiesResponse.Builder response = UpdateCopiesResponse.newBuilder();
            copies.update(request.getTargetsList(), VolumeCopyMapper.fromProto(request.getPriority()),
                    request.hasTargetReadOnly() ? request.getTargetReadOnly() : null)
                    .forEach(c -> response.addCopies(VolumeCopyMapper.toProto(c)));
            return response.build();
        });
    }
}
