package dev.copyservices.agent.grpc;

import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.CopyRelationships;
import dev.copyservices.agent.flashcopy.RelationshipInfo;
import dev.copyservices.agent.flashcopy.WithdrawResult;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.ListRelationshipsResponse;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** FlashCopy relationships (Copy mode) over gRPC: unpacks requests, calls the engine, packs answers. */
final class FlashCopyRelationshipGrpcService
        extends FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceImplBase {

    /**
     * The engine operations this service calls. CopyRelationships is final, so this seam lets the unit
     * test check each call's unpacking and packing against a fake.
     */
    interface Operations {
        RelationshipInfo establish(String source, String target, CopyOptions options);

        RelationshipInfo reflash(String name);

        RelationshipInfo reverse(String name);

        RelationshipInfo startBackgroundCopy(String name);

        WithdrawResult withdraw(String name, boolean force);

        RelationshipInfo get(String name);

        List<RelationshipInfo> list(String volume, String group);
    }

    private final Operations relationships;

    FlashCopyRelationshipGrpcService(CopyRelationships engine) {
        this(of(engine));
    }

    FlashCopyRelationshipGrpcService(Operations relationships) {
        this.relationships = relationships;
    }

    @Override
    public void establish(EstablishRequest request, StreamObserver<Relationship> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(relationships.establish(request.getSource(),
                request.getTarget(), CopyModeMapper.fromProto(request.getOptions()))));
    }

    @Override
    public void reflash(RelationshipRef request, StreamObserver<Relationship> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(relationships.reflash(request.getName())));
    }

    @Override
    public void reverse(RelationshipRef request, StreamObserver<Relationship> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(relationships.reverse(request.getName())));
    }

    @Override
    public void startBackgroundCopy(RelationshipRef request, StreamObserver<Relationship> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(relationships.startBackgroundCopy(request.getName())));
    }

    @Override
    public void withdraw(WithdrawRequest request, StreamObserver<WithdrawResponse> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(relationships.withdraw(request.getName(),
                request.getForce())));
    }

    @Override
    public void getRelationship(RelationshipRef request, StreamObserver<Relationship> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(relationships.get(request.getName())));
    }

    @Override
    public void listRelationships(ListRelationshipsRequest request,
            StreamObserver<ListRelationshipsResponse> observer) {
        Unary.answer(observer, () -> {
            ListRelationshipsResponse.Builder response = ListRelationshipsResponse.newBuilder();
            // empty filters pass through as empty: the engine reads "" as "no filter"
            relationships.list(request.getVolume(), request.getGroup())
                    .forEach(r -> response.addRelationships(CopyModeMapper.toProto(r)));
            return response.build();
        });
    }

    /** The real engine behind {@link Operations}: plain delegation. */
    private static Operations of(CopyRelationships engine) {
        return new Operations() {
            @Override
            public RelationshipInfo establish(String source, String target, CopyOptions options) {
                return engine.establish(source, target, options);
            }

            @Override
            public RelationshipInfo reflash(String name) {
                return engine.reflash(name);
            }

            @Override
            public RelationshipInfo reverse(String name) {
                return engine.reverse(name);
            }

            @Override
            public RelationshipInfo startBackgroundCopy(String name) {
                return engine.startBackgroundCopy(name);
            }

            @Override
            public WithdrawResult withdraw(String name, boolean force) {
                return engine.withdraw(name, force);
            }

            @Override
            public RelationshipInfo get(String name) {
                return engine.get(name);
            }

            @Override
            public List<RelationshipInfo> list(String volume, String group) {
                return engine.list(volume, group);
            }
        };
    }
}
