package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.GroupInfo;
import dev.copyservices.agent.flashcopy.GroupPairInfo;
import dev.copyservices.agent.flashcopy.GroupState;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.DeleteGroupResponse;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.ListGroupsRequest;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each group RPC reaches its engine call with the request's values, and errors become statuses. */
class FlashCopyGroupGrpcServiceTest {

    static GroupInfo sample(String name) {
        return new GroupInfo(name, GroupState.DEFINED, new CopyOptions(true, false, false), null,
                CopyModeMapperTest.CREATED, List.of(new GroupPairInfo("db", "db-copy", false, false, false, null, null)));
    }

    /** Records each call as text and answers with a sample group, or throws {@link #failure}. */
    private static final class FakeEngine implements FlashCopyGroupGrpcService.Operations {
        final List<String> calls = new ArrayList<>();
        RuntimeException failure;

        private GroupInfo answer(String call) {
            calls.add(call);
            if (failure != null) {
                throw failure;
            }
            return sample("nightly");
        }

        @Override
        public GroupInfo create(String name, CopyOptions options) {
            return answer("create " + name + " " + options);
        }

        @Override
        public GroupInfo addPair(String group, String source, String target) {
            return answer("add " + group + " " + source + " " + target);
        }

        @Override
        public GroupInfo removePair(String group, String source, String target) {
            return answer("remove " + group + " " + source + " " + target);
        }

        @Override
        public GroupInfo flash(String name) {
            return answer("flash " + name);
        }

        @Override
        public GroupInfo startBackgroundCopy(String name) {
            return answer("background-copy " + name);
        }

        @Override
        public GroupInfo terminate(String name, boolean force) {
            return answer("terminate " + name + " force=" + force);
        }

        @Override
        public GroupInfo discover(String name) {
            return answer("discover " + name);
        }

        @Override
        public GroupInfo get(String name) {
            return answer("get " + name);
        }

        @Override
        public List<GroupInfo> list() {
            return List.of(answer("list"), sample("weekly"));
        }

        @Override
        public void delete(String name) {
            answer("delete " + name);
        }
    }

    private final FakeEngine engine = new FakeEngine();
    private final InProcessChannels channels = new InProcessChannels();
    private FlashCopyGroupServiceGrpc.FlashCopyGroupServiceBlockingStub stub;

    @BeforeEach
    void start() throws IOException {
        stub = FlashCopyGroupServiceGrpc.newBlockingStub(channels.serve(new FlashCopyGroupGrpcService(engine)));
    }

    @AfterEach
    void stop() {
        channels.close();
    }

    private static GroupRef ref(String name) {
        return GroupRef.newBuilder().setName(name).build();
    }

    private static GroupPairRequest pair(String group, String source, String target) {
        return GroupPairRequest.newBuilder().setGroup(group).setSource(source).setTarget(target).build();
    }

    @Test
    void createUnpacksNameAndOptionsAndPacksTheGroup() {
        var answer = stub.createGroup(CreateGroupRequest.newBuilder().setName("nightly")
                .setOptions(dev.copyservices.api.agent.v1.CopyOptions.newBuilder().setBackgroundCopy(true)).build());
        assertEquals(List.of("create nightly " + new CopyOptions(true, false, false)), engine.calls);
        assertEquals(CopyModeMapper.toProto(sample("nightly")), answer);
    }

    @Test
    void pairsAreAddedAndRemovedWithGroupSourceAndTargetInThatOrder() {
        stub.addPair(pair("nightly", "db", "db-copy"));
        stub.removePair(pair("nightly", "logs", "logs-copy"));
        assertEquals(List.of("add nightly db db-copy", "remove nightly logs logs-copy"), engine.calls);
    }

    @Test
    void eachRpcCallsItsOwnEngineOperationWithTheName() {
        stub.flashGroup(ref("nightly"));
        stub.startGroupBackgroundCopy(ref("nightly"));
        stub.terminateGroup(TerminateGroupRequest.newBuilder().setName("nightly").build());
        stub.terminateGroup(TerminateGroupRequest.newBuilder().setName("nightly").setForce(true).build());
        stub.discoverGroup(ref("nightly"));
        stub.getGroup(ref("nightly"));
        assertEquals(DeleteGroupResponse.getDefaultInstance(), stub.deleteGroup(ref("weekly")));
        assertEquals(List.of("flash nightly", "background-copy nightly", "terminate nightly force=false",
                "terminate nightly force=true", "discover nightly", "get nightly", "delete weekly"), engine.calls);
    }

    @Test
    void listReturnsEveryGroup() {
        var groups = stub.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList();
        assertEquals(List.of("nightly", "weekly"), groups.stream().map(g -> g.getName()).toList());
    }

    @Test
    void engineErrorsBecomeStatusesWithTheirReasonAndCorrection() {
        engine.failure = new EngineException(Reason.GROUP_STATE, "group \"nightly\" is not Defined",
                "terminate the group first");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.deleteGroup(ref("nightly")));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        ErrorDetail detail = ProtoMapperTest.detail(e);
        assertEquals("GROUP_STATE", detail.getReason());
        assertEquals("terminate the group first", detail.getCorrection());
    }
}
