package dev.copyservices.agent.grpc;

import dev.copyservices.agent.flashcopy.CreateFlashCopy;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.flashcopy.FlashCopyInfo;
import dev.copyservices.agent.flashcopy.FullPolicy;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyResponse;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.GrowRepositoryRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** FlashCopies over gRPC: unpacks requests, calls the engine, packs answers. No rules live here. */
final class FlashCopyGrpcService extends FlashCopyServiceGrpc.FlashCopyServiceImplBase {

    /**
     * The engine operations this service calls. FlashCopyEngine is final and needs a pool, so this seam
     * lets the unit test check each call's unpacking and packing against a fake.
     */
    interface Operations {
        FlashCopyInfo create(CreateFlashCopy request);

        FlashCopyInfo get(String name);

        List<FlashCopyInfo> list(String base);

        FlashCopyInfo disable(String name);

        FlashCopyInfo recreate(String name);

        void delete(String name, boolean force);

        FlashCopyInfo growRepository(String name, long byBytes);

        FlashCopyInfo update(String name, Integer warningThresholdPercent, FullPolicy fullPolicy);
    }

    private final Operations flashCopies;

    FlashCopyGrpcService(FlashCopyEngine engine) {
        this(of(engine));
    }

    FlashCopyGrpcService(Operations flashCopies) {
        this.flashCopies = flashCopies;
    }

    @Override
    public void createFlashCopy(CreateFlashCopyRequest request, StreamObserver<FlashCopy> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(flashCopies.create(ProtoMapper.fromProto(request))));
    }

    @Override
    public void getFlashCopy(FlashCopyRef request, StreamObserver<FlashCopy> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(flashCopies.get(request.getName())));
    }

    @Override
    public void listFlashCopies(ListFlashCopiesRequest request, StreamObserver<ListFlashCopiesResponse> observer) {
        Unary.answer(observer, () -> {
            ListFlashCopiesResponse.Builder response = ListFlashCopiesResponse.newBuilder();
            flashCopies.list(request.getBase()).forEach(f -> response.addFlashCopies(ProtoMapper.toProto(f)));
            return response.build();
        });
    }

    @Override
    public void disableFlashCopy(FlashCopyRef request, StreamObserver<FlashCopy> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(flashCopies.disable(request.getName())));
    }

    @Override
    public void recreateFlashCopy(FlashCopyRef request, StreamObserver<FlashCopy> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(flashCopies.recreate(request.getName())));
    }

    @Override
    public void deleteFlashCopy(DeleteFlashCopyRequest request, StreamObserver<DeleteFlashCopyResponse> observer) {
        Unary.answer(observer, () -> {
            flashCopies.delete(request.getName(), request.getForce());
            return DeleteFlashCopyResponse.getDefaultInstance();
        });
    }

    @Override
    public void growRepository(GrowRepositoryRequest request, StreamObserver<FlashCopy> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(flashCopies.growRepository(request.getName(),
                ProtoMapper.unsigned(request.getByBytes()))));
    }

    @Override
    public void updateFlashCopy(UpdateFlashCopyRequest request, StreamObserver<FlashCopy> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(flashCopies.update(request.getName(),
                request.hasWarningThresholdPercent() ? ProtoMapper.unsigned(request.getWarningThresholdPercent()) : null,
                ProtoMapper.fromProto(request.getFullPolicy()))));
    }

    /** The real engine behind {@link Operations}: plain delegation. */
    private static Operations of(FlashCopyEngine engine) {
        return new Operations() {
            @Override
            public FlashCopyInfo create(CreateFlashCopy request) {
                return engine.create(request);
            }

            @Override
            public FlashCopyInfo get(String name) {
                return engine.get(name);
            }

            @Override
            public List<FlashCopyInfo> list(String base) {
                return engine.list(base);
            }

            @Override
            public FlashCopyInfo disable(String name) {
                return engine.disable(name);
            }

            @Override
            public FlashCopyInfo recreate(String name) {
                return engine.recreate(name);
            }

            @Override
            public void delete(String name, boolean force) {
                engine.delete(name, force);
            }

            @Override
            public FlashCopyInfo growRepository(String name, long byBytes) {
                return engine.growRepository(name, byBytes);
            }

            @Override
            public FlashCopyInfo update(String name, Integer warningThresholdPercent, FullPolicy fullPolicy) {
                return engine.update(name, warningThresholdPercent, fullPolicy);
            }
        };
    }
}
