package dev.copyservices.agent.grpc;

import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.FlashCopyGroups;
import dev.copyservices.agent.flashcopy.GroupInfo;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.DeleteGroupResponse;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.ListGroupsRequest;
import dev.copyservices.api.agent.v1.ListGroupsResponse;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** FlashCopy groups (Copy mode) over gRPC: unpacks requests, calls the engine, packs answers. */
final class FlashCopyGroupGrpcService extends FlashCopyGroupServiceGrpc.FlashCopyGroupServiceImplBase {

    /**
     * The engine operations this service calls. FlashCopyGroups is final, so this seam lets the unit test
     * check each call's unpacking and packing against a fake.
     */
    interface Operations {
        GroupInfo create(String name, CopyOptions options);

        GroupInfo addPair(String group, String source, String target);

        GroupInfo removePair(String group, String source, String target);

        GroupInfo flash(String name);

        GroupInfo startBackgroundCopy(String name);

        GroupInfo terminate(String name, boolean force);

        GroupInfo discover(String name);

        GroupInfo get(String name);

        List<GroupInfo> list();

        void delete(String name);
    }

    private final Operations groups;

    FlashCopyGroupGrpcService(FlashCopyGroups engine) {
        this(of(engine));
    }

    FlashCopyGroupGrpcService(Operations groups) {
        this.groups = groups;
    }

    @Override
    public void createGroup(CreateGroupRequest request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.create(request.getName(),
                CopyModeMapper.fromProto(request.getOptions()))));
    }

    @Override
    public void addPair(GroupPairRequest request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.addPair(request.getGroup(), request.getSource(),
                request.getTarget())));
    }

    @Override
    public void removePair(GroupPairRequest request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.removePair(request.getGroup(),
                request.getSource(), request.getTarget())));
    }

    @Override
    public void flashGroup(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.flash(request.getName())));
    }

    @Override
    public void startGroupBackgroundCopy(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.startBackgroundCopy(request.getName())));
    }

    @Override
    public void terminateGroup(TerminateGroupRequest request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.terminate(request.getName(), request.getForce())));
    }

    @Override
    public void discoverGroup(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.discover(request.getName())));
    }

    @Override
    public void getGroup(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
        Unary.answer(observer, () -> CopyModeMapper.toProto(groups.get(request.getName())));
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> observer) {
        Unary.answer(observer, () -> {
            ListGroupsResponse.Builder response = ListGroupsResponse.newBuilder();
            groups.list().forEach(g -> response.addGroups(CopyModeMapper.toProto(g)));
            return response.build();
        });
    }

    @Override
    public void deleteGroup(GroupRef request, StreamObserver<DeleteGroupResponse> observer) {
        Unary.answer(observer, () -> {
            groups.delete(request.getName());
            return DeleteGroupResponse.getDefaultInstance();
        });
    }

    /** The real engine behind {@link Operations}: plain delegation. */
    private static Operations of(FlashCopyGroups engine) {
        return new Operations() {
            @Override
            public GroupInfo create(String name, CopyOptions options) {
                return engine.create(name, options);
            }

            @Override
            public GroupInfo addPair(String group, String source, String target) {
                return engine.addPair(group, source, target);
            }

            @Override
            public GroupInfo removePair(String group, String source, String target) {
                return engine.removePair(group, source, target);
            }

            @Override
            public GroupInfo flash(String name) {
                return engine.flash(name);
            }

            @Override
            public GroupInfo startBackgroundCopy(String name) {
                return engine.startBackgroundCopy(name);
            }

            @Override
            public GroupInfo terminate(String name, boolean force) {
                return engine.terminate(name, force);
            }

            @Override
            public GroupInfo discover(String name) {
                return engine.discover(name);
            }

            @Override
            public GroupInfo get(String name) {
                return engine.get(name);
            }

            @Override
            public List<GroupInfo> list() {
                return engine.list();
            }

            @Override
            public void delete(String name) {
                engine.delete(name);
            }
        };
    }
}
