package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.RelationshipInfo;
import dev.copyservices.agent.flashcopy.WithdrawResult;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each relationship RPC reaches its engine call with the request's values, and errors become statuses. */
class FlashCopyRelationshipGrpcServiceTest {

    /** Records each call as text and answers with a sample relationship, or throws {@link #failure}. */
    private static final class FakeEngine implements FlashCopyRelationshipGrpcService.Operations {
        final List<String> calls = new ArrayList<>();
        RuntimeException failure;

        private RelationshipInfo answer(String call) {
            calls.add(call);
            if (failure != null) {
                throw failure;
            }
            return CopyModeMapperTest.relationship("db", "db-copy", "");
        }

        @Override
        public RelationshipInfo establish(String source, String target, CopyOptions options) {
            return answer("establish " + source + " " + target + " " + options);
        }

        @Override
        public RelationshipInfo reflash(String name) {
            return answer("reflash " + name);
        }

        @Override
        public RelationshipInfo reverse(String name) {
            return answer("reverse " + name);
        }

        @Override
        public RelationshipInfo startBackgroundCopy(String name) {
            return answer("background-copy " + name);
        }

        @Override
        public WithdrawResult withdraw(String name, boolean force) {
            return new WithdrawResult(answer("withdraw " + name + " force=" + force), !force);
        }

        @Override
        public RelationshipInfo get(String name) {
            return answer("get " + name);
        }

        @Override
        public List<RelationshipInfo> list(String volume, String group) {
            return List.of(answer("list volume=[" + volume + "] group=[" + group + "]"),
                    CopyModeMapperTest.relationship("logs", "logs-copy", ""));
        }
    }

    private final FakeEngine engine = new FakeEngine();
    private final InProcessChannels channels = new InProcessChannels();
    private FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub stub;

    @BeforeEach
    void start() throws IOException {
        stub = FlashCopyRelationshipServiceGrpc.newBlockingStub(
                channels.serve(new FlashCopyRelationshipGrpcService(engine)));
    }

    @AfterEach
    void stop() {
        channels.close();
    }

    private static RelationshipRef ref(String name) {
        return RelationshipRef.newBuilder().setName(name).build();
    }

    @Test
    void establishUnpacksSourceTargetAndOptionsAndPacksTheRelationship() {
        var answer = stub.establish(EstablishRequest.newBuilder().setSource("db").setTarget("db-copy")
                .setOptions(dev.copyservices.api.agent.v1.CopyOptions.newBuilder().setPersistent(true)
                        .setIncremental(true))
                .build());
        assertEquals(List.of("establish db db-copy " + new CopyOptions(false, true, true)), engine.calls);
        assertEquals(CopyModeMapper.toProto(CopyModeMapperTest.relationship("db", "db-copy", "")), answer);
    }

    @Test
    void eachRpcCallsItsOwnEngineOperationWithTheName() {
        stub.reflash(ref("db-copy"));
        stub.reverse(ref("db"));
        stub.startBackgroundCopy(ref("db-copy"));
        stub.getRelationship(ref("db"));
        assertEquals(List.of("reflash db-copy", "reverse db", "background-copy db-copy", "get db"), engine.calls);
    }

    @Test
    void withdrawPassesForceAndSaysWhetherTheTargetIsComplete() {
        WithdrawResponse plain = stub.withdraw(WithdrawRequest.newBuilder().setName("db-copy").build());
        WithdrawResponse forced = stub.withdraw(WithdrawRequest.newBuilder().setName("db-copy").setForce(true).build());
        assertEquals(List.of("withdraw db-copy force=false", "withdraw db-copy force=true"), engine.calls);
        assertTrue(plain.getTargetComplete());
        assertEquals(false, forced.getTargetComplete());
        assertEquals("db-copy", forced.getRelationship().getTarget());
    }

    @Test
    void listPassesBothFiltersAndReturnsEveryRelationship() {
        assertEquals(2, stub.listRelationships(ListRelationshipsRequest.getDefaultInstance()).getRelationshipsCount());
        stub.listRelationships(ListRelationshipsRequest.newBuilder().setVolume("db").setGroup("nightly").build());
        assertEquals(List.of("list volume=[] group=[]", "list volume=[db] group=[nightly]"), engine.calls);
    }

    @Test
    void engineErrorsBecomeStatusesWithTheirReasonAndCorrection() {
        engine.failure = new EngineException(Reason.INVALID_COPY_OPTIONS, "an incremental relationship must be"
                + " persistent", "add --persistent, or leave out --incremental");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.establish(
                EstablishRequest.newBuilder().setSource("db").setTarget("db-copy").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        ErrorDetail detail = ProtoMapperTest.detail(e);
        assertEquals("INVALID_COPY_OPTIONS", detail.getReason());
        assertEquals("add --persistent, or leave out --incremental", detail.getCorrection());
    }

    @Test
    void anUnexpectedEngineFailureAnswersInternalWithoutItsStack() {
        engine.failure = new IllegalStateException("a bug in the engine");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.reflash(ref("db-copy")));
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    }
}
